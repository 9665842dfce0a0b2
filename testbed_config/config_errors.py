"""Japanese explanations of the stack config's validation errors: the key, what was given, what is expected.

pydantic's own messages are English (``Input should be a valid integer...``); the operator reads these
instead. Every error type the schema can raise has a sentence here; any other type still gets a Japanese
sentence with the value given, never pydantic's text. Messages of the schema's own validators are already
Japanese and are kept.
"""

from __future__ import annotations

from typing import Any

# what a value of each expected kind looks like, in the operator's words
_EXPECTED = {
    "int": "整数",
    "float": "数値",
    "bool": "true か false",
    "str": "文字列",
    "list": "リスト (「- 値」の行を並べた形)",
    "dict": "「キー: 値」の形 (YAML の辞書)",
    "path": "ファイルやディレクトリのパス (例: /var/lib/testbed)",
}
_KIND = {
    "int_type": "int",
    "int_parsing": "int",
    "int_from_float": "int",
    "int_parsing_size": "int",
    "float_type": "float",
    "float_parsing": "float",
    "finite_number": "float",
    "bool_type": "bool",
    "bool_parsing": "bool",
    "string_type": "str",
    "string_unicode": "str",
    "string_sub_type": "str",
    "list_type": "list",
    "iterable_type": "list",
    "tuple_type": "list",
    "set_type": "list",
    "dict_type": "dict",
    "model_type": "dict",
    "model_attributes_type": "dict",
    "path_type": "path",
}
_BOUNDS = {
    "greater_than": ("gt", "{} より大きい値にしてください"),
    "greater_than_equal": ("ge", "{} 以上にしてください"),
    "less_than": ("lt", "{} より小さい値にしてください"),
    "less_than_equal": ("le", "{} 以下にしてください"),
    "string_too_short": ("min_length", "{} 文字以上にしてください"),
    "string_too_long": ("max_length", "{} 文字以内にしてください"),
    "too_short": ("min_length", "{} 個以上にしてください"),
    "too_long": ("max_length", "{} 個以内にしてください"),
    "multiple_of": ("multiple_of", "{} の倍数にしてください"),
}
SEE_REFERENCE = "docs/config-reference.md の説明を確認してください"
UNKNOWN_KEY = "知らない設定キーです (綴りを確認してください。使えるキーは docs/config-reference.md にあります)"


def location(loc: tuple) -> str:
    """``courses[0].id`` for pydantic's ``("courses", 0, "id")``; list positions in brackets, as in YAML paths."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(全体)"


def given(value: Any) -> str:
    """The value the operator wrote, as YAML shows it."""
    if value is None:
        return "空 (値なし)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}…"'
    if isinstance(value, int | float):
        return f"{value}"
    if isinstance(value, dict):
        return "「キー: 値」の辞書"
    if isinstance(value, list | tuple | set):
        return "リスト"
    return type(value).__name__


def _choices(expected: str) -> str:
    """pydantic's ``'onsite' or 'remote'`` (literal_error) as ``onsite、remote``."""
    parts = expected.replace(" or ", ", ").split(", ")
    return "、".join(p.strip().strip("'\"") for p in parts if p.strip())


def explain(error: dict) -> str:
    """One Japanese sentence for one pydantic error: what is wrong, what was given, what to write instead."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "extra_forbidden":
        return UNKNOWN_KEY
    if kind == "missing":
        return "必須の設定がありません。値を書いてください"
    if kind in ("value_error", "assertion_error"):  # the schema's own validators: already Japanese
        return str(ctx.get("error", error.get("msg", ""))).removeprefix("Value error, ")
    if kind in _KIND:
        return f"{_EXPECTED[_KIND[kind]]} を書いてください (書かれている値: {given(value)})"
    if kind in ("literal_error", "enum"):
        return f"次のどれかを書いてください: {_choices(str(ctx.get('expected', '')))} (書かれている値: {given(value)})"
    if kind in _BOUNDS:
        key, sentence = _BOUNDS[kind]
        return sentence.format(ctx.get(key, "?")) + f" (書かれている値: {given(value)})"
    what = "書式" if kind == "string_pattern_mismatch" else "値"
    return f"{what}が正しくありません (書かれている値: {given(value)})。{SEE_REFERENCE}"

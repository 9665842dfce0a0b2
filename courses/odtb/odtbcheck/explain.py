"""Japanese explanations of the errors trainees meet most, shown ABOVE the original error text.

Pure functions: ``explain(exc, namespace, frames_locals)`` returns the lines to show or None. The IPython
hook (``odtbcheck.ipython``) calls it; nothing here imports IPython or pandas.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

HEAD = "💡 よくある原因（日本語の説明）"
RULE = "─" * 30

# Full-width or typographic characters that Python does not accept in code, and their ASCII twins.
LOOKALIKES = {
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "（": "(",
    "）": ")",
    "［": "[",
    "］": "]",
    "｛": "{",
    "｝": "}",
    "＝": "=",
    "，": ",",
    "、": ",",
    "。": ".",
    "．": ".",
    "：": ":",
    "＋": "+",
    "－": "-",
    "＊": "*",
    "／": "/",
    "＜": "<",
    "＞": ">",
    "＃": "#",
    "\u3000": "半角の空白",  # shown as words: both are invisible
}
_INVALID_CHAR = re.compile(r"invalid (?:non-printable )?character (?:'(.)' \()?U\+([0-9A-F]{4,6})")
_NAME = re.compile(r"name '([^']+)' is not defined")
_CALLABLE = re.compile(r"'(method|function|builtin_function_or_method|method-wrapper)' object|'(method|function)' and")
_ENCODING = re.compile(r"'([\w-]+)' codec can't decode")


def _block(lines: Iterable[str]) -> list[str]:
    return [RULE, HEAD, *lines, RULE, "（この下は Python の元のエラー表示です）", ""]


def _similar(word: str, candidates: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(word, [c for c in candidates if isinstance(c, str)], n=3, cutoff=0.6)


def name_error(name: str, defined: Iterable[str]) -> list[str]:
    """NameError: a typo, or the cell that makes the name was not run (e.g. after a kernel restart)."""
    lines = [f"「{name}」という名前（変数や関数）が、まだありません。よくある原因は次の2つです。"]
    near = _similar(name, [d for d in defined if not d.startswith("_")])
    lines.append("1. 書き間違い：大文字・小文字、「_」、全角の文字まで同じ名前にします。")
    if near:
        lines.append(f"   近い名前があります：{'、'.join(near)}")
    lines.append(
        "2. その名前を作るセルをまだ実行していない：カーネルを再起動したあとは、上のセルから順に実行し直します"
        "（メニュー「実行」→「選択したセルより上をすべて実行」）。"
    )
    if name == "pd":
        lines.append("   pd は import pandas as pd のセルを実行すると使えるようになります。")
    if name in {"true", "false", "null", "none"}:
        lines.append(f"   Python では {name} ではなく {name.capitalize()} と書きます。")
    return lines


def key_error(key: Any, columns: list[str] | None) -> list[str] | None:
    """KeyError on a DataFrame column: show the existing column names (and a BOM or spacing difference)."""
    if columns is None:
        return None
    lines = [f"表に「{key}」という列がありません。列名は1文字でも違うと見つかりません。"]
    shown = "、".join(f"「{c}」" for c in columns[:30]) + (" …" if len(columns) > 30 else "")
    lines.append(f"この表の列名：{shown}")
    text = str(key)
    if any(str(c).lstrip("\ufeff") == text for c in columns):
        lines.append(
            "最初の列名の先頭に見えない文字（BOM）がついています。CSV を読むときに "
            'encoding="utf-8-sig" を指定してください。'
        )
    elif any(str(c).strip().replace("\u3000", "") == text.strip().replace("\u3000", "") for c in columns):
        lines.append("空白（全角の空白を含む）の有無が違います。列名の前後や途中の空白を確かめてください。")
    else:
        near = _similar(text, [str(c) for c in columns])
        if near:
            lines.append(f"近い列名：{'、'.join(near)}（コピーして使うと確実です）")
    return lines


def type_error(message: str) -> list[str] | None:
    """TypeError from a method used without ``()`` (e.g. ``df.sum`` instead of ``df.sum()``)."""
    if not _CALLABLE.search(message):
        return None
    return [
        "関数やメソッドを「呼び出さずに」使っているようです。多くは () の付け忘れです。",
        "例：表.sum → 表.sum()、表.head → 表.head()、文字.strip → 文字.strip()",
        "エラーの行で、. のあとの名前に () がついているか確かめてください。",
    ]


def syntax_error(message: str, text: str | None) -> list[str] | None:
    """SyntaxError from a full-width quote, bracket, symbol or space typed with the Japanese IME."""
    m = _INVALID_CHAR.search(message or "")
    if not m:
        return None
    char = m.group(1) or chr(int(m.group(2), 16))
    name = "全角の空白" if char == "\u3000" else f"全角の記号 {char} "
    lines = [f"コードの中に、日本語入力の{name}が入っています。Python の記号は半角で書きます。"]
    if char in LOOKALIKES:
        target = LOOKALIKES[char] if char == "\u3000" else f"半角の {LOOKALIKES[char]} "
        lines.append(f"{name}を{target}に打ち直してください。")
    lines.append(
        "日本語入力をオフ（半角英数）にしてから、記号・かっこ・引用符・空白を打ち直します。"
        '文字列の中（" " の内側）の日本語はそのままで構いません。'
    )
    return lines


def decode_error(encoding: str) -> list[str]:
    """UnicodeDecodeError reading a CSV: Shift_JIS (cp932) vs UTF-8."""
    enc = encoding.lower().replace("_", "-")
    if enc in {"utf-8", "utf8", "utf-8-sig"}:
        return [
            "ファイルの文字コードが UTF-8 ではありません。Excel で保存した日本語の CSV は、"
            "多くが Shift_JIS（cp932）です。",
            '読むときに文字コードを指定してください：pd.read_csv("ファイル名.csv", encoding="cp932")',
        ]
    return [
        f"ファイルを {encoding} として読もうとしましたが、別の文字コードのようです。",
        'UTF-8 のファイルなら encoding="utf-8"、先頭に BOM があるなら encoding="utf-8-sig" を指定してください。',
    ]


def explain(exc: BaseException, defined: Iterable[str] = (), columns: list[str] | None = None) -> list[str] | None:
    """The explanation block for ``exc`` (lines to show above the original error), or None.

    ``defined``: names in the notebook (for typo suggestions); ``columns``: the column names of the
    table a KeyError came from, when it came from one."""
    lines: list[str] | None = None
    if isinstance(exc, UnicodeDecodeError):
        lines = decode_error(exc.encoding)
    elif isinstance(exc, NameError) and not isinstance(exc, UnboundLocalError):
        m = _NAME.search(str(exc))
        lines = name_error(m.group(1), defined) if m else None
    elif isinstance(exc, KeyError):
        lines = key_error(exc.args[0] if exc.args else "", columns)
    elif isinstance(exc, TypeError):
        lines = type_error(str(exc))
    elif isinstance(exc, SyntaxError):
        lines = syntax_error(exc.msg, exc.text)
    return _block(lines) if lines else None

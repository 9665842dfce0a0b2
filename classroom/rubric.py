"""The workshop's rubric (ルーブリック, ``courses/workshop/rubric.yaml``): loaded, validated, and applied to a grading
form (pure apart from reading the file).

A broken file raises ``RubricError`` whose message is the Japanese sentence an instructor or operator reads: what is
wrong, where, and how to fix it. A grading form (levels chosen per item, comments) is checked against the rubric;
every problem is collected (``GradeError``) so nothing is saved until all are fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from classroom.store import ItemGrade

MAX_COMMENT = 1000  # one item's comment, a reflection's comment
MAX_OVERALL = 2000  # the overall comment on a deliverable
ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FIX = "courses/workshop/rubric.yaml を直してから ./testbed up をやり直してください。"


class RubricError(ValueError):
    """The rubric file cannot be used; the message says what to fix (Japanese)."""


class GradeError(ValueError):
    """A grading form the instructor must fix; ``problems`` are the Japanese sentences to show."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Level:
    points: float
    label: str
    descriptor: str

    @property
    def key(self) -> str:
        """The value a form sends for this level (its points, unique within an item)."""
        return f"{self.points:g}"


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    looks_at: str
    levels: tuple[Level, ...]  # best first

    @property
    def max_points(self) -> float:
        return max(level.points for level in self.levels)

    def level(self, key: str) -> Level | None:
        return next((lv for lv in self.levels if lv.key == key), None)


@dataclass(frozen=True)
class Scale:
    """The reflection's single scale."""

    title: str
    prompt: str
    levels: tuple[Level, ...]

    @property
    def max_points(self) -> float:
        return max(level.points for level in self.levels)

    def level(self, key: str) -> Level | None:
        return next((lv for lv in self.levels if lv.key == key), None)


@dataclass(frozen=True)
class Rubric:
    title: str
    items: tuple[Item, ...]
    reflection: Scale

    @property
    def max_points(self) -> float:
        return sum(item.max_points for item in self.items)


# loading -------------------------------------------------------------------------------------------------------------


def _text(value, where: str, key: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise RubricError(f"{where}に {key} がありません (空でない文字列を書いてください)。{FIX}")
    return value.strip()


def _keys(data: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise RubricError(
            f"{where}に知らない項目 {', '.join(unknown)} があります (書けるのは {', '.join(sorted(allowed))})。"
            f"つづりを確かめてください。{FIX}"
        )


def _levels(raw, where: str) -> tuple[Level, ...]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= 6:
        raise RubricError(f"{where}の levels は 2 ～ 6 個の水準のリストにしてください。{FIX}")
    levels = []
    for i, lv in enumerate(raw, 1):
        at = f"{where}の水準 {i} "
        if not isinstance(lv, dict):
            raise RubricError(f"{at}は points・label・descriptor を持つ形で書いてください。{FIX}")
        _keys(lv, {"points", "label", "descriptor"}, at)
        points = lv.get("points")
        if isinstance(points, bool) or not isinstance(points, int | float) or points < 0 or points > 1000:
            raise RubricError(f"{at}の points は 0 以上の数にしてください (いまは {points!r})。{FIX}")
        levels.append(
            Level(float(points), _text(lv.get("label"), at, "label"), _text(lv.get("descriptor"), at, "descriptor"))
        )
    keys = [lv.key for lv in levels]
    if len(set(keys)) != len(keys):
        raise RubricError(f"{where}に同じ points の水準が 2 つあります。水準ごとに違う点数にしてください。{FIX}")
    if len({lv.label for lv in levels}) != len(levels):
        raise RubricError(f"{where}に同じ label の水準が 2 つあります。水準ごとに違う名前にしてください。{FIX}")
    if keys != [f"{p:g}" for p in sorted((lv.points for lv in levels), reverse=True)]:
        raise RubricError(f"{where}の水準は点数の高い順に並べてください。{FIX}")
    return tuple(levels)


def parse(text: str, name: str = "rubric.yaml") -> Rubric:
    """A rubric from the YAML text of ``name`` (named in messages); RubricError when it cannot be used."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" {mark.line + 1} 行目" if mark is not None else ""
        raise RubricError(
            f"{name}{line}が YAML として読めません ({getattr(e, 'problem', None) or e})。"
            f"字下げ (スペース) と「:」のあとの空白を確かめてください。{FIX}"
        ) from None
    if not isinstance(data, dict):
        raise RubricError(f"{name} に deliverable と reflection がありません。{FIX}")
    _keys(data, {"deliverable", "reflection"}, name)
    deliverable, reflection = data.get("deliverable"), data.get("reflection")
    if not isinstance(deliverable, dict):
        raise RubricError(f"{name} に deliverable (班の成果物の評価項目) がありません。{FIX}")
    if not isinstance(reflection, dict):
        raise RubricError(f"{name} に reflection (振り返りの評価) がありません。{FIX}")
    _keys(deliverable, {"title", "items"}, "deliverable ")
    raw_items = deliverable.get("items")
    if not isinstance(raw_items, list) or not 1 <= len(raw_items) <= 20:
        raise RubricError(f"deliverable の items は 1 ～ 20 個の評価項目のリストにしてください。{FIX}")
    items = []
    for i, raw in enumerate(raw_items, 1):
        where = f"評価項目 {i} "
        if not isinstance(raw, dict):
            raise RubricError(f"{where}は id・name・levels を持つ形で書いてください。{FIX}")
        _keys(raw, {"id", "name", "looks_at", "levels"}, where)
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not ID.match(item_id):
            raise RubricError(
                f"{where}の id ({item_id!r}) は英小文字で始まる半角英数字と _ (40 文字まで) にしてください。{FIX}"
            )
        name_ = _text(raw.get("name"), where, "name")
        where = f"評価項目「{name_}」"
        items.append(Item(item_id, name_, _text(raw.get("looks_at"), where, "looks_at", required=False),
                          _levels(raw.get("levels"), where)))  # fmt: skip
    for attr, word in (("id", "id"), ("name", "name")):
        seen = [getattr(it, attr) for it in items]
        dup = next((v for v in seen if seen.count(v) > 1), None)
        if dup is not None:
            raise RubricError(
                f"評価項目の {word}「{dup}」が 2 回出てきます。項目ごとに違う {word} にしてください。{FIX}"
            )
    _keys(reflection, {"title", "prompt", "levels"}, "reflection ")
    scale = Scale(
        _text(reflection.get("title"), "reflection ", "title", required=False) or "振り返り",
        _text(reflection.get("prompt"), "reflection ", "prompt", required=False),
        _levels(reflection.get("levels"), "振り返りの評価"),
    )
    title = _text(deliverable.get("title"), "deliverable ", "title", required=False) or "班の成果物"
    return Rubric(title, tuple(items), scale)


def load(path: Path) -> Rubric:
    """The rubric in ``path``; RubricError (Japanese, naming the file) when it is missing or broken."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RubricError(
            f"ルーブリックのファイル {path} がありません。"
            "./testbed up を実行すると courses/workshop/rubric.yaml から置かれます。"
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise RubricError(f"ルーブリックのファイル {path} が読めません ({e})。{FIX}") from None
    return parse(text, Path(path).name)


class Cached:
    """The rubric file, read again only when it changed (the console reads it on every page)."""

    def __init__(self, path: Path | None):
        self.path = path
        self._hit: tuple[tuple, Rubric] | None = None

    def get(self) -> Rubric:
        if self.path is None:
            raise RubricError(
                "この研修コンソールにはルーブリックが設定されていません (--rubric)。./testbed up をやり直してください。"
            )
        try:
            st = Path(self.path).stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp is not None and self._hit and self._hit[0] == stamp:
            return self._hit[1]
        rubric = load(self.path)
        if stamp is not None:
            self._hit = (stamp, rubric)
        return rubric


# grading -------------------------------------------------------------------------------------------------------------


def _comment(text: str, limit: int, what: str, problems: list[str]) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        problems.append(f"{what}が長すぎます ({len(text)} 文字。{limit} 文字まで)。短くしてください。")
    return text


def grade(
    rubric: Rubric, levels: dict[str, str], comments: dict[str, str], overall: str
) -> tuple[list[ItemGrade], str]:
    """The graded items (in the rubric's order) and the overall comment from a form: ``levels`` item id -> the chosen
    level's key, ``comments`` item id -> text. GradeError listing every problem (nothing is half-saved)."""
    problems: list[str] = []
    chosen = []
    for item in rubric.items:
        key = (levels.get(item.id) or "").strip()
        comment = _comment(comments.get(item.id, ""), MAX_COMMENT, f"「{item.name}」のコメント", problems)
        if not key:
            problems.append(f"「{item.name}」の水準を選んでください。")
            continue
        level = item.level(key)
        if level is None:
            problems.append(f"「{item.name}」に「{key}」という水準はありません。ルーブリックの水準から選んでください。")
            continue
        chosen.append(
            ItemGrade(item.id, item.name, level.points, item.max_points, level.label, level.descriptor, comment)
        )
    overall = _comment(overall, MAX_OVERALL, "全体へのコメント", problems)
    if problems:
        raise GradeError(problems)
    return chosen, overall


def score(chosen: list[ItemGrade]) -> tuple[float, float]:
    """(score, maximum) of graded items: the chosen levels' points, and each item's best level."""
    return round(sum(c.points for c in chosen), 2), round(sum(c.max_points for c in chosen), 2)


def grade_reflection(scale: Scale, key: str, comment: str) -> tuple[Level, str]:
    """The reflection's level and comment from a form; GradeError listing every problem."""
    problems: list[str] = []
    comment = _comment(comment, MAX_COMMENT, "振り返りへのコメント", problems)
    key = (key or "").strip()
    level = scale.level(key) if key else None
    if not key:
        problems.append("振り返りの水準を選んでください。")
    elif level is None:
        problems.append(f"振り返りに「{key}」という水準はありません。ルーブリックの水準から選んでください。")
    if problems:
        raise GradeError(problems)
    return level, comment

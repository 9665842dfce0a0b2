"""Grade-book export for training records (研修記録): one row per trainee on the course's roster, UTF-8 CSV with
BOM (opens in Excel with Japanese intact) or xlsx (pure, apart from writing the file).

Columns: the hub user (研修生), 氏名, 所属, 期; one column per assignment of the course (the points when final,
``7 (手採点待ち)`` while the instructor has not graded every answer, 未採点 or 未提出); 合計 and 満点; 完了 by the
course's completion rule (``classroom/completion.py``: every assignment passed, nothing waiting for manual
grading) with its date (修了日, Japan time); and 備考, saying why a trainee has not completed and which
submissions came after their deadline (``classroom/deadlines.py``). Between the assignments and 合計, the workshop:
班, the team's deliverable (班の成果物: the score of its latest rubric grade, the same for every member) and the
member's own reflection (振り返り), each a number once graded, else 未採点 or 未提出 (empty without a team); they
are not part of 合計 or 完了. Accounts that are not on the roster get no
row; roster trainees without any submission get a row of 未提出.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from classroom import completion, stamps
from classroom import deadlines as rules
from classroom.sources import Score

FIRST = ["研修生", "氏名", "所属", "期"]
TEAM_COLUMNS = ["班", "班の成果物", "振り返り"]
LAST = ["合計", "満点", "完了", "修了日", "備考"]
MANUAL_PENDING = "手採点待ち"
NOT_SUBMITTED = "未提出"
NOT_GRADED = "未採点"


@dataclass(frozen=True)
class Trainee:
    """A roster member of the course (hub user name, 氏名, 所属, 期)."""

    username: str
    fullname: str = ""
    dept: str = ""
    cohort: str = ""
    team: str = ""  # 班


@dataclass(frozen=True)
class Teamwork:
    """The workshop's grades as the export shows them (``classroom/store.read_scores``)."""

    team_scores: Mapping[str, float] = field(default_factory=dict)  # 班 -> its latest rubric score
    submitted_teams: frozenset[str] = frozenset()  # 班 that submitted a deliverable
    reflection_scores: Mapping[str, float] = field(default_factory=dict)  # hub user -> reflection points
    reflections: frozenset[str] = frozenset()  # hub users who submitted a reflection


def header(assignments: Sequence[str]) -> list[str]:
    return [*FIRST, *assignments, *TEAM_COLUMNS, *LAST]


def _teamwork_cells(t: Trainee, work: Teamwork) -> list[float | str]:
    if t.team in work.team_scores:
        team = work.team_scores[t.team]
    elif t.team:
        team = NOT_GRADED if t.team in work.submitted_teams else NOT_SUBMITTED
    else:
        team = ""
    if t.username in work.reflection_scores:
        mine = work.reflection_scores[t.username]
    elif t.username in work.reflections:
        mine = NOT_GRADED
    else:
        mine = NOT_SUBMITTED if t.team else ""
    return [t.team, team, mine]


def _cell(score: Score | None, submitted: bool) -> float | str:
    if score is None:
        return NOT_GRADED if submitted else NOT_SUBMITTED
    if score.needs_manual:
        return f"{score.score:g} ({MANUAL_PENDING})"
    return score.score


def _why(p: completion.Pending) -> str:
    if p.reason == completion.NOT_SUBMITTED:
        return f"{p.assignment}: {NOT_SUBMITTED}"
    if p.reason == completion.NOT_GRADED:
        return f"{p.assignment}: {NOT_GRADED}"
    if p.reason == completion.NEEDS_MANUAL:
        return f"{p.assignment}: {MANUAL_PENDING}"
    if p.reason == completion.BELOW_PASS:
        return f"{p.assignment}: {p.score:g} / {p.max_score:g} 点 (合格は {p.needed:g} 点以上)"
    return f"{p.assignment}: 提出日時が不明"


def table(
    trainees: Sequence[Trainee],
    assignments: Sequence[str],
    scores: Mapping[tuple[str, str], Score],
    submitted: Mapping[tuple[str, str], str],
    *,
    pass_ratio: float,
    deadlines: Mapping[tuple[str, str], datetime] | None = None,
    teamwork: Teamwork | None = None,
) -> list[list]:
    """One row per trainee, in ``header(assignments)`` order. ``scores`` (graded submissions) and ``submitted``
    (latest submission timestamp, as nbgrader wrote it) are keyed by (hub user, assignment); ``teamwork``: the
    workshop's team and reflection grades."""
    deadlines = deadlines or {}
    teamwork = teamwork or Teamwork()
    maximum = {}
    for (_, a), s in scores.items():
        maximum[a] = max(maximum.get(a, 0.0), s.max_score)
    rows = []
    for t in trainees:
        mine = {a: scores[(t.username, a)] for a in assignments if (t.username, a) in scores}
        sent = {a for a in assignments if (t.username, a) in submitted}
        result = completion.evaluate(assignments, mine, sent, pass_ratio)
        notes = [_why(p) for p in result.pending]
        for a in assignments:
            due = rules.applicable(deadlines, a, t.cohort)
            at = stamps.parse(submitted.get((t.username, a)))
            if due is not None and at is not None and rules.is_late(due, at):
                notes.append(f"{a}: 期限後の提出 ({rules.japanese(at)}、締切 {rules.japanese(due)})")
        total = round(sum(s.score for s in mine.values()), 2)
        full = round(sum(maximum.get(a, 0.0) for a in assignments), 2)
        rows.append(
            [
                t.username,
                t.fullname,
                t.dept,
                t.cohort,
                *(_cell(mine.get(a), a in sent) for a in assignments),
                *_teamwork_cells(t, teamwork),
                total,
                full,
                "済" if result.completed else "未",
                result.completed_on.isoformat() if result.completed_on else "",
                "、".join(notes),
            ]
        )
    return rows


def write(path: Path, head: list[str], data: list[list], fmt: str) -> None:
    """``head`` and ``data`` as CSV (UTF-8 with BOM, for Excel) or xlsx."""
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(head)
            w.writerows(data)
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "成績"
        ws.append(head)
        for row in data:
            ws.append(row)
        wb.save(path)

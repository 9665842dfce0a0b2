"""Read-only facts about one course: its assignments (the course's nbgrader ``source/``), released assignments,
fetch and self-check marks and submissions (nbgrader exchange), scores (the course gradebook), and trainees'
names, cohorts (期) and the deadlines (締切) set for them (a roster export). Missing sources yield empty facts.

nbgrader names students by their Unix account (``<unix_user_prefix><hub name>``); facts use hub names."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from classroom import deadlines, marks, stamps


@dataclass(frozen=True)
class Score:
    score: float
    max_score: float
    needs_manual: bool  # some answers still wait for the instructor
    submitted_at: str | None = None  # the graded submission's timestamp, as nbgrader stores it (UTC, naive)


@dataclass
class Facts:
    required: list[str] = field(default_factory=list)  # the course's assignments: folders of its source/
    released: list[str] = field(default_factory=list)
    fetched: set[tuple[str, str]] = field(default_factory=set)  # (user, assignment)
    selfchecked: set[tuple[str, str]] = field(default_factory=set)  # (user, assignment): a self-check passed
    # (user, assignment) -> {question: {attempts, failures, hints, solutions}} (marks.read_tries)
    tries: dict[tuple[str, str], dict[str, dict[str, int]]] = field(default_factory=dict)
    submitted: dict[tuple[str, str], str] = field(default_factory=dict)  # (user, assignment) -> latest timestamp
    scores: dict[tuple[str, str], Score] = field(default_factory=dict)
    graded_assignments: list[str] = field(default_factory=list)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # user -> (氏名, 所属)
    cohorts: dict[str, str] = field(default_factory=dict)  # user -> 期 (absent: none)
    teams: dict[str, str] = field(default_factory=dict)  # user -> 班 (absent: none)
    deadlines: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (assignment, 期 or "") -> due


def course_assignments(source_dir: Path) -> list[str]:
    """The course's assignments: folders of its nbgrader ``source/`` holding at least one notebook."""
    try:
        folders = [p for p in source_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]
        return sorted(p.name for p in folders if any(p.glob("*.ipynb")))
    except OSError:
        return []


def _heading(cell: dict) -> str:
    for line in "".join(cell.get("source", "")).splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return ""


def assignment_title(folder: Path) -> str:
    """The first heading of the assignment's graded notebook (e.g. 「課題1 …」), else of its first notebook."""
    first = ""
    for nb_path in sorted(folder.glob("*.ipynb")):
        try:
            cells = json.loads(nb_path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        heading = next((h for c in cells if c.get("cell_type") == "markdown" and (h := _heading(c))), "")
        if any((c.get("metadata", {}).get("nbgrader") or {}).get("grade") for c in cells):
            return heading
        first = first or heading
    return first


def released_assignments(course_exchange: Path) -> list[str]:
    outbound = course_exchange / "outbound"
    try:
        return sorted(p.name for p in outbound.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def parse_submission(name: str) -> tuple[str, str, str] | None:
    """``user+assignment+timestamp[+random]`` (nbgrader's inbound folder name) -> its parts, else None."""
    parts = name.split("+")
    if len(parts) not in (3, 4) or not all(parts[:3]):
        return None
    return parts[0], parts[1], parts[2]


def submissions(course_exchange: Path) -> dict[tuple[str, str], str]:
    """Latest submission timestamp per (user, assignment); the inbound folder is listable by its owner only."""
    latest: dict[tuple[str, str], str] = {}
    try:
        entries = list((course_exchange / "inbound").iterdir())
    except OSError:
        return latest
    for entry in entries:
        parsed = parse_submission(entry.name)
        if parsed:
            user, assignment, ts = parsed
            before = latest.get((user, assignment))
            if before is None or stamps.later(ts, before):  # by instant, whatever the zone
                latest[(user, assignment)] = ts
    return latest


_SCORES = """
SELECT sa.student_id, a.name,
       SUM(COALESCE(g.manual_score, g.auto_score, 0) + COALESCE(g.extra_credit, 0)),
       SUM(COALESCE(gc.max_score, 0)),
       SUM(CASE WHEN g.auto_score IS NULL AND g.manual_score IS NULL THEN 0 ELSE 1 END),
       MAX(CASE WHEN g.needs_manual_grade AND g.manual_score IS NULL THEN 1 ELSE 0 END),
       MAX(sa.timestamp)
FROM grade g
JOIN grade_cells gc ON gc.id = g.cell_id
JOIN submitted_notebook sn ON sn.id = g.notebook_id
JOIN submitted_assignment sa ON sa.id = sn.assignment_id
JOIN assignment a ON a.id = sa.assignment_id
GROUP BY sa.student_id, a.name
"""


def gradebook(path: Path) -> tuple[list[str], dict[tuple[str, str], Score]]:
    """Assignment names and the scores of graded submissions, read without ever writing the file."""
    if not path.exists():
        return [], {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return [], {}
    try:
        names = [row[0] for row in conn.execute("SELECT name FROM assignment ORDER BY name")]
        scores = {
            (user, assignment): Score(round(total, 2), round(maximum, 2), bool(pending), timestamp)
            for user, assignment, total, maximum, graded, pending, timestamp in conn.execute(_SCORES)
            if graded
        }
        return names, scores
    except sqlite3.Error:  # a gradebook nbgrader has not created its tables in yet
        return [], {}
    finally:
        conn.close()


@dataclass
class Roster:
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    cohorts: dict[str, str] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)
    deadlines: dict[tuple[str, str], datetime] = field(default_factory=dict)


def roster(path: Path) -> Roster:
    """Names, cohorts, teams (班) and deadlines from the roster export written by ``./testbed``
    (``testbed_cli/progress.py``): ``{"members": [...], "deadlines": [...]}``, or the older plain list of members.
    Unreadable parts are left out."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Roster()
    members = data if isinstance(data, list) else data.get("members", []) if isinstance(data, dict) else []
    out = Roster()
    for m in members:
        if isinstance(m, dict) and m.get("username"):
            out.names[m["username"]] = (m.get("fullname", ""), m.get("dept", ""))
            if m.get("cohort"):
                out.cohorts[m["username"]] = m["cohort"]
            if isinstance(m.get("team"), str) and m["team"]:
                out.teams[m["username"]] = m["team"]
    for d in data.get("deadlines", []) if isinstance(data, dict) else []:
        due = deadlines.from_iso(d.get("due")) if isinstance(d, dict) else None
        if due is not None and d.get("assignment"):
            out.deadlines[(d["assignment"], d.get("cohort") or deadlines.EVERYONE)] = due
    return out


def roster_names(path: Path) -> dict[str, tuple[str, str]]:
    """user -> (氏名, 所属) from the roster export."""
    return roster(path).names


def hub_name(student: str, unix_prefix: str) -> str:
    """The hub user behind an nbgrader student id (its Unix account name)."""
    return student[len(unix_prefix) :] if unix_prefix and student.startswith(unix_prefix) else student


def collect(
    course_exchange: Path,
    gradebook_path: Path,
    roster_path: Path,
    unix_prefix: str = "",
    source_dir: Path | None = None,
) -> Facts:
    graded, scores = gradebook(gradebook_path)
    members = roster(roster_path)
    left = marks.read_all(course_exchange)

    def rekey(d):
        return {(hub_name(u, unix_prefix), a): v for (u, a), v in d.items()}

    return Facts(
        required=course_assignments(source_dir) if source_dir else [],
        released=released_assignments(course_exchange),
        fetched={(hub_name(u, unix_prefix), a) for u, a in left.get(marks.FETCHED, ())},
        selfchecked={(hub_name(u, unix_prefix), a) for u, a in left.get(marks.SELFCHECKED, ())},
        tries=rekey(marks.tries_from(left)),
        submitted=rekey(submissions(course_exchange)),
        scores=rekey(scores),
        graded_assignments=graded,
        names=members.names,
        cohorts=members.cohorts,
        teams=members.teams,
        deadlines=members.deadlines,
    )

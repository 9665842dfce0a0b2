"""Deadlines (締切) behind `./testbed cohort deadline set|clear|list`: per assignment of a course, for one cohort (期)
or for everyone without a cohort-specific one (cohort ""). Stored in the roster database (table ``deadlines`` of
``cohort_roster.py``, due time as ISO 8601 in Japan time) and handed to the progress board with the roster export
(``testbed_cli/progress.py``), since the board runs as the grader account and cannot read the hub's state.
The rules (parsing, which deadline applies, lateness) are in ``classroom/deadlines.py``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from classroom import deadlines as rules
from testbed_cli import cohort_roster, progress
from testbed_cli.cohort_roster import Deadline
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config import names


def _db(layout: Layout) -> Path:
    return layout.hub_dir / names.ROSTER_DB


def _course(layout: Layout, course: str | None) -> str:
    ids = [c.id for c in layout.cfg.courses]
    course = course or ids[0]
    if course not in ids:
        raise SetupError(f"コース {course!r} はありません。--course で次のどれかを指定してください: {', '.join(ids)}")
    return course


def check_assignment(layout: Layout, course: str, assignment: str) -> None:
    """SetupError (Japanese) unless ``assignment`` is one of the course's assignments (its source folders)."""
    from grader.courses import list_courses

    names = [a["name"] for c in list_courses(layout) if c["course"] == course for a in c["assignments"]]
    if assignment in names:
        return
    if not names:
        raise SetupError(
            f"コース {course} にはまだ課題がありません。./testbed up で教材を入れてから、締切を設定してください。"
        )
    raise SetupError(
        f"課題 {assignment!r} はコース {course} にありません。次のどれかを指定してください: {', '.join(names)}"
        " (一覧は ./testbed course list)"
    )


def cohort_name(text: str | None) -> str:
    """A cohort as typed (full-width digits and all) in its one stored spelling; SetupError when unusable."""
    cohort = rules.normalize_cohort(text or "")
    bad = rules.cohort_problem(cohort)
    if bad:
        raise SetupError(bad)
    return cohort


def set_deadline(
    layout: Layout,
    assignment: str,
    day: str,
    at: str | None = None,
    *,
    cohort: str | None = None,
    course: str | None = None,
    now: datetime | None = None,
) -> tuple[Deadline, list[str]]:
    """Set (or move) a deadline; returns it and warnings for the instructor (Japanese). Re-exports the rosters."""
    course = _course(layout, course)
    check_assignment(layout, course, assignment)
    cohort = cohort_name(cohort)
    try:
        due = rules.parse(day, at)
    except rules.DeadlineError as e:
        raise SetupError(str(e)) from None
    now = now or datetime.now(rules.JST)
    warnings = []
    if rules.is_late(due, now):
        warnings.append(f"この締切 ({rules.japanese(due)}) はもう過ぎています。日付が正しいか確かめてください。")
    known = cohort_roster.cohorts(_db(layout), course)
    if cohort and cohort not in known:
        listed = "、".join(known) if known else "なし"
        warnings.append(
            f"期「{cohort}」の研修生は名簿にまだいません (名簿にある期: {listed})。綴りを確かめてください。"
        )
    d = Deadline(course, assignment, cohort, rules.to_iso(due), now.isoformat(timespec="seconds"))
    cohort_roster.save_deadline(_db(layout), d)
    progress.export_rosters(layout)
    return d, warnings


def clear_deadline(layout: Layout, assignment: str, *, cohort: str | None = None, course: str | None = None) -> None:
    """Remove the deadline of ``assignment`` for ``cohort`` (default: the one for everyone). Re-exports the rosters."""
    course = _course(layout, course)
    cohort = cohort_name(cohort)
    if cohort_roster.delete_deadline(_db(layout), course, assignment, cohort) == 0:
        who = f"期「{cohort}」" if cohort else "全員向け"
        existing = [d for d in cohort_roster.load_deadlines(_db(layout), course) if d.assignment == assignment]
        hint = (
            "この課題の締切: " + "、".join(f"期「{d.cohort}」" if d.cohort else "全員" for d in existing)
            if existing
            else "この課題には締切がありません"
        )
        raise SetupError(
            f"コース {course} の課題 {assignment} には、{who}の締切はありません ({hint})。"
            "./testbed cohort deadline list で確かめてください。"
        )
    progress.export_rosters(layout)


def list_deadlines(layout: Layout, course: str | None = None) -> list[Deadline]:
    return cohort_roster.load_deadlines(_db(layout), course)

"""The board itself, from facts: one row per trainee, one cell per assignment, and whether the trainee
has completed the course (pure, unit-tested)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from hub_config.progress import completion
from hub_config.progress.sources import Facts

UNSUPPORTED = "未対応"  # nbgrader's validation leaves no trace the board may read

COLUMNS = {
    "fetched": "取得",
    "validated": "自己チェック",
    "submitted": "提出",
    "scored": "採点",
}


@dataclass(frozen=True)
class Cell:
    fetched: bool  # a fetch mark (see marks.py), or implied by a submission
    validated: bool | None  # None: not known to the board (see UNSUPPORTED)
    submitted: bool
    submitted_at: str | None
    scored: bool
    score: float | None
    max_score: float | None
    needs_manual: bool


def assignments(facts: Facts) -> list[str]:
    """Released ones first (in order), then any known only from submissions or the gradebook."""
    seen = list(facts.released)
    keyed = [*facts.submitted, *facts.fetched, *facts.scores]
    extra = {a for _, a in keyed} | set(facts.graded_assignments)
    return seen + sorted(extra - set(seen))


def cell(facts: Facts, user: str, assignment: str) -> Cell:
    ts = facts.submitted.get((user, assignment))
    score = facts.scores.get((user, assignment))
    return Cell(
        fetched=(user, assignment) in facts.fetched or ts is not None or score is not None,
        validated=None,
        submitted=ts is not None or score is not None,
        submitted_at=ts,
        scored=score is not None,
        score=score.score if score else None,
        max_score=score.max_score if score else None,
        needs_manual=score.needs_manual if score else False,
    )


def completion_of(facts: Facts, user: str, course: str, rule: completion.Rule) -> dict:
    """A trainee's completion as the board shows it: date and certificate number, or what is left."""
    scores = {a: facts.scores[(user, a)] for a in facts.required if (user, a) in facts.scores}
    submitted = {a for a in facts.required if (user, a) in facts.submitted}
    done = completion.evaluate(facts.required, scores, submitted, rule.pass_ratio)
    on = done.completed_on
    return {
        "completed": done.completed,
        "completed_on": on.isoformat() if on else None,
        "certificate_number": completion.certificate_number(rule.key, course, user, on) if on else None,
        "pending": [asdict(p) for p in done.pending],
    }


def build(facts: Facts, cohort: list[str], course: str, rule: completion.Rule) -> dict:
    """The whole board: cohort members plus anyone who submitted (e.g. removed from the group later)."""
    names = assignments(facts)
    users = sorted(set(cohort) | {u for u, _ in facts.submitted} | {u for u, _ in facts.scores})
    rows = []
    for user in users:
        fullname, dept = facts.names.get(user, ("", ""))
        rows.append(
            {
                "username": user,
                "fullname": fullname,
                "dept": dept,
                "assignments": {a: asdict(cell(facts, user, a)) for a in names},
                "submitted_count": sum(1 for a in names if (user, a) in facts.submitted),
                "completion": completion_of(facts, user, course, rule),
            }
        )
    return {
        "course": course,
        "assignments": names,
        "required": list(facts.required),
        "pass_ratio": rule.pass_ratio,
        "columns": COLUMNS,
        "unsupported": {"validated": UNSUPPORTED},
        "trainees": rows,
    }


def visible_to(board: dict, viewer: str, *, instructor: bool) -> dict:
    """Instructors see everyone; anyone else only their own row (possibly none)."""
    if instructor:
        return {**board, "viewer": viewer, "instructor": True}
    rows = [r for r in board["trainees"] if r["username"] == viewer]
    return {**board, "trainees": rows, "viewer": viewer, "instructor": False}

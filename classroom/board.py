"""The board itself, from facts: one row per trainee, one cell per assignment (with the deadline that applies to
the trainee), their deadlines, and whether they have completed the course (pure, unit-tested)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from classroom import completion, deadlines, stamps
from classroom.sources import Facts

COLUMNS = {
    "fetched": "取得",
    "validated": "自己チェック",
    "submitted": "提出",
    "scored": "採点",
}


@dataclass(frozen=True)
class Cell:
    fetched: bool  # a fetch mark (see marks.py), or implied by a submission
    validated: bool  # a self-check mark: a check of the assignment passed in the trainee's kernel (selfcheck.py)
    submitted: bool
    submitted_at: str | None
    scored: bool
    score: float | None
    max_score: float | None
    needs_manual: bool
    deadline: str | None = None  # the deadline that applies to the trainee (ISO 8601, Japan time)
    deadline_state: str | None = None  # deadlines.OPEN, ON_TIME, LATE (期限後) or OVERDUE (期限切れ)
    graded_at: str | None = None  # the graded submission's gradebook timestamp (naive UTC, as nbgrader stores it)
    # the course package's self-checks of this assignment (odtbcheck): checks run, failed, hints asked, model
    # answers shown, over all its questions; None when it has recorded none
    selfcheck_attempts: int | None = None
    selfcheck_failures: int | None = None
    hints_used: int | None = None
    solutions_shown: int | None = None


def assignments(facts: Facts) -> list[str]:
    """Released ones first (in order), then any known only from submissions or the gradebook."""
    seen = list(facts.released)
    keyed = [*facts.submitted, *facts.fetched, *facts.scores]
    extra = {a for _, a in keyed} | set(facts.graded_assignments)
    return seen + sorted(extra - set(seen))


def submission_time(facts: Facts, user: str, assignment: str) -> datetime | None:
    """When the latest submission was made: its inbound folder's name, else the graded one's gradebook time."""
    ts = facts.submitted.get((user, assignment))
    if ts is not None:
        return stamps.parse(ts)
    score = facts.scores.get((user, assignment))
    return completion.parse_gradebook_time(score.submitted_at) if score else None


def cell(facts: Facts, user: str, assignment: str, now: datetime) -> Cell:
    ts = facts.submitted.get((user, assignment))
    score = facts.scores.get((user, assignment))
    submitted = ts is not None or score is not None
    due = deadlines.applicable(facts.deadlines, assignment, facts.cohorts.get(user, ""))
    return Cell(
        fetched=(user, assignment) in facts.fetched or submitted,
        validated=(user, assignment) in facts.selfchecked,
        submitted=submitted,
        submitted_at=ts,
        scored=score is not None,
        score=score.score if score else None,
        max_score=score.max_score if score else None,
        needs_manual=score.needs_manual if score else False,
        deadline=deadlines.to_iso(due) if due else None,
        deadline_state=deadlines.state(
            due, submitted, submission_time(facts, user, assignment) if submitted else None, now
        ),
        graded_at=score.submitted_at if score else None,
        **_tries(facts.tries.get((user, assignment))),
    )


def _tries(questions: dict[str, dict[str, int]] | None) -> dict[str, int]:
    if not questions:
        return {}

    def total(key: str) -> int:
        return sum(q.get(key, 0) for q in questions.values())

    return {
        "selfcheck_attempts": total("attempts"),
        "selfcheck_failures": total("failures"),
        "hints_used": total("hints"),
        "solutions_shown": total("solutions"),
    }


def deadlines_of(facts: Facts, user: str, now: datetime) -> list[dict]:
    """Every deadline that applies to a trainee (released or not yet), soonest first, with where they stand."""
    out = []
    for assignment in sorted({a for a, _ in facts.deadlines}):
        due = deadlines.applicable(facts.deadlines, assignment, facts.cohorts.get(user, ""))
        if due is None:
            continue
        submitted = (user, assignment) in facts.submitted or (user, assignment) in facts.scores
        at = submission_time(facts, user, assignment) if submitted else None
        out.append(
            {
                "assignment": assignment,
                "due": deadlines.to_iso(due),
                "state": deadlines.state(due, submitted, at, now),
                "upcoming": not deadlines.is_late(due, now),
            }
        )
    return sorted(out, key=lambda d: (d["due"], d["assignment"]))


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


def build(facts: Facts, cohort: list[str], course: str, rule: completion.Rule, now: datetime | None = None) -> dict:
    """The whole board: cohort members plus anyone who submitted (e.g. removed from the group later); deadlines are
    judged at ``now`` (default: the current time)."""
    now = now or datetime.now(deadlines.JST)
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
                "cohort": facts.cohorts.get(user, ""),
                "team": facts.teams.get(user, ""),
                "assignments": {a: dict(vars(cell(facts, user, a, now))) for a in names},  # flat: asdict is slow
                "deadlines": deadlines_of(facts, user, now),
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
        "trainees": rows,
    }


def visible_to(board: dict, viewer: str, *, instructor: bool) -> dict:
    """Instructors see everyone; anyone else only their own row (possibly none)."""
    if instructor:
        return {**board, "viewer": viewer, "instructor": True}
    rows = [r for r in board["trainees"] if r["username"] == viewer]
    return {**board, "trainees": rows, "viewer": viewer, "instructor": False}

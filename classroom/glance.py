"""The console's board at a glance (pure, unit-tested): one state per cell (合格 / 不合格 / 期限後 / 未提出 /
講師の採点待ち / 採点前 / まだ), a summary per trainee, the 期, 所属 and 班 filters, and the "most behind" order.

Works on the rows of ``board.build`` (already filtered for the viewer by ``board.visible_to``); labels for
people live in ``console_page.py``. Submission times are read whatever zone nbgrader wrote them in
(``stamps.py``) and shown in Japan time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from classroom import completion, deadlines, stamps

# a cell's state, worst first where it matters for the eye
MISSING = "missing"  # past the deadline, nothing submitted (期限切れ)
FAIL = "fail"  # graded, below the pass mark
MANUAL = "manual"  # graded, some answers wait for the instructor
LATE = "late"  # submitted after the deadline, not graded yet
WAITING = "waiting"  # submitted, not graded yet
PASS = "pass"
TODO = "todo"  # not submitted, no deadline passed (fetched / self-checked / not started)

SORTS = ("behind", "name")  # "most behind" first (the default), or by name


def when(cell: dict) -> datetime | None:
    """When the cell's latest submission was made (Japan time): its inbound name, else the gradebook's time."""
    at = stamps.parse(cell.get("submitted_at"))
    if at is None and cell.get("graded_at"):
        at = completion.parse_gradebook_time(cell["graded_at"])
    return at.astimezone(deadlines.JST) if at else None


def short_time(at: datetime | None) -> str:
    """``12/6 18:47`` in Japan time, or "" without a time."""
    if at is None:
        return ""
    d = at.astimezone(deadlines.JST)
    return f"{d.month}/{d.day} {d:%H:%M}"


def full_time(at: datetime | None) -> str:
    """``2026年12月6日(日) 18:47`` in Japan time, or "" without a time."""
    return deadlines.japanese(at) if at else ""


@dataclass(frozen=True)
class Glance:
    """One cell as the eye reads it."""

    state: str
    late: bool  # submitted after its deadline (shown also on graded cells)
    score: float | None
    max_score: float | None


def state_of(cell: dict, pass_ratio: float) -> Glance:
    """The state of one assignment cell of ``board.build``."""
    late = cell.get("deadline_state") == deadlines.LATE
    score, maximum = cell.get("score"), cell.get("max_score")
    if cell.get("scored"):
        if cell.get("needs_manual"):
            state = MANUAL
        elif (score or 0) + 1e-9 >= pass_ratio * (maximum or 0):
            state = PASS
        else:
            state = FAIL
    elif cell.get("submitted"):
        state = LATE if late else WAITING
    elif cell.get("deadline_state") == deadlines.OVERDUE:
        state = MISSING
    else:
        state = TODO
    return Glance(state, late, score, maximum)


@dataclass(frozen=True)
class Summary:
    """Where one trainee stands across the assignments shown."""

    passed: int
    submitted: int
    fetched: int
    missing: int
    failed: int
    total: int


def summary(row: dict, names: list[str], pass_ratio: float) -> Summary:
    cells = [row["assignments"].get(a) or {} for a in names]
    states = [state_of(c, pass_ratio).state for c in cells]
    return Summary(
        passed=states.count(PASS),
        submitted=sum(1 for c in cells if c.get("submitted")),
        fetched=sum(1 for c in cells if c.get("fetched")),
        missing=states.count(MISSING),
        failed=states.count(FAIL),
        total=len(names),
    )


def display_name(row: dict) -> str:
    """氏名 from the roster, else the hub user name."""
    return row.get("fullname") or row["username"]


def choices(rows: list[dict], key: str) -> list[str]:
    """The distinct non-empty values of ``key`` (``cohort`` = 期, ``dept`` = 所属, ``team`` = 班) for a menu."""
    return sorted({r.get(key) or "" for r in rows} - {""})


def filtered(rows: list[dict], *, cohort: str = "", dept: str = "", team: str = "") -> list[dict]:
    """Rows of one 期, 所属 and/or 班 (an empty filter keeps everyone)."""
    wanted = {"cohort": cohort, "dept": dept, "team": team}
    return [r for r in rows if all(not v or r.get(k) == v for k, v in wanted.items())]


def ordered(rows: list[dict], names: list[str], pass_ratio: float, sort: str = "behind") -> list[dict]:
    """``behind``: fewest passes first, then most missed deadlines, fewest submissions, fewest fetched, name;
    ``name``: by 氏名 (then user name)."""
    if sort == "name":
        return sorted(rows, key=lambda r: (display_name(r), r["username"]))

    def behind(r: dict) -> tuple:
        s = summary(r, names, pass_ratio)
        return (s.passed, -s.missing, s.submitted, s.fetched, display_name(r), r["username"])

    return sorted(rows, key=behind)

"""Deadlines (締切) of assignments, per cohort (期): reading what an instructor types, which deadline applies to a
trainee, and whether their submission came after it (pure, unit-tested).

A deadline is a minute in Japan time: ``2026-12-20 17:00``, or a date alone meaning the end of that day (23:59).
A submission within that minute is on time (17:00 means up to 17:00:59). A deadline set for a cohort applies to
its trainees; the one set without a cohort applies to everyone who has no cohort-specific one. Lateness is judged
by the latest submission, the one nbgrader collects and grades.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta

from testbed_config import japan_time

JST = japan_time.JST
END_OF_DAY = time(23, 59)
EVERYONE = ""  # the cohort of a deadline that applies to everyone without a cohort-specific one
COHORT_MAX = 40

# a trainee's cell against its deadline
OPEN = "open"  # due later, not submitted yet
ON_TIME = "on_time"
LATE = "late"  # 期限後: submitted after the deadline
OVERDUE = "overdue"  # 期限切れ: past the deadline and nothing submitted

_DATE = re.compile(r"^(\d{4})(?:[-/]|年)(\d{1,2})(?:[-/]|月)(\d{1,2})日?$")  # 2026-12-20, 2026/12/20, 2026年12月20日
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2})|時(?:(\d{1,2})分)?)$")  # 17:00, 17時, 17時30分
_SUBMITTED = re.compile(r"^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(\S*)$")


class DeadlineError(ValueError):
    """A deadline that cannot be read; the message (Japanese) names the problem and the fix."""


def normalize_cohort(text: str) -> str:
    """One spelling per cohort: full-width digits and spaces as typed in Excel become ASCII (NFKC), ends trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def cohort_problem(cohort: str) -> str | None:
    """Why ``cohort`` (already normalised) cannot name a cohort (Japanese), or None when it can."""
    if len(cohort) > COHORT_MAX:
        return f"期の名前 {cohort!r} が長すぎます ({len(cohort)} 文字)。{COHORT_MAX} 文字以内にしてください"
    if any(unicodedata.category(ch).startswith("C") for ch in cohort):
        return f"期の名前 {cohort!r} に制御文字が入っています。「2026年度第1期」のような名前にしてください"
    return None


def parse(day: str, at: str | None = None) -> datetime:
    """``2026-12-20`` (or ``2026/12/20``, ``2026年12月20日``) and an optional ``17:00`` (or ``17時``) -> that minute
    in Japan time; a date alone means 23:59 of that day. ``day`` may also hold both (``2026-12-20 17:00``).
    DeadlineError, in Japanese, otherwise."""
    text = unicodedata.normalize("NFKC", day or "").strip()
    at = at or None
    if at is None and re.search(r"[ T]", text):
        text, at = re.split(r"[ T]+", text, maxsplit=1)
    m = _DATE.match(text)
    if not m:
        raise DeadlineError(f"日付 {day!r} を読めません。2026-12-20 のように 年-月-日 で指定してください")
    try:
        d = datetime(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise DeadlineError(f"{text} という日付はありません。カレンダーで日付を確かめてください") from None
    if at is None:
        t = END_OF_DAY
    else:
        clock = unicodedata.normalize("NFKC", at).strip()
        tm = _TIME.match(clock)
        hour, minute = (int(tm[1]), int(tm[2] or tm[3] or 0)) if tm else (99, 99)
        if hour > 23 or minute > 59:
            raise DeadlineError(
                f"時刻 {at!r} を読めません。17:00 のように 時:分 (24 時間制、00:00〜23:59) で指定してください"
            )
        t = time(hour, minute)
    return datetime.combine(d.date(), t, tzinfo=JST)


def from_iso(text: str | None) -> datetime | None:
    """A stored deadline (ISO 8601 with its offset) back as a datetime; None when unreadable."""
    try:
        due = datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return due if due.tzinfo else due.replace(tzinfo=JST)


def to_iso(due: datetime) -> str:
    return due.astimezone(JST).isoformat(timespec="seconds")


def applicable(deadlines: Mapping[tuple[str, str], datetime], assignment: str, cohort: str) -> datetime | None:
    """The deadline of ``assignment`` for a trainee of ``cohort`` ("" when none): their cohort's own, else the one
    for everyone. ``deadlines`` is keyed by (assignment, cohort)."""
    if cohort and (assignment, cohort) in deadlines:
        return deadlines[(assignment, cohort)]
    return deadlines.get((assignment, EVERYONE))


def parse_submission_time(text: str | None) -> datetime | None:
    """nbgrader's submission timestamp (``2026-12-20 17:00:05.123456 JST``, written by the trainee's server,
    which runs in Japan time) as an aware datetime; None if unreadable."""
    m = _SUBMITTED.match((text or "").strip())
    if not m:
        return None
    try:
        ts = datetime.fromisoformat(m[1])
    except ValueError:
        return None
    zone = m[2].upper()
    if zone in ("UTC", "GMT", "Z"):
        return ts.replace(tzinfo=UTC)
    if re.fullmatch(r"[+-]\d{2}:?\d{2}", zone):
        return datetime.fromisoformat(f"{m[1]}{zone[:3]}:{zone[-2:]}")
    return ts.replace(tzinfo=JST)  # JST, or no zone at all: trainees' servers run in Japan time


def _minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def is_late(due: datetime, submitted_at: datetime) -> bool:
    """Was a submission at ``submitted_at`` after the deadline's minute?"""
    return _minute(submitted_at.astimezone(JST)) > _minute(due.astimezone(JST))


def state(due: datetime | None, submitted: bool, submitted_at: datetime | None, now: datetime) -> str | None:
    """Where a trainee stands against a deadline (OPEN, ON_TIME, LATE, OVERDUE); None without a deadline, or for a
    submission whose time is unknown."""
    if due is None:
        return None
    if submitted:
        if submitted_at is None:
            return None
        return LATE if is_late(due, submitted_at) else ON_TIME
    return OVERDUE if is_late(due, now) else OPEN


# ``2026年12月20日(日) 17:00`` (Japan time): the project's one format for times people read
japanese = japan_time.japanese


def until(due: datetime, now: datetime) -> str:
    """How long is left, in a few Japanese words (あと 3 日 / あと 5 時間 / まもなく)."""
    left = due + timedelta(minutes=1) - now
    if left >= timedelta(days=1):
        return f"あと {left.days} 日"
    if left >= timedelta(hours=1):
        return f"あと {left.seconds // 3600} 時間"
    return "まもなく"

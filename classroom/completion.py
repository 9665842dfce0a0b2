"""The completion rule (修了判定) and certificate numbers (pure, unit-tested).

A trainee has completed a course when every assignment of the course (the folders of the course's
nbgrader ``source/``) has a graded submission scoring at least ``pass_ratio`` x its maximum, with no
answer still waiting for manual grading.

The completion time is the latest timestamp among those graded submissions: nbgrader's
``submitted_assignment.timestamp``, i.e. when the trainee submitted the version that was graded (stored
in UTC, shown in Japan time). nbgrader records no grading time, and the submission time does not move
when an instructor regrades or a trainee resubmits after completing (until that resubmission is graded).

The certificate number is ``<COURSE>-<YYYYMMDD>-<10 base32 characters of an HMAC-SHA256>`` over course,
user and completion date with the board's certificate key: the same for every download, different for
every trainee, and checkable by whoever holds the key (instructors see every number on their board).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from classroom.sources import Score
from testbed_config import japan_time

JST = japan_time.JST  # certificates are dated in Japan time, whatever the machine's zone
_EPSILON = 1e-9  # 0.6 x 5 is 3.0000000000000004 in floating point: 3 of 5 points must still pass

# why an assignment is not passed yet (labels for people are in page.py)
NOT_SUBMITTED = "not_submitted"
NOT_GRADED = "not_graded"
NEEDS_MANUAL = "needs_manual"
BELOW_PASS = "below_pass"
NO_TIMESTAMP = "no_timestamp"


@dataclass(frozen=True)
class Rule:
    """What the board needs to judge completion and number certificates (from the stack config and secrets)."""

    pass_ratio: float
    key: bytes


@dataclass(frozen=True)
class Pending:
    """An assignment not passed yet, and why."""

    assignment: str
    reason: str
    score: float | None = None
    max_score: float | None = None
    needed: float | None = None  # points needed to pass


@dataclass(frozen=True)
class Completion:
    completed: bool
    completed_at: datetime | None  # Japan time; set only when completed
    pending: tuple[Pending, ...]

    @property
    def completed_on(self) -> date | None:
        return self.completed_at.date() if self.completed_at else None


def needed_points(max_score: float, pass_ratio: float) -> float:
    """Points needed to pass an assignment worth ``max_score`` (rounded as scores are)."""
    return round(pass_ratio * max_score, 2)


def passes(score: Score, pass_ratio: float) -> bool:
    """Does this graded submission pass: enough points, and nothing left for the instructor to grade?"""
    return not score.needs_manual and score.score + _EPSILON >= pass_ratio * score.max_score


def parse_gradebook_time(text: str | None) -> datetime | None:
    """nbgrader's timestamp (naive UTC, ``2026-12-01 03:00:00.000000``) in Japan time; None if unreadable."""
    if not text:
        return None
    try:
        ts = datetime.fromisoformat(str(text).strip())
    except ValueError:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(JST)


def evaluate(
    required: Sequence[str], scores: Mapping[str, Score], submitted: Collection[str], pass_ratio: float
) -> Completion:
    """Has a trainee completed the course? ``scores`` and ``submitted`` are theirs, keyed by assignment.

    A course without assignments is never completed (an unreadable ``source/`` must not certify anyone)."""
    pending: list[Pending] = []
    times: list[datetime] = []
    for name in required:
        score = scores.get(name)
        if score is None:
            pending.append(Pending(name, NOT_GRADED if name in submitted else NOT_SUBMITTED))
        elif score.needs_manual:
            pending.append(Pending(name, NEEDS_MANUAL, score.score, score.max_score))
        elif not passes(score, pass_ratio):
            needed = needed_points(score.max_score, pass_ratio)
            pending.append(Pending(name, BELOW_PASS, score.score, score.max_score, needed))
        elif (at := parse_gradebook_time(score.submitted_at)) is None:
            pending.append(Pending(name, NO_TIMESTAMP, score.score, score.max_score))
        else:
            times.append(at)
    completed = bool(required) and not pending
    return Completion(completed, max(times) if completed else None, tuple(pending))


def certificate_number(key: bytes, course: str, user: str, completed_on: date) -> str:
    """``ODTB-20261201-K7QXM3FJ2A``: stable for a trainee's completion, checkable only with the key."""
    message = f"{course}\n{user}\n{completed_on.isoformat()}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    code = base64.b32encode(digest).decode()[:10]
    return f"{course.upper()}-{completed_on:%Y%m%d}-{code}"


def is_genuine(number: str, key: bytes, course: str, user: str, completed_on: date) -> bool:
    """Was ``number`` issued with this key for this trainee's completion on that day?"""
    return hmac.compare_digest(number.strip().upper(), certificate_number(key, course, user, completed_on))

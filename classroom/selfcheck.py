"""Self-check marks: the course's ``check(ok, problem, fix)`` helper (``courses/odtb/src/_include/check.inc``) runs
in the trainee's own kernel, as their own Unix account, and calls ``record()`` whenever a check passes. The first
time, that leaves ``<exchange>/<course>/progress/<unix user>+<assignment>+selfchecked`` in the course's drop box,
exactly like a fetch mark (``marks.py``: counted only when owned by the account it names).

Where it is: the kernel's working directory is the notebook's folder ``~/<course>/<assignment>/`` (nbgrader's
exchange with ``path_includes_course``), and the exchange root comes from ``TESTBED_EXCHANGE``, set in the
single-user server's environment (``hub_config/configurer.py`` update_spawner). It records only for a released
assignment of a course with a drop box; anywhere else (the grading sandbox, which has neither the variable nor
this module; an instructor's ``source/`` folder; a notebook outside an assignment) it does nothing. It never raises:
a trainee's check must never fail because of the board.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from classroom import marks

ENV = "TESTBED_EXCHANGE"  # the nbgrader exchange root, set by the spawner

_recorded: set[Path] = set()  # assignment folders this kernel has already marked
_tries: dict[tuple[Path, str], Path] = {}  # (folder, question) -> this kernel's current tries mark
_SESSION = os.urandom(4).hex()  # one kernel session: its counts start at zero


def locate(exchange_root: Path, folder: Path) -> tuple[str, str] | None:
    """(course, assignment) when ``folder`` is ``.../<course>/<assignment>`` of a released assignment of a course
    with a drop box in the exchange, else None."""
    course, assignment = folder.parent.name, folder.name
    if not course or not assignment or "+" in course + assignment or course.startswith("."):
        return None
    course_exchange = exchange_root / course
    if not (course_exchange / marks.DIRNAME).is_dir() or not (course_exchange / "outbound" / assignment).is_dir():
        return None
    return course, assignment


def record(exchange_root: str | Path | None = None, folder: str | Path | None = None) -> bool:
    """Mark the assignment of ``folder`` (default: the working directory) as self-checked by this account.
    True when the mark is there (left now or before); False, never an exception, when it cannot be left."""
    try:
        root = exchange_root or os.environ.get(ENV)
        if not root:
            return False
        here = Path(folder) if folder is not None else Path.cwd()
        if here in _recorded:
            return True
        where = locate(Path(root), here)
        if where is None:
            return False
        user = pwd.getpwuid(os.geteuid()).pw_name
        marks.mark(root, where[0], user, where[1], marks.SELFCHECKED)
        if (Path(root) / where[0] / marks.DIRNAME / f"{user}+{where[1]}+{marks.SELFCHECKED}").exists():
            _recorded.add(here)
            return True
        return False
    except Exception:  # noqa: BLE001 - the trainee's check must never fail because of the board
        return False


def record_tries(
    question: str,
    attempts: int,
    failures: int,
    hints: int,
    solution: bool = False,
    exchange_root: str | Path | None = None,
    folder: str | Path | None = None,
) -> bool:
    """Leave (or move forward) this kernel's tries mark of one question: how often it was checked, failed, hinted
    and whether its model answer was shown (``marks.TRIES``). False, never an exception, when it cannot."""
    try:
        root = exchange_root or os.environ.get(ENV)
        if not root or not question.isidentifier() or not question.isascii():
            return False
        here = Path(folder) if folder is not None else Path.cwd()
        where = locate(Path(root), here)
        if where is None:
            return False
        user = pwd.getpwuid(os.geteuid()).pw_name
        kind = marks.tries_kind(question, _SESSION, attempts, failures, hints, solution)
        new = Path(root) / where[0] / marks.DIRNAME / f"{user}+{where[1]}+{kind}"
        old = _tries.get((here, question))
        if old is not None and old != new:
            try:
                os.rename(old, new)
            except OSError:
                marks.mark(root, where[0], user, where[1], kind)
        elif old is None:
            marks.mark(root, where[0], user, where[1], kind)
        if new.exists():
            _tries[(here, question)] = new
            return True
        return False
    except Exception:  # noqa: BLE001 - the trainee's check must never fail because of the board
        return False

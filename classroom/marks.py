"""Fetch and self-check marks: nbgrader's fetch copies into the trainee's private home and leaves no trace the
board may read, so the fetch plugin (``fetch_plugin.py``) configured in the shared nbgrader config drops an empty
file ``<exchange>/<course>/progress/<unix user>+<assignment>+fetched``; a passing self-check in the trainee's
kernel drops ``...+selfchecked`` the same way (``selfcheck.py``). The folder is a drop box (1733, owned
by the grader account: anyone may add, only the board may list), and a mark counts only when its file
is owned by the account it names, so nobody can mark someone else."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

DIRNAME = "progress"
DROPBOX_MODE = 0o1733
FETCHED = "fetched"  # kinds of marks
SELFCHECKED = "selfchecked"
# Per-question self-check activity, counts in the name (only the board may list the drop box; contents are not
# read): "tries~<question>~<kernel session>~<attempts>~<failures>~<hints>~<solution shown 0|1>", renamed as they grow.
TRIES = "tries"


def mark(exchange_root: str | Path, course: str, user: str, assignment: str, what: str = FETCHED) -> None:
    """Leave a mark; never fails the trainee's action (a missing drop box or a name clash is ignored)."""
    path = Path(exchange_root) / course / DIRNAME / f"{user}+{assignment}+{what}"
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except OSError:
        pass


def ensure_dropbox(course_exchange: Path) -> None:
    """Create the course's drop box (and the course folder, as ``nbgrader release_assignment`` would)."""
    if not course_exchange.exists():
        course_exchange.mkdir(mode=0o755)
        os.chmod(course_exchange, 0o755)
    box = course_exchange / DIRNAME
    if not box.exists():
        box.mkdir()
    if box.stat().st_mode & 0o7777 != DROPBOX_MODE:
        os.chmod(box, DROPBOX_MODE)


def _owner(uid: int) -> str | None:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def read_all(course_exchange: Path) -> dict[str, set[tuple[str, str]]]:
    """Every genuine mark by kind (``fetched``, ``selfchecked``): its file is owned by the account it names.
    One listing of the drop box, whatever the number of kinds."""
    found: dict[str, set[tuple[str, str]]] = {}
    try:
        entries = list(os.scandir(course_exchange / DIRNAME))
    except OSError:
        return found
    for entry in entries:
        parts = entry.name.split("+")
        if len(parts) != 3 or not all(parts):
            continue
        try:
            uid = entry.stat(follow_symlinks=False).st_uid
        except OSError:
            continue
        if entry.is_file(follow_symlinks=False) and _owner(uid) == parts[0]:
            found.setdefault(parts[2], set()).add((parts[0], parts[1]))
    return found


def read(course_exchange: Path, what: str = FETCHED) -> set[tuple[str, str]]:
    """(unix user, assignment) of every genuine mark of one kind."""
    return read_all(course_exchange).get(what, set())


def tries_kind(question: str, session: str, attempts: int, failures: int, hints: int, solution: bool) -> str:
    """The kind part of a tries mark (see TRIES)."""
    return "~".join([TRIES, question, session, str(attempts), str(failures), str(hints), "1" if solution else "0"])


def read_tries(course_exchange: Path) -> dict[tuple[str, str], dict[str, dict[str, int]]]:
    """{(unix user, assignment): {question: {"attempts", "failures", "hints", "solutions"}}}: the genuine tries
    marks summed over kernel sessions (a restarted kernel counts again from zero in a new session)."""
    return tries_from(read_all(course_exchange))


def tries_from(all_marks: dict[str, set[tuple[str, str]]]) -> dict[tuple[str, str], dict[str, dict[str, int]]]:
    """read_tries on what read_all already found (the board reads the drop box once)."""
    out: dict[tuple[str, str], dict[str, dict[str, int]]] = {}
    for kind, pairs in all_marks.items():
        fields = kind.split("~")
        if fields[0] != TRIES or len(fields) != 7 or not all(f.isdigit() for f in fields[3:]):
            continue
        for pair in pairs:
            total = out.setdefault(pair, {}).setdefault(
                fields[1], {"attempts": 0, "failures": 0, "hints": 0, "solutions": 0}
            )
            for key, value in zip(("attempts", "failures", "hints", "solutions"), fields[3:], strict=True):
                total[key] += int(value)
    return out

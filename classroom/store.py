"""The console's own records: the help queue (手を挙げる), announcements (お知らせ), team grades (班の成果物,
graded with the workshop's rubric) and reflections (振り返り) with their grades, in one SQLite file.

The file lives in the service account's home (the course's grader account), mode 0600. Times are stored as
UTC ISO 8601 text (unambiguous); pages turn them into Japan time when a person reads them.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

OPEN, DONE, CANCELLED = "open", "done", "cancelled"  # states of a help request

_SCHEMA = """
CREATE TABLE IF NOT EXISTS help_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    notebook TEXT NOT NULL DEFAULT '',
    raised_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',
    closed_at TEXT,
    closed_by TEXT
);
CREATE INDEX IF NOT EXISTS help_requests_state ON help_requests (state, raised_at);
CREATE TABLE IF NOT EXISTS announcements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author TEXT NOT NULL,
    cohort TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    posted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS team_grades (
    team_user TEXT NOT NULL,
    submission TEXT NOT NULL,
    team TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    graded_by TEXT NOT NULL,
    graded_at TEXT NOT NULL,
    PRIMARY KEY (team_user, submission)
);
CREATE TABLE IF NOT EXISTS team_grade_items (
    team_user TEXT NOT NULL,
    submission TEXT NOT NULL,
    position INTEGER NOT NULL,
    item TEXT NOT NULL,
    name TEXT NOT NULL,
    points REAL NOT NULL,
    max_points REAL NOT NULL,
    label TEXT NOT NULL,
    descriptor TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (team_user, submission, item)
);
CREATE TABLE IF NOT EXISTS reflections (
    username TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    submitted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reflection_grades (
    username TEXT PRIMARY KEY,
    points REAL NOT NULL,
    max_points REAL NOT NULL,
    label TEXT NOT NULL,
    descriptor TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    graded_by TEXT NOT NULL,
    graded_at TEXT NOT NULL
);
"""


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_utc(text: str | None) -> datetime | None:
    """A stored time back as an aware datetime (UTC)."""
    if not text:
        return None
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@dataclass(frozen=True)
class HelpRequest:
    id: int
    username: str
    note: str
    notebook: str
    raised_at: datetime
    state: str
    closed_at: datetime | None
    closed_by: str | None

    def as_json(self, now: datetime) -> dict:
        return {
            "id": self.id,
            "username": self.username,
            "note": self.note,
            "notebook": self.notebook,
            "raised_at": self.raised_at.isoformat(timespec="seconds"),
            "waiting_seconds": int((now - self.raised_at).total_seconds()) if self.state == OPEN else None,
            "state": self.state,
            "closed_at": self.closed_at.isoformat(timespec="seconds") if self.closed_at else None,
            "closed_by": self.closed_by,
        }


@dataclass(frozen=True)
class Announcement:
    id: int
    author: str
    cohort: str  # '' = the whole class
    body: str
    posted_at: datetime

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "author": self.author,
            "cohort": self.cohort,
            "body": self.body,
            "posted_at": self.posted_at.isoformat(timespec="seconds"),
        }


@dataclass(frozen=True)
class ItemGrade:
    """One rubric item as graded (the rubric's words kept as they were when grading)."""

    item: str
    name: str
    points: float
    max_points: float
    label: str
    descriptor: str
    comment: str


@dataclass(frozen=True)
class TeamGrade:
    team_user: str
    team: str
    submission: str  # the submission folder's name (classroom/team_work.py)
    items: tuple[ItemGrade, ...]
    comment: str
    score: float
    max_score: float
    graded_by: str
    graded_at: datetime


@dataclass(frozen=True)
class Reflection:
    username: str
    body: str
    submitted_at: datetime


@dataclass(frozen=True)
class ReflectionGrade:
    username: str
    points: float
    max_points: float
    label: str
    descriptor: str
    comment: str
    graded_by: str
    graded_at: datetime


def _help(row: sqlite3.Row) -> HelpRequest:
    return HelpRequest(
        id=row["id"],
        username=row["username"],
        note=row["note"],
        notebook=row["notebook"],
        raised_at=parse_utc(row["raised_at"]),
        state=row["state"],
        closed_at=parse_utc(row["closed_at"]),
        closed_by=row["closed_by"],
    )


def _announcement(row: sqlite3.Row) -> Announcement:
    return Announcement(row["id"], row["author"], row["cohort"], row["body"], parse_utc(row["posted_at"]))


class Store:
    """One SQLite file; a short connection per call (the service is one process, requests are few and small)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _db(self):
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        try:
            with db:
                yield db
        finally:
            db.close()

    # help queue ---------------------------------------------------------------------------------

    def raise_hand(self, username: str, note: str, notebook: str, at: datetime | None = None) -> HelpRequest:
        at = (at or utcnow()).astimezone(UTC)
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO help_requests (username, note, notebook, raised_at) VALUES (?, ?, ?, ?)",
                (username, note, notebook, at.isoformat()),
            )
            return _help(db.execute("SELECT * FROM help_requests WHERE id = ?", (cur.lastrowid,)).fetchone())

    def help_request(self, request_id: int) -> HelpRequest | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM help_requests WHERE id = ?", (request_id,)).fetchone()
        return _help(row) if row else None

    def help_requests(self, *, username: str | None = None, open_only: bool = False, limit: int = 200) -> list:
        """Requests, oldest first among open ones (the queue's order), newest first otherwise."""
        where, args = [], []
        if username is not None:
            where.append("username = ?")
            args.append(username)
        if open_only:
            where.append("state = 'open'")
        sql = "SELECT * FROM help_requests" + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += " ORDER BY raised_at ASC, id ASC" if open_only else " ORDER BY raised_at DESC, id DESC"
        with self._db() as db:
            return [_help(r) for r in db.execute(f"{sql} LIMIT ?", (*args, limit)).fetchall()]

    def close_help(self, request_id: int, state: str, by: str, at: datetime | None = None) -> bool:
        """Mark an open request done or cancelled; False when it was not open (already closed, or unknown)."""
        assert state in (DONE, CANCELLED)
        at = (at or utcnow()).astimezone(UTC)
        with self._db() as db:
            cur = db.execute(
                "UPDATE help_requests SET state = ?, closed_at = ?, closed_by = ? WHERE id = ? AND state = 'open'",
                (state, at.isoformat(), by, request_id),
            )
            return cur.rowcount == 1

    def forget_user(self, username: str) -> int:
        """Remove every request, reflection and reflection grade of one account (a trainee removed from the hub, or a
        test's own); the number of help requests removed."""
        with self._db() as db:
            db.execute("DELETE FROM reflections WHERE username = ?", (username,))
            db.execute("DELETE FROM reflection_grades WHERE username = ?", (username,))
            return db.execute("DELETE FROM help_requests WHERE username = ?", (username,)).rowcount

    # announcements ------------------------------------------------------------------------------

    def announce(self, author: str, body: str, cohort: str = "", at: datetime | None = None) -> Announcement:
        at = (at or utcnow()).astimezone(UTC)
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO announcements (author, cohort, body, posted_at) VALUES (?, ?, ?, ?)",
                (author, cohort, body, at.isoformat()),
            )
            return _announcement(db.execute("SELECT * FROM announcements WHERE id = ?", (cur.lastrowid,)).fetchone())

    def announcements(self, *, cohort: str | None = None, limit: int = 100) -> list[Announcement]:
        """Newest first; ``cohort`` given: only those to the whole class or to that 期 (a trainee's view)."""
        sql, args = "SELECT * FROM announcements", []
        if cohort is not None:
            sql += " WHERE cohort = '' OR cohort = ?"
            args.append(cohort)
        with self._db() as db:
            rows = db.execute(f"{sql} ORDER BY posted_at DESC, id DESC LIMIT ?", (*args, limit)).fetchall()
        return [_announcement(r) for r in rows]

    def delete_announcement(self, announcement_id: int) -> bool:
        with self._db() as db:
            return db.execute("DELETE FROM announcements WHERE id = ?", (announcement_id,)).rowcount == 1

    # team grades (班の成果物) -----------------------------------------------------------------------

    def save_team_grade(
        self,
        team_user: str,
        team: str,
        submission: str,
        items: list[ItemGrade],
        comment: str,
        by: str,
        at: datetime | None = None,
    ) -> TeamGrade:
        """Grade one submission (again: the earlier grade of that submission is replaced). The score is the sum of the
        items' points, the maximum the sum of their best levels."""
        at = (at or utcnow()).astimezone(UTC)
        score = round(sum(i.points for i in items), 2)
        maximum = round(sum(i.max_points for i in items), 2)
        key = (team_user, submission)
        with self._db() as db:
            db.execute("DELETE FROM team_grade_items WHERE team_user = ? AND submission = ?", key)
            db.execute(
                "INSERT OR REPLACE INTO team_grades (team_user, submission, team, comment, score, max_score, graded_by,"
                " graded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, team, comment, score, maximum, by, at.isoformat()),
            )
            db.executemany(
                "INSERT INTO team_grade_items (team_user, submission, position, item, name, points, max_points, label,"
                " descriptor, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (*key, n, i.item, i.name, i.points, i.max_points, i.label, i.descriptor, i.comment)
                    for n, i in enumerate(items)
                ],
            )
        return self.team_grade(team_user, submission)

    def team_grade(self, team_user: str, submission: str) -> TeamGrade | None:
        with self._db() as db:
            return _team_grade(db, "WHERE team_user = ? AND submission = ?", (team_user, submission))

    def latest_team_grade(self, team_user: str) -> TeamGrade | None:
        """The team's most recent grade (of whichever submission was graded last)."""
        with self._db() as db:
            return _team_grade(db, "WHERE team_user = ? ORDER BY graded_at DESC", (team_user,))

    def latest_team_grades(self) -> dict[str, TeamGrade]:
        """Team user -> its most recent grade."""
        with self._db() as db:
            users = [r[0] for r in db.execute("SELECT DISTINCT team_user FROM team_grades")]
            found = {u: _team_grade(db, "WHERE team_user = ? ORDER BY graded_at DESC", (u,)) for u in users}
        return {u: g for u, g in found.items() if g is not None}

    def forget_team(self, team_user: str) -> int:
        """Remove every grade of one team (a test's own, or a team that no longer exists)."""
        with self._db() as db:
            db.execute("DELETE FROM team_grade_items WHERE team_user = ?", (team_user,))
            return db.execute("DELETE FROM team_grades WHERE team_user = ?", (team_user,)).rowcount

    # reflections (振り返り) ----------------------------------------------------------------------------

    def submit_reflection(self, username: str, body: str, at: datetime | None = None) -> Reflection | None:
        """Store (or replace) a member's reflection; None, nothing changed, once it has been graded."""
        at = (at or utcnow()).astimezone(UTC)
        with self._db() as db:
            if db.execute("SELECT 1 FROM reflection_grades WHERE username = ?", (username,)).fetchone():
                return None
            db.execute(
                "INSERT OR REPLACE INTO reflections (username, body, submitted_at) VALUES (?, ?, ?)",
                (username, body, at.isoformat()),
            )
        return self.reflection(username)

    def reflection(self, username: str) -> Reflection | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM reflections WHERE username = ?", (username,)).fetchone()
        return Reflection(row["username"], row["body"], parse_utc(row["submitted_at"])) if row else None

    def grade_reflection(
        self, username: str, points: float, max_points: float, label: str, descriptor: str, comment: str, by: str,
        at: datetime | None = None,
    ) -> ReflectionGrade | None:  # fmt: skip
        """Grade (or grade again) a member's reflection; None when they have not submitted one."""
        at = (at or utcnow()).astimezone(UTC)
        with self._db() as db:
            if not db.execute("SELECT 1 FROM reflections WHERE username = ?", (username,)).fetchone():
                return None
            db.execute(
                "INSERT OR REPLACE INTO reflection_grades (username, points, max_points, label, descriptor, comment,"
                " graded_by, graded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (username, points, max_points, label, descriptor, comment, by, at.isoformat()),
            )
        return self.reflection_grade(username)

    def reflection_grade(self, username: str) -> ReflectionGrade | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM reflection_grades WHERE username = ?", (username,)).fetchone()
        return _reflection_grade(row) if row else None


def _team_grade(db: sqlite3.Connection, where: str, args: tuple) -> TeamGrade | None:
    row = db.execute(f"SELECT * FROM team_grades {where} LIMIT 1", args).fetchone()
    if row is None:
        return None
    items = db.execute(
        "SELECT * FROM team_grade_items WHERE team_user = ? AND submission = ? ORDER BY position",
        (row["team_user"], row["submission"]),
    ).fetchall()
    return TeamGrade(
        team_user=row["team_user"],
        team=row["team"],
        submission=row["submission"],
        items=tuple(
            ItemGrade(i["item"], i["name"], i["points"], i["max_points"], i["label"], i["descriptor"], i["comment"])
            for i in items
        ),
        comment=row["comment"],
        score=row["score"],
        max_score=row["max_score"],
        graded_by=row["graded_by"],
        graded_at=parse_utc(row["graded_at"]),
    )


def _reflection_grade(row: sqlite3.Row) -> ReflectionGrade:
    return ReflectionGrade(
        row["username"], row["points"], row["max_points"], row["label"], row["descriptor"], row["comment"],
        row["graded_by"], parse_utc(row["graded_at"]),
    )  # fmt: skip


def read_scores(path: Path) -> tuple[dict[str, TeamGrade], dict[str, ReflectionGrade], set[str]]:
    """For the grade-book export (``./testbed grade export``, as root): each team's latest grade, each member's
    reflection grade and who submitted a reflection, read without creating or writing the file (empty when the file
    or its tables do not exist yet)."""
    if not Path(path).exists():
        return {}, {}, set()
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return {}, {}, set()
    db.row_factory = sqlite3.Row
    try:
        users = [r[0] for r in db.execute("SELECT DISTINCT team_user FROM team_grades")]
        teams = {u: _team_grade(db, "WHERE team_user = ? ORDER BY graded_at DESC", (u,)) for u in users}
        reflections = {r["username"]: _reflection_grade(r) for r in db.execute("SELECT * FROM reflection_grades")}
        written = {r[0] for r in db.execute("SELECT username FROM reflections")}
        return {u: g for u, g in teams.items() if g is not None}, reflections, written
    except sqlite3.Error:  # a store from before team grades (its tables appear when the console next starts)
        return {}, {}, set()
    finally:
        db.close()

"""The console's own records: the help queue (手を挙げる) and announcements (お知らせ), in one SQLite file.

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
        """Remove every request of one account (a trainee removed from the hub, or a test's own)."""
        with self._db() as db:
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

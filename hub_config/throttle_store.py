"""Where the hub's sign-in throttle keeps its counts across a hub restart: a small SQLite file (mode 0600).

One row per (scope, key): the times of the recent failures and the end of a lock, in epoch seconds. The
throttle (``throttle.py``) keeps working from memory and writes a key's row through at each change, so a
restart of the hub finds every lock and recent failure again, and an unreadable file only costs the counts
(logged), never a sign-in.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA = """CREATE TABLE IF NOT EXISTS throttle (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    failures TEXT NOT NULL,
    locked_until REAL NOT NULL,
    PRIMARY KEY (scope, key)
)"""


class ThrottleStore:
    """The rows of one scope (``user`` or ``address``) of the throttle file at ``path``."""

    def __init__(self, path: Path | str, scope: str):
        self.path, self.scope = Path(path), scope
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))  # created private, never world-readable
        os.chmod(self.path, 0o600)
        with self._connect() as conn:
            conn.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=5)
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def load(self) -> dict[str, tuple[list[float], float]]:
        """Every key of this scope: (failure times, locked until)."""
        try:
            with self._connect() as conn:
                rows = conn.execute(
                    "SELECT key, failures, locked_until FROM throttle WHERE scope = ?", (self.scope,)
                ).fetchall()
        except sqlite3.Error as e:
            log.error("Sign-in throttle file %s unreadable (%s): starting with no counts", self.path, e)
            return {}
        return {key: ([float(t) for t in json.loads(failures)], float(until)) for key, failures, until in rows}

    def save(self, key: str, failures: list[float], locked_until: float) -> None:
        """Write ``key``'s row (deleted when it holds nothing)."""
        try:
            with self._connect() as conn:
                if failures or locked_until:
                    conn.execute(
                        "INSERT OR REPLACE INTO throttle (scope, key, failures, locked_until) VALUES (?, ?, ?, ?)",
                        (self.scope, key, json.dumps(failures), locked_until),
                    )
                else:
                    conn.execute("DELETE FROM throttle WHERE scope = ? AND key = ?", (self.scope, key))
        except sqlite3.Error as e:
            log.error(
                "Sign-in throttle file %s not written (%s): %s %s kept in memory only", self.path, e, self.scope, key
            )

    def prune(self, keep: set[str]) -> None:
        """Delete this scope's rows whose key is not in ``keep`` (expired entries)."""
        try:
            with self._connect() as conn:
                for (key,) in conn.execute("SELECT key FROM throttle WHERE scope = ?", (self.scope,)).fetchall():
                    if key not in keep:
                        conn.execute("DELETE FROM throttle WHERE scope = ? AND key = ?", (self.scope, key))
        except sqlite3.Error as e:
            log.error("Sign-in throttle file %s not pruned (%s)", self.path, e)

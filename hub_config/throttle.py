"""Sign-in throttling: a growing delay after each failed sign-in, then a temporary lock.

Counted per key (a user name, an address) in the hub's memory and, given a ``store``
(``throttle_store.py``), written through to a small SQLite file, so a hub restart keeps every lock and
recent failure (times are wall-clock epoch seconds for that reason). Failures older than the window are
forgotten; a successful sign-in forgets the user's failures (not the address's: one guessed account must
not clear the address of someone trying many). Clock-injected and store-optional, so unit tests need no hub.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from hub_config.throttle_store import ThrottleStore

MAX_KEYS = 10_000  # above this, expired entries are dropped on the next failure (bounded memory)


@dataclass
class _Entry:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class SignInThrottle:
    """Failures per key within ``window`` seconds; ``limit`` of them lock the key for ``lock`` seconds."""

    def __init__(
        self,
        *,
        limit: int,
        lock: float,
        window: float,
        delay_step: float = 0.25,
        delay_max: float = 2.0,
        clock: Callable[[], float] = time.time,
        store: ThrottleStore | None = None,
    ):
        self.limit, self.lock, self.window = limit, lock, window
        self.delay_step, self.delay_max, self.clock = delay_step, delay_max, clock
        self.store = store
        self._entries: dict[str, _Entry] = {}
        if store is not None:
            for key, (failures, locked_until) in store.load().items():
                self._entries[key] = _Entry(failures, locked_until)
            for key in list(self._entries):
                self._recent(key)
            store.prune(set(self._entries))

    def _save(self, key: str) -> None:
        if self.store is not None:
            entry = self._entries.get(key)
            self.store.save(key, list(entry.failures) if entry else [], entry.locked_until if entry else 0.0)

    def _recent(self, key: str) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        now = self.clock()
        entry.failures = [t for t in entry.failures if now - t < self.window]
        if not entry.failures and entry.locked_until <= now:
            del self._entries[key]
            self._save(key)
            return None
        return entry

    def locked_for(self, key: str) -> float:
        """Seconds until ``key`` is unlocked (0: not locked)."""
        entry = self._recent(key)
        return max(0.0, entry.locked_until - self.clock()) if entry else 0.0

    def delay(self, key: str) -> float:
        """Seconds to wait before answering the next attempt for ``key`` (grows with recent failures)."""
        entry = self._recent(key)
        return min(self.delay_max, self.delay_step * len(entry.failures)) if entry else 0.0

    def failure(self, key: str) -> bool:
        """Count a failed attempt; True when this one locks ``key``."""
        if len(self._entries) > MAX_KEYS:
            for k in list(self._entries):
                self._recent(k)
        entry = self._recent(key) or self._entries.setdefault(key, _Entry())
        now = self.clock()
        entry.failures.append(now)
        if len(entry.failures) >= self.limit and entry.locked_until <= now:
            entry.locked_until = now + self.lock
            entry.failures.clear()  # after the lock, the count starts again
            self._save(key)
            return True
        self._save(key)
        return False

    def failures(self, key: str) -> int:
        """Recent failures of ``key`` not yet followed by a lock (after a lock the count starts again)."""
        entry = self._recent(key)
        return len(entry.failures) if entry else 0

    def forget(self, key: str) -> None:
        """Clear ``key``'s failures and lock (a successful sign-in, or an instructor unlocking it)."""
        if self._entries.pop(key, None) is not None:
            self._save(key)

    def locked(self) -> dict[str, float]:
        """Every locked key and its seconds left."""
        return {k: left for k in list(self._entries) if (left := self.locked_for(k)) > 0}

"""A short memory of the catalogue's views and downloads per period, in each CKAN process.

Counting distinct visitors per dataset and day reads every visit of the period (tens of thousands of rows for
a busy quarter, ~0.1-0.2 s); the usage page is opened, sorted, paged and downloaded as CSV several times in a
row for the same period. The counts of *all* datasets are therefore kept for ``seconds`` (option
``ckanext.testbed.usage.cache_seconds``, default 60; 0 turns it off) and each caller's figures are then taken
from them for the datasets that caller may read: nothing about permissions is remembered. New visits show
after at most that many seconds (CKAN's own tracking summary is updated only every few minutes).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

ENTRIES = 8  # periods remembered per process (each a few MB at most for a thousand datasets)


class Memory:
    """At most ``entries`` values, each for ``seconds``; least recently used dropped first. Thread-safe."""

    def __init__(self, entries: int = ENTRIES):
        self.entries = entries
        self._values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any], seconds: float) -> Any:
        """The remembered value of ``key`` if younger than ``seconds``, else ``compute()`` (remembered)."""
        if seconds <= 0:
            return compute()
        now = time.monotonic()
        with self._lock:
            found = self._values.get(key)
            if found is not None and now - found[0] < seconds:
                self._values.move_to_end(key)
                return found[1]
        value = compute()
        with self._lock:
            self._values[key] = (now, value)
            self._values.move_to_end(key)
            while len(self._values) > self.entries:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


COUNTS = Memory()

"""A short memory of the catalogue's views and downloads, per day and per period, in each CKAN process.

Counting distinct visitors per dataset and day reads every visit of the period (tens of thousands of rows for
a busy quarter, ~0.1-0.3 s); the usage page is opened, sorted, paged and downloaded as CSV several times in a
row, and a new period (過去1年 after 過去90日, a start date one day earlier) shares most of its days with one
asked for just before. The counts of *all* datasets are therefore kept for ``seconds`` (option
``ckanext.testbed.usage.cache_seconds``, default 60; 0 turns it off), at two levels:

- per day (``Days``): a day's distinct visitors do not depend on the period around it, so a period is put
  together from its days and only the days not counted yet, or whose data changed, are counted (in one query
  over the span from the first to the last of them);
- per period (``Memory``): the period's counts put together, so that paging, sorting and the CSV of the same
  period do not even add up the days again.

Each caller's figures are then taken from them for the datasets that caller may read: nothing about
permissions is remembered. What invalidates: a day's counts are used as they are for ``seconds`` after they
were counted; after that they are checked, not trusted: each day keeps the stamp its data had when it was
counted (``figures.day_stamps``: the number, latest time and a hash sum of the day's visits, and a hash of every
dataset's id and URL name and every file's URL), read again for the days asked for, and a day whose stamp
changed is counted again. So a new visit (or a renamed dataset, a changed file URL) shows after at most
``seconds``; unchanged days are not counted again. ``COUNTS.clear()`` forgets everything at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

ENTRIES = 8  # periods remembered per process (each a few MB at most for a thousand datasets)
DAYS = 800  # days remembered per process: a longest period (schema.MAX_DAYS) and more; one number per dataset seen


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
        found = self.peek(key, seconds)
        if found is not None:
            return found
        value = compute()
        self.put(key, value, now)
        return value

    def peek(self, key: Hashable, seconds: float) -> Any:
        """The remembered value of ``key`` if younger than ``seconds``, else None."""
        now = time.monotonic()
        with self._lock:
            found = self._values.get(key)
            if found is not None and now - found[0] < seconds:
                self._values.move_to_end(key)
                return found[1]
        return None

    def put(self, key: Hashable, value: Any, at: float) -> None:
        """Remember ``value`` as counted at ``at`` (``time.monotonic()``): it ages from then."""
        with self._lock:
            self._values[key] = (at, value)
            self._values.move_to_end(key)
            while len(self._values) > self.entries:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class Days:
    """Values per calendar day (in a zone), each with the stamp its data had when it was counted; trusted for
    ``seconds``, then kept only if ``check`` still gives the same stamp. At most ``most`` days, the oldest
    counted dropped first. Thread-safe."""

    def __init__(self, most: int = DAYS):
        self.most = most
        self._days: OrderedDict[tuple[Hashable, date], tuple[float, Any, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        zone: Hashable,
        days: list[date],
        compute: Callable[[date, date], dict[date, Any]],
        seconds: float,
        empty: Callable[[], Any],
        check: Callable[[date, date], dict[date, Any]] | None = None,
    ) -> tuple[dict[date, Any], float]:
        """({day: value} for ``days``, when the oldest of them was counted or checked).

        A day counted within ``seconds`` is used as it is. An older one is used again (and trusted for another
        ``seconds``) if ``check(first, last)`` (stamps of the days from the first to the last of them, read in
        one call) gives the stamp it was counted with. The others come from one call of ``compute(first,
        last)`` over the span from the first to the last of them, their stamps read just before (so a change
        made while counting shows as a changed stamp next time); days of the span without a value get
        ``empty()``, and remembered days inside the span are replaced."""
        now = time.monotonic()
        found: dict[date, tuple[float, Any, Any]] = {}
        stale: dict[date, tuple[float, Any, Any]] = {}
        if seconds > 0:
            with self._lock:
                for day in days:
                    kept = self._days.get((zone, day))
                    if kept is not None:
                        (found if now - kept[0] < seconds else stale)[day] = kept
        if stale and check is not None:
            stamps = check(min(stale), max(stale))
            for day, (_, value, stamp) in stale.items():
                if stamps.get(day) == stamp:
                    found[day] = (now, value, stamp)
            with self._lock:
                for day in stale.keys() & found.keys():
                    self._days[(zone, day)] = found[day]
        missing = [day for day in days if day not in found]
        fresh: dict[date, tuple[float, Any, Any]] = {}
        if missing:
            first, last = min(missing), max(missing)
            stamps = check(first, last) if check is not None and seconds > 0 else {}
            counted = compute(first, last)
            fresh = {day: (now, counted.get(day) or empty(), stamps.get(day)) for day in _span(first, last)}
        if fresh and seconds > 0:
            with self._lock:
                for day, kept in fresh.items():
                    self._days.pop((zone, day), None)
                    self._days[(zone, day)] = kept
                while len(self._days) > self.most:
                    self._days.popitem(last=False)
        values = {day: fresh[day][1] if day in fresh else found[day][1] for day in days}
        return values, min([now, *(found[day][0] for day in days if day not in fresh)])

    def clear(self) -> None:
        with self._lock:
            self._days.clear()


def _span(first: date, last: date) -> list[date]:
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]


class Counts:
    """The two levels together: a period's value from ``periods``, or put together from ``days``."""

    def __init__(self) -> None:
        self.periods = Memory()
        self.days = Days()

    def get(
        self,
        period: Hashable,
        zone: Hashable,
        days: list[date],
        compute: Callable[[date, date], dict[date, Any]],
        combine: Callable[[dict[date, Any]], Any],
        seconds: float,
        empty: Callable[[], Any],
        check: Callable[[date, date], dict[date, Any]] | None = None,
    ) -> Any:
        """``combine({day: value})`` of ``period``'s ``days`` (see ``Days.get``); remembered per period until its
        oldest day was counted or checked ``seconds`` ago, so no figure goes unchecked for longer."""
        if seconds > 0 and (found := self.periods.peek(period, seconds)) is not None:
            return found
        values, oldest = self.days.get(zone, days, compute, seconds, empty, check)
        value = combine(values)
        if seconds > 0:
            self.periods.put(period, value, oldest)
        return value

    def clear(self) -> None:
        self.periods.clear()
        self.days.clear()


COUNTS = Counts()

"""The usage counts' memory per day and per period (``usage/cache.py``), without CKAN."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.unit

DAY = date(2026, 9, 1)


def days(first: int, last: int) -> list[date]:
    return [DAY + timedelta(days=n) for n in range(first, last + 1)]


class Counter:
    """A compute function that records the spans it was asked for; day n counts n."""

    def __init__(self):
        self.spans = []

    def __call__(self, first: date, last: date) -> dict[date, int]:
        self.spans.append(((first - DAY).days, (last - DAY).days))
        return {day: (day - DAY).days for day in days((first - DAY).days, (last - DAY).days) if day != DAY}


def test_does_a_new_period_count_only_the_days_not_counted_yet():
    """90 days, then one day more: the second call counts that one day; a day without counts is empty."""
    from ckanext.testbed.usage import cache

    store, count = cache.Days(), Counter()
    found, _ = store.get("zone", days(1, 90), count, 60, empty=int)
    assert found == {day: (day - DAY).days for day in days(1, 90)}
    found, _ = store.get("zone", days(0, 90), count, 60, empty=int)
    assert count.spans == [(1, 90), (0, 0)] and found[DAY] == 0 and len(found) == 91
    store.get("zone", days(0, 90), count, 60, empty=int)
    store.get("other zone", days(0, 0), count, 60, empty=int)  # the days of another zone are other days
    assert count.spans == [(1, 90), (0, 0), (0, 0)]


def test_is_a_day_counted_again_once_older_than_the_seconds(monkeypatch):
    """Days kept for ``seconds`` only; with 0 nothing is kept; the oldest day's time is the answer's age."""
    from ckanext.testbed.usage import cache

    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    store, count = cache.Days(), Counter()
    store.get("zone", days(1, 10), count, 60, empty=int)
    now[0] += 30
    _, oldest = store.get("zone", days(5, 12), count, 60, empty=int)  # 11, 12 new; 5-10 from 30 s ago
    assert count.spans[-1] == (11, 12) and oldest == 1000.0
    now[0] += 31  # days 1-10 are 61 s old, 11-12 are 31 s old
    store.get("zone", days(1, 12), count, 60, empty=int)
    assert count.spans[-1] == (1, 10)
    store.get("zone", days(1, 2), count, 0, empty=int)
    store.get("zone", days(1, 2), count, 0, empty=int)
    assert count.spans[-2:] == [(1, 2), (1, 2)]


def test_is_a_period_remembered_no_longer_than_its_oldest_day(monkeypatch):
    """A period put together from days counted earlier expires when its oldest day would; clear() forgets all."""
    from ckanext.testbed.usage import cache

    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    counts, count = cache.Counts(), Counter()
    counts.get("P1", "zone", days(1, 10), count, sum_values, 60, empty=int)
    now[0] += 50
    assert counts.get("P2", "zone", days(1, 11), count, sum_values, 60, empty=int) == sum(range(1, 12))
    now[0] += 20  # P2's days 1-10 were counted 70 s ago: P2 is put together again, days 1-10 counted again
    assert counts.get("P2", "zone", days(1, 11), count, sum_values, 60, empty=int) == sum(range(1, 12))
    assert count.spans == [(1, 10), (11, 11), (1, 10)]
    counts.get("P2", "zone", days(1, 11), count, sum_values, 60, empty=int)  # now remembered
    counts.clear()
    counts.get("P2", "zone", days(1, 11), count, sum_values, 60, empty=int)
    assert count.spans[-1] == (1, 11)


def test_is_an_old_day_kept_while_its_stamp_is_unchanged(monkeypatch):
    """After ``seconds``, days whose stamp (read in one call) is unchanged are kept without counting; a day whose
    stamp changed is counted again, and its new stamp is read before it is counted."""
    from ckanext.testbed.usage import cache

    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    stamps = {day: "v1" for day in days(1, 10)}
    checks, count = [], Counter()

    def check(first: date, last: date) -> dict[date, str]:
        checks.append(((first - DAY).days, (last - DAY).days))
        return {day: stamps[day] for day in days((first - DAY).days, (last - DAY).days)}

    store = cache.Days()
    store.get("zone", days(1, 10), count, 60, empty=int, check=check)
    assert count.spans == [(1, 10)] and checks == [(1, 10)]  # stamps read before counting
    now[0] += 61
    found, oldest = store.get("zone", days(1, 10), count, 60, empty=int, check=check)
    assert count.spans == [(1, 10)] and checks[-1] == (1, 10) and oldest == now[0]  # kept, trusted anew
    assert found == {day: (day - DAY).days for day in days(1, 10)}
    now[0] += 61
    stamps[DAY + timedelta(days=7)] = "v2"  # a visit on day 7
    store.get("zone", days(1, 10), count, 60, empty=int, check=check)
    assert count.spans == [(1, 10), (7, 7)] and checks[-2:] == [(1, 10), (7, 7)]
    store.get("zone", days(1, 10), count, 60, empty=int, check=check)  # within 60 s: not even checked
    assert len(checks) == 4


def sum_values(found: dict) -> int:
    return sum(found.values())

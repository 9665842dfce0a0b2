"""The usage counts' memory (``usage/cache.py``) in real CKAN 2.12: what a visit recorded, or a dataset renamed,
after the counts were remembered does, with the memory on (``ckanext.testbed.usage.cache_seconds`` = 60) and the
clock moved by hand; and that after 60 s unchanged days are checked, not counted again.
"""

from __future__ import annotations

from datetime import datetime

import ckan.model as model
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.testbed.usage import cache
from sqlalchemy import text

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]


@pytest.fixture
def clock(ckan_config, monkeypatch):
    """Japan-time days from UTC records, the memory on and empty, and a clock the test moves (seconds)."""
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Tokyo")
    monkeypatch.setitem(ckan_config, "ckanext.testbed.usage.recorded_timezone", "UTC")
    monkeypatch.setitem(ckan_config, "ckanext.testbed.usage.cache_seconds", 60)
    cache.COUNTS.clear()
    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    yield now
    cache.COUNTS.clear()


def visit(user_key: str, url: str, at: datetime) -> None:
    model.Session.execute(
        text("INSERT INTO tracking_raw (user_key, url, tracking_type, access_timestamp) VALUES (:k, :u, 'page', :a)"),
        {"k": user_key, "u": url, "a": at},
    )
    model.Session.commit()


def views(**period) -> int:
    return call_action("testbed_usage_summary", **period)["totals"]["views"]


def test_does_a_new_visit_show_once_the_counts_are_older_than_the_seconds(clock):
    """Remembered for 60 s (also when a longer period reuses the remembered days), counted again after that."""
    dataset = factories.Dataset()
    url = f"/dataset/{dataset['name']}"
    visit("a", url, datetime(2026, 9, 2, 3, 0))
    assert views(start="2026-09-01", end="2026-09-03") == 1
    visit("b", url, datetime(2026, 9, 2, 4, 0))  # after the counts were remembered
    clock[0] += 59
    assert views(start="2026-09-01", end="2026-09-03") == 1  # remembered
    assert views(start="2026-08-31", end="2026-09-03") == 1  # a new period: only 08-31 counted, the rest remembered
    clock[0] += 2
    assert views(start="2026-09-01", end="2026-09-03") == 2  # older than 60 s: checked, changed, counted again
    assert views(start="2026-08-31", end="2026-09-03") == 2  # its days too (08-31's own count is 2 s old)


def test_are_unchanged_days_checked_and_kept_and_a_rename_counted_again(clock, monkeypatch):
    """After 60 s, days whose visits and datasets did not change are kept (not counted again); a renamed dataset
    no longer matches its old URL (as without the memory), which its day's new stamp shows."""
    from ckanext.testbed.usage import figures

    dataset = factories.Dataset(name="old-name")
    visit("a", "/dataset/old-name", datetime(2026, 9, 2, 3, 0))
    period = {"start": "2026-09-01", "end": "2026-09-03"}
    counted = []
    real_usage = figures.usage
    monkeypatch.setattr(figures, "usage", lambda *a: counted.append(a[1]) or real_usage(*a))
    assert views(**period) == 1 and len(counted) == 1
    clock[0] += 61
    assert views(**period) == 1 and len(counted) == 1  # checked: nothing changed, nothing counted
    call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id=dataset["id"], name="new-name")
    clock[0] += 61
    assert views(**period) == 0 and len(counted) == 2  # the names changed: counted again

"""ckan_seed.usage: the sample catalogue's fictional usage history (module 6's dashboard)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from ckan_seed.usage import DAYS, KEY_PREFIX, copy_text, visits

pytestmark = pytest.mark.unit

UNTIL = date(2026, 12, 1)
DATASETS = [
    {"name": "midorino-evacuation-sites", "resource_urls": ["http://ckan/dataset/e/resource/1/download/e.csv"]},
    {"name": "midorino-finance", "resource_urls": ["http://ckan/dataset/f/resource/2/download/f.csv"]},
    {"name": "midorino-aed-as-received", "resource_urls": []},
]


def test_is_the_history_reproducible_and_marked_as_fictional():
    """Does the same seed date give the same visits, all before that date, with seed- visitor keys?"""
    a, b = visits(DATASETS, UNTIL), visits(DATASETS, UNTIL)
    assert a == b and len(a) > 500
    assert all(v.user_key.startswith(KEY_PREFIX) for v in a)
    assert all(UNTIL - timedelta(days=DAYS) <= v.at.date() < UNTIL for v in a)
    assert visits(DATASETS, UNTIL + timedelta(days=1)) != a


def test_are_the_numbers_plausible():
    """Disaster data looked at most, teaching files least, weekdays busier, some downloads, a drill spike."""
    pages = [v for v in visits(DATASETS, UNTIL) if v.tracking_type == "page"]
    per = Counter(v.url for v in pages)
    assert per["/dataset/midorino-evacuation-sites"] > 3 * per["/dataset/midorino-finance"]
    assert per["/dataset/midorino-finance"] > per["/dataset/midorino-aed-as-received"]
    weekday = sum(1 for v in pages if v.at.weekday() < 5) / 5
    weekend = sum(1 for v in pages if v.at.weekday() >= 5) / 2
    assert weekday > 2 * weekend
    downloads = [v for v in visits(DATASETS, UNTIL) if v.tracking_type == "resource"]
    assert 0.1 < len(downloads) / len(pages) < 0.4
    assert not [v for v in downloads if "as-received" in v.url]  # it has no resources here
    evac = Counter(v.at.date() for v in pages if "evacuation" in v.url)
    drill = [UNTIL - timedelta(days=DAYS // 3) + timedelta(days=i) for i in range(7)]
    drill_avg = sum(evac[d] for d in drill) / 7
    overall_avg = sum(evac.values()) / DAYS
    assert drill_avg > 2 * overall_avg


def test_copy_text_is_one_escaped_line_per_visit():
    rows = visits(DATASETS[:1], UNTIL)[:3]
    text = copy_text(rows)
    assert text.count("\n") == 3
    assert text.splitlines()[0].split("\t")[1] == rows[0].url


def test_are_visits_stored_in_utc_as_ckan_writes_them():
    """Is a 09:xx visit in Japan time written as 00:xx the same day (CKAN's processes run in UTC here)?"""
    morning = next(v for v in visits(DATASETS[:1], UNTIL) if v.at.hour == 9)
    stored = copy_text([morning]).rstrip("\n").split("\t")[3]
    assert stored == morning.at.replace(hour=0).isoformat(sep=" ")
    assert stored != morning.at.isoformat(sep=" ")

"""Days of the usage actions without CKAN: Japan-time periods, zero-filled rows, what a visit is matched by."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from ckanext.testbed.usage import daily

pytestmark = pytest.mark.unit

SEPTEMBER = daily.Period(start=date(2026, 9, 1), end=date(2026, 9, 3), display="Asia/Tokyo", recorded="UTC")


def test_does_a_japan_time_period_start_nine_hours_earlier_in_utc():
    """Is 2026-09-01..03 in Japan time the UTC times 08-31 15:00 up to (not incl.) 09-03 15:00?"""
    assert SEPTEMBER.recorded_bounds() == (datetime(2026, 8, 31, 15, 0), datetime(2026, 9, 3, 15, 0))
    same = daily.Period(start=date(2026, 9, 1), end=date(2026, 9, 1), display="UTC", recorded="UTC")
    assert same.recorded_bounds() == (datetime(2026, 9, 1), datetime(2026, 9, 2))


def test_does_every_day_get_a_row_with_zero_where_nothing_was_counted():
    """Three days, one counted: three rows in date order, the others 0 (a series to plot and average as is)."""
    rows = daily.fill(SEPTEMBER, {date(2026, 9, 2): 5})
    assert rows == [
        {"date": "2026-09-01", "count": 0},
        {"date": "2026-09-02", "count": 5},
        {"date": "2026-09-03", "count": 0},
    ]
    assert daily.fill(SEPTEMBER, {date(2026, 9, 2): 5}) != daily.fill(SEPTEMBER, {})


def test_are_a_dataset_page_and_its_files_matched_by_name_id_and_urls():
    """Does a view match the dataset's name or id, and a download only its resources' URLs?"""
    datasets = [
        {"id": "a1", "name": "midorino-aed", "resources": [{"url": "http://x/a.csv"}, {"url": ""}]},
        {"id": "b2", "name": "midorino-waste", "resources": []},
    ]
    assert daily.page_targets(datasets) == ["a1", "b2", "midorino-aed", "midorino-waste"]
    assert daily.resource_targets(datasets) == ["http://x/a.csv"]
    assert daily.resource_targets([]) == [] and daily.page_targets([]) == []

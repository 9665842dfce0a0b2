"""Pure parts of the usage page (``usage/sparkline.py``, ``usage/export.py``), without CKAN."""

from __future__ import annotations

import csv
import io

import pytest
from ckanext.testbed.usage import export, sparkline

pytestmark = pytest.mark.unit


def test_is_a_long_series_summed_into_at_most_92_bars():
    """A year of days becomes 92 four-day bars whose sum is the year's total."""
    grouped, size = sparkline.buckets(list(range(365)))
    assert size == 4 and len(grouped) == 92 <= sparkline.MAX_BARS and sum(grouped) == sum(range(365))
    assert sparkline.buckets([1, 2, 3]) == ([1, 2, 3], 1)


def test_does_the_sparkline_say_in_japanese_what_it_shows():
    """One bar per non-zero day, the tallest the full height, a text alternative with total and peak."""
    svg = sparkline.bars([0, 2, 4, 0], label="閲覧数", width=40, height=22)
    assert svg.startswith('<svg class="tb-spark"') and svg.endswith("</svg>")
    assert 'aria-label="閲覧数の推移（日ごと）: 合計 6、最多 4"' in svg
    assert svg.count("<rect") == 2 and 'height="20.00"' in svg
    assert "<rect" not in sparkline.bars([0, 0], label="閲覧数")  # nothing to draw, no division by zero
    assert "&lt;" in sparkline.bars([1], label="<b>")  # the label is escaped


def test_does_the_csv_open_in_japanese_excel_without_running_formulas():
    summary = {
        "start": "2026-09-01",
        "end": "2026-09-30",
        "has_usecases": False,
        "datasets": [
            {
                "title": "=1+2",
                "name": "a",
                "organization_title": "危機管理課",
                "private": True,
                "views": 3,
                "downloads": 1,
                "requests_answered": 0,
            },
        ],
    }
    text = export.table(summary)
    assert text.startswith("\ufeff") and "\r\n" in text
    header, row = list(csv.reader(io.StringIO(text[1:])))
    assert header[-1] == "応えた要望の数" and "利活用事例の数" not in header
    assert row == ["2026-09-01", "2026-09-30", "'=1+2", "a", "危機管理課", "非公開", "3", "1", "0"]
    assert export.table({**summary, "has_usecases": True}).splitlines()[0].endswith("利活用事例の数")


def test_is_a_day_dated_by_a_fixed_shift_only_when_no_clock_change_falls_in_the_period():
    """UTC records, Japan-time days: always +9 h. Berlin across the end of summer time: no single shift (the query
    then converts each time with its zone)."""
    from datetime import date, timedelta

    from ckanext.testbed.usage import daily, figures

    tokyo = daily.Period(start=date(2026, 1, 1), end=date(2026, 12, 31), display="Asia/Tokyo", recorded="UTC")
    assert figures._shift(tokyo) == timedelta(hours=9)
    berlin = daily.Period(start=date(2026, 10, 1), end=date(2026, 11, 30), display="Europe/Berlin", recorded="UTC")
    assert figures._shift(berlin) is None
    winter = daily.Period(start=date(2026, 11, 1), end=date(2026, 11, 30), display="Europe/Berlin", recorded="UTC")
    assert figures._shift(winter) == timedelta(hours=1)


def test_is_a_page_url_matched_like_the_sql_of_daily():
    from ckanext.testbed.usage import figures

    matched = {
        url: (m.group(1) if (m := figures.PAGE_PATH.match(url)) else None)
        for url in (
            "/dataset/aed",
            "/ja/dataset/aed/",
            "/zh_Hant/dataset/aed",
            "/dataset/aed/resource/x",
            "/dataset/a?x",
        )
    }
    assert matched == {
        "/dataset/aed": "aed",
        "/ja/dataset/aed/": "aed",
        "/zh_Hant/dataset/aed": "aed",
        "/dataset/aed/resource/x": None,
        "/dataset/a?x": None,
    }


def test_does_the_memory_keep_a_value_for_its_seconds_and_drop_the_oldest():
    from ckanext.testbed.usage import cache

    memory, calls = cache.Memory(entries=2), []

    def compute(value):
        return lambda: calls.append(value) or value

    assert memory.get("a", compute(1), 60) == 1 and memory.get("a", compute(2), 60) == 1  # remembered
    assert memory.get("a", compute(3), 0) == 3  # 0 seconds: always computed
    memory.get("b", compute(4), 60), memory.get("c", compute(5), 60)  # "a" is the oldest: dropped
    assert memory.get("a", compute(6), 60) == 6 and calls == [1, 3, 4, 5, 6]

"""Views and downloads per day (``usage/``, action ``testbed_usage_daily``) in real CKAN 2.12.

Visits are written into ``tracking_raw`` as CKAN's tracking middleware writes them (naive UTC times; the
option ``ckanext.testbed.usage.recorded_timezone`` says so) and counted per Japan-time day.
"""

from __future__ import annotations

from datetime import datetime

import ckan.model as model
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from sqlalchemy import text

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db", "zones")]


@pytest.fixture
def zones(ckan_config, monkeypatch):
    """Japan-time days from UTC records, whatever the live ckan.ini says."""
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Tokyo")
    monkeypatch.setitem(ckan_config, "ckanext.testbed.usage.recorded_timezone", "UTC")


PERIOD = {"start": "2026-09-01", "end": "2026-09-03"}


def visit(user_key: str, url: str, at: datetime, kind: str = "page") -> None:
    model.Session.execute(
        text("INSERT INTO tracking_raw (user_key, url, tracking_type, access_timestamp) VALUES (:k, :u, :t, :a)"),
        {"k": user_key, "u": url, "t": kind, "a": at},
    )
    model.Session.commit()


@pytest.fixture
def catalogue():
    """危機管理課 with a public AED dataset (one file) and a private drill log; a member and an outsider."""
    member, outsider = factories.User(name="tb-member"), factories.User(name="tb-outsider")
    org = factories.Organization(name="kikikanri-ka", users=[{"name": member["name"], "capacity": "member"}])
    aed = factories.Dataset(name="midorino-aed", owner_org=org["id"])
    csv = factories.Resource(package_id=aed["id"], url="http://files.example/aed.csv")
    secret = factories.Dataset(name="drill-log", owner_org=org["id"], private=True)
    return {"member": member, "outsider": outsider, "org": org, "aed": aed, "csv": csv, "secret": secret}


def counts(result: dict) -> list[int]:
    return [row["count"] for row in result["rows"]]


def as_user(name: str | None) -> dict:
    return {"user": name or "", "ignore_auth": False}


def test_are_views_counted_once_per_visitor_and_japan_time_day(catalogue):
    """Same visitor twice a day = 1; 15:30 UTC is the next day in Japan; /ja/ and /dataset/<id> count; a
    resource page, another dataset and a download are no views of it."""
    aed = catalogue["aed"]
    visit("a", "/dataset/midorino-aed", datetime(2026, 9, 1, 1, 0))
    visit("a", "/dataset/midorino-aed", datetime(2026, 9, 1, 2, 0))
    visit("b", "/ja/dataset/midorino-aed", datetime(2026, 9, 1, 3, 0))
    visit("c", f"/dataset/{aed['id']}", datetime(2026, 9, 1, 15, 30))  # 2026-09-02 00:30 in Japan
    visit("d", "/dataset/midorino-aed/resource/x", datetime(2026, 9, 1, 4, 0))
    visit("e", "/dataset/drill-log", datetime(2026, 9, 1, 4, 0))
    visit("f", "http://files.example/aed.csv", datetime(2026, 9, 1, 4, 0), kind="resource")
    visit("g", "/dataset/midorino-aed", datetime(2026, 8, 31, 14, 59))  # 08-31 23:59 in Japan: outside
    result = call_action("testbed_usage_daily", id="midorino-aed", kind="views", **PERIOD)
    assert result["rows"][0] == {"date": "2026-09-01", "count": 2}
    assert counts(result) == [2, 1, 0]
    assert result["total"] == 3 and result["datasets"] == ["midorino-aed"] and result["timezone"] == "Asia/Tokyo"


def test_are_downloads_the_files_of_the_dataset(catalogue):
    """kind=downloads counts its resource's URL per visitor and day, not page views."""
    visit("a", "http://files.example/aed.csv", datetime(2026, 9, 2, 1, 0), kind="resource")
    visit("b", "http://files.example/aed.csv", datetime(2026, 9, 2, 1, 0), kind="resource")
    visit("c", "http://files.example/other.csv", datetime(2026, 9, 2, 1, 0), kind="resource")
    visit("d", "/dataset/midorino-aed", datetime(2026, 9, 2, 1, 0))
    result = call_action("testbed_usage_daily", id="midorino-aed", kind="downloads", **PERIOD)
    assert counts(result) == [0, 2, 0]


def test_does_a_private_dataset_stay_hidden_from_those_who_cannot_read_it(catalogue):
    """Anonymous and outsiders get NotAuthorized for the private dataset and an organisation total without
    it; a member of the organisation sees both."""
    import ckan.plugins.toolkit as tk

    visit("a", "/dataset/drill-log", datetime(2026, 9, 1, 1, 0))
    visit("b", "/dataset/midorino-aed", datetime(2026, 9, 1, 1, 0))
    for user in (None, "tb-outsider"):
        with pytest.raises(tk.NotAuthorized):
            call_action("testbed_usage_daily", context=as_user(user), id="drill-log", **PERIOD)
        org = call_action("testbed_usage_daily", context=as_user(user), org="kikikanri-ka", **PERIOD)
        assert counts(org) == [1, 0, 0] and org["datasets"] == ["midorino-aed"], user
    mine = call_action("testbed_usage_daily", context=as_user("tb-member"), id="drill-log", **PERIOD)
    assert counts(mine) == [1, 0, 0]
    org = call_action("testbed_usage_daily", context=as_user("tb-member"), org="kikikanri-ka", **PERIOD)
    assert counts(org) == [2, 0, 0] and org["datasets"] == ["drill-log", "midorino-aed"]


def test_does_bad_input_get_a_japanese_message_naming_the_fix(catalogue):
    """Unknown kind, an unreadable date, start after end, both id and org, neither: ValidationError in Japanese."""
    import ckan.plugins.toolkit as tk

    cases = [
        ({"id": "midorino-aed", "kind": "clicks"}, "views（閲覧数）か downloads"),
        ({"id": "midorino-aed", "start": "9月1日"}, "年-月-日"),
        ({"id": "midorino-aed", "start": "2026-09-03", "end": "2026-09-01"}, "start ≦ end"),
        ({"id": "midorino-aed", "start": "2020-01-01", "end": "2026-09-01"}, "期間が長すぎます"),
        ({"id": "midorino-aed", "org": "kikikanri-ka"}, "どちらか1つ"),
        ({}, "どちらか1つ"),
    ]
    for params, words in cases:
        with pytest.raises(tk.ValidationError) as raised:
            call_action("testbed_usage_daily", **params)
        assert words in str(raised.value.error_dict), params
    with pytest.raises(tk.ObjectNotFound):
        call_action("testbed_usage_daily", id="no-such-dataset", **PERIOD)


def test_is_the_default_period_the_last_ninety_days(catalogue):
    """Without start and end: 90 rows ending today (Japan time)."""
    result = call_action("testbed_usage_daily", id="midorino-aed")
    assert len(result["rows"]) == 90 and result["rows"][-1]["date"] == result["end"]

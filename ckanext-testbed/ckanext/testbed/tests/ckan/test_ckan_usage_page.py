"""The usage page (/usage, 「カタログの利用状況」), its CSV (/usage.csv) and the action ``testbed_usage_summary`` in
real CKAN 2.12.

Visits go into ``tracking_raw`` as CKAN's tracking middleware writes them (naive UTC), requests into
``testbed_request`` and use cases into ``testbed_usecase_dataset`` with chosen times, and every expected figure
below is counted by hand from those rows (the comments say how). The period is 2026-09-01..03 in Japan time,
i.e. 2026-08-31 15:00 to 2026-09-03 15:00 UTC.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime

import ckan.model as model
import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.testbed.usage import cache, figures
from sqlalchemy import text

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db", "zones")]

PERIOD = {"start": "2026-09-01", "end": "2026-09-03"}
ESCAPED_TITLE = "避難所 <b>一覧</b> & 地図"
FORMULA_TITLE = '=HYPERLINK("http://evil.example")健診会場'


@pytest.fixture
def zones(ckan_config, monkeypatch):
    """Japan-time days from UTC records, whatever the live ckan.ini says; counts never remembered between calls
    (``test_are_the_counts_remembered_for_a_while`` turns that on)."""
    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Tokyo")
    monkeypatch.setitem(ckan_config, "ckanext.testbed.usage.recorded_timezone", "UTC")
    monkeypatch.setitem(ckan_config, "ckanext.testbed.usage.cache_seconds", 0)
    cache.COUNTS.clear()


def run(sql: str, **params) -> None:
    model.Session.execute(text(sql), params)
    model.Session.commit()


def visit(user_key: str, url: str, at: datetime, kind: str = "page") -> None:
    run(
        "INSERT INTO tracking_raw (user_key, url, tracking_type, access_timestamp) VALUES (:k, :u, :t, :a)",
        k=user_key,
        u=url,
        t=kind,
        a=at,
    )


def request(requester: dict, org: dict | None, created: datetime, closed: datetime | None = None, **extra) -> None:
    """A data request filed at ``created`` (UTC) and, if ``closed`` is given, closed then."""
    run(
        "INSERT INTO testbed_request (id, title, requester_id, organization_id, status, resolution, dataset_id,"
        " created, modified, closed_at) VALUES (:id, :title, :requester, :org, :status, :resolution, :dataset,"
        " :created, :created, :closed)",
        id=str(uuid.uuid4()),
        title="テスト要望",
        requester=requester["id"],
        org=org["id"] if org else None,
        status="closed" if closed else extra.get("status", "open"),
        resolution=extra.get("resolution", "rejected" if closed else None),
        dataset=extra.get("dataset"),
        created=created,
        closed=closed,
    )


def usecase(creator: dict, *datasets: dict) -> None:
    uid = str(uuid.uuid4())
    run(
        "INSERT INTO testbed_usecase (id, title, kind, creator_id, created, modified)"
        " VALUES (:id, '避難所マップ', 'app', :creator, now(), now())",
        id=uid,
        creator=creator["id"],
    )
    for position, dataset in enumerate(datasets):
        run(
            "INSERT INTO testbed_usecase_dataset (usecase_id, package_id, position) VALUES (:u, :p, :n)",
            u=uid,
            p=dataset["id"],
            n=position,
        )


@pytest.fixture
def city():
    """Two departments, a sandbox, their datasets, and the visits, requests and use cases counted below."""
    member, outsider = factories.User(name="tb-member"), factories.User(name="tb-outsider")
    requester = factories.User(name="tb-requester")
    trainee = factories.User(name="tb-tanaka")
    kikikanri = factories.Organization(
        name="kikikanri-ka", title="危機管理課", users=[{"name": member["name"], "capacity": "member"}]
    )
    hoken = factories.Organization(name="hoken-ka", title="保健課")
    sandbox = factories.Organization(
        name="sandbox-tanaka", title="tanaka のサンドボックス", users=[{"name": trainee["name"], "capacity": "editor"}]
    )
    aed = factories.Dataset(name="midorino-aed", title="AED設置箇所一覧", owner_org=kikikanri["id"])
    factories.Resource(package_id=aed["id"], url="http://files.example/aed.csv")
    shelters = factories.Dataset(name="hinanbasho", title=ESCAPED_TITLE, owner_org=kikikanri["id"])
    drill = factories.Dataset(name="drill-log", title="訓練記録（非公開）", owner_org=kikikanri["id"], private=True)
    factories.Resource(package_id=drill["id"], url="http://files.example/drill.csv")
    kenshin = factories.Dataset(name="kenshin", title=FORMULA_TITLE, owner_org=hoken["id"])
    upload = factories.Resource(package_id=kenshin["id"], url="http://files.example/placeholder.csv")
    run("UPDATE resource SET url_type = 'upload', url = 'kenshin.csv' WHERE id = :id", id=upload["id"])
    practice = factories.Dataset(name="practice-aed", title="練習 AED", owner_org=sandbox["id"])

    # Views (distinct visitor per Japan-time day):
    # aed: a twice on 09-01 (1) + b via /ja/ on 09-01 (1) + c by id at 15:30 UTC = 09-02 JST (1) = 3 -> days [2, 1, 0]
    visit("a", "/dataset/midorino-aed", datetime(2026, 9, 1, 1, 0))
    visit("a", "/dataset/midorino-aed", datetime(2026, 9, 1, 2, 0))
    visit("b", "/ja/dataset/midorino-aed", datetime(2026, 9, 1, 3, 0))
    visit("c", f"/dataset/{aed['id']}", datetime(2026, 9, 1, 15, 30))
    visit("g", "/dataset/midorino-aed", datetime(2026, 8, 31, 14, 59))  # 08-31 23:59 JST: before the period
    visit("h", "/dataset/midorino-aed/resource/x", datetime(2026, 9, 1, 4, 0))  # a resource page: no view
    # shelters: a and b on 09-03 = 2 -> [0, 0, 2]; kenshin: q on 09-02 = 1 -> [0, 1, 0]
    visit("a", "/dataset/hinanbasho", datetime(2026, 9, 3, 0, 0))
    visit("b", "/dataset/hinanbasho", datetime(2026, 9, 3, 1, 0))
    visit("q", "/dataset/kenshin", datetime(2026, 9, 2, 0, 0))
    visit("x", "/dataset/drill-log", datetime(2026, 9, 1, 0, 0))  # private: 1, for members only
    visit("z", "/dataset/practice-aed", datetime(2026, 9, 1, 0, 0))  # sandbox: never in the catalogue's figures
    # Downloads: aed.csv by a (twice) and b on 09-02 = 2; the upload of kenshin through another host name = 1;
    # drill.csv = 1 (members only)
    for key, minute in (("a", 0), ("a", 30), ("b", 0)):
        visit(key, "http://files.example/aed.csv", datetime(2026, 9, 2, 1, minute), kind="resource")
    url = f"http://other-host.example/dataset/{kenshin['id']}/resource/{upload['id']}/download/kenshin.csv"
    visit("k", url, datetime(2026, 9, 3, 2, 0), kind="resource")
    visit("x", "http://files.example/drill.csv", datetime(2026, 9, 1, 2, 0), kind="resource")

    # Requests (UTC). 危機管理課: received r1 r3 r6 (3); answered r1 (1.5 d), r2 (14.25 d), r6 (0.5 d) -> median 1.5;
    # open at the end r3, r4 (2). 保健課: r8 received and open. Not routed: r9 received and open. Sandbox: r10 not
    # counted. Answered with aed: r1 (公開済み) and r6 (一部対応) = 2.
    request(
        requester,
        kikikanri,
        datetime(2026, 9, 1, 1),
        datetime(2026, 9, 2, 13),
        resolution="published",
        dataset=aed["id"],
    )
    request(requester, kikikanri, datetime(2026, 8, 20, 0), datetime(2026, 9, 3, 6))
    request(requester, kikikanri, datetime(2026, 9, 2, 0), status="assigned")
    request(requester, kikikanri, datetime(2026, 8, 31, 14, 59))  # 08-31 23:59 JST: open, not received
    request(requester, kikikanri, datetime(2026, 9, 3, 15, 30))  # 09-04 00:30 JST: after the period
    request(
        requester, kikikanri, datetime(2026, 9, 1, 0), datetime(2026, 9, 1, 12), resolution="partial", dataset=aed["id"]
    )
    request(requester, kikikanri, datetime(2026, 8, 1), datetime(2026, 8, 10))  # closed before the period
    request(requester, hoken, datetime(2026, 9, 2, 3))
    request(requester, None, datetime(2026, 9, 1, 5))
    request(requester, sandbox, datetime(2026, 9, 1, 5))

    # Use cases: one of aed + shelters, one of aed + kenshin -> aed 2, shelters 1, kenshin 1; 危機管理課 2, 保健課 1
    usecase(requester, aed, shelters)
    usecase(requester, aed, kenshin)
    return {
        "member": member,
        "outsider": outsider,
        "trainee": trainee,
        "aed": aed,
        "shelters": shelters,
        "drill": drill,
        "kenshin": kenshin,
        "practice": practice,
    }


def summary_as(user: dict | None, **params) -> dict:
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return call_action("testbed_usage_summary", context=context, **{**PERIOD, **params})


def by_name(rows: list[dict]) -> dict[str, dict]:
    return {row["name"]: row for row in rows}


def test_do_the_figures_equal_the_hand_counted_visits_requests_and_use_cases(city):
    """Views, downloads, requests (received/answered/open, median days), use cases per dataset, organisation
    and overall, the per-day totals and the rankings, for an anonymous caller."""
    found = summary_as(None)
    assert (found["start"], found["end"], found["timezone"]) == ("2026-09-01", "2026-09-03", "Asia/Tokyo")
    datasets = by_name(found["datasets"])
    assert set(datasets) == {"midorino-aed", "hinanbasho", "kenshin"}  # no private, no sandbox dataset
    figures_of = {
        name: (d["views"], d["downloads"], d["requests_answered"], d["usecases"]) for name, d in datasets.items()
    }
    assert figures_of == {"midorino-aed": (3, 2, 2, 2), "hinanbasho": (2, 0, 0, 1), "kenshin": (1, 1, 0, 1)}
    assert found["has_usecases"] is True
    orgs = by_name(found["organizations"])
    assert set(orgs) == {"kikikanri-ka", "hoken-ka", None}  # the sandbox is no department
    kikikanri = orgs["kikikanri-ka"]
    assert (kikikanri["datasets"], kikikanri["views"], kikikanri["downloads"], kikikanri["usecases"]) == (2, 5, 2, 2)
    requests = ("requests_received", "requests_answered", "requests_open", "median_days_to_answer")
    assert [kikikanri[k] for k in requests] == [3, 3, 2, 1.5]
    assert kikikanri["views_by_day"] == [2, 1, 2]
    assert [orgs["hoken-ka"][k] for k in requests] == [1, 0, 1, None]
    assert (orgs["hoken-ka"]["views"], orgs["hoken-ka"]["downloads"], orgs["hoken-ka"]["usecases"]) == (1, 1, 1)
    assert [orgs[None][k] for k in requests] == [1, 0, 1, None]
    assert found["totals"] == {
        "datasets": 3,
        "views": 6,
        "downloads": 3,
        "requests_received": 5,
        "requests_answered": 3,
        "requests_open": 4,
        "median_days_to_answer": 1.5,
        "usecases": 2,
    }
    assert found["daily"] == [
        {"date": "2026-09-01", "views": 2, "downloads": 0},
        {"date": "2026-09-02", "views": 2, "downloads": 2},
        {"date": "2026-09-03", "views": 2, "downloads": 1},
    ]
    assert [r["name"] for r in found["rankings"]["views"]] == ["midorino-aed", "hinanbasho", "kenshin"]
    assert [r["name"] for r in found["rankings"]["downloads"]] == ["midorino-aed", "kenshin"]
    assert [(r["name"], r["count"]) for r in found["rankings"]["requests"]] == [("kikikanri-ka", 3), ("hoken-ka", 1)]


def test_does_each_dataset_agree_with_testbed_usage_daily(city):
    """The same visits counted by the per-day action give the same totals (the member sees the private one)."""
    member = {"user": "tb-member", "ignore_auth": False}
    found = summary_as(city["member"], with_days=True)
    assert {d["name"] for d in found["datasets"]} == {"midorino-aed", "hinanbasho", "kenshin", "drill-log"}
    for row in found["datasets"]:
        if row["name"] == "kenshin":
            continue  # its download came through another host name, which the per-day action does not match
        for kind in ("views", "downloads"):
            daily = call_action("testbed_usage_daily", context=dict(member), id=row["name"], kind=kind, **PERIOD)
            assert row[f"{kind}_by_day"] == [r["count"] for r in daily["rows"]], (row["name"], kind)
            assert row[kind] == daily["total"], (row["name"], kind)


def test_is_a_private_dataset_counted_only_for_those_who_may_read_it(city, app):
    """Anonymous and outsiders: no drill-log anywhere (JSON, page, CSV); its organisation's member and a sysadmin
    see it, with its view and download in the totals."""
    for user in (None, city["outsider"], city["trainee"]):
        found = summary_as(user)
        assert "drill-log" not in by_name(found["datasets"]), user
        assert (found["totals"]["views"], found["totals"]["downloads"]) == (6, 3), user
    for user in (city["member"], factories.Sysadmin()):
        found = summary_as(user)
        assert by_name(found["datasets"])["drill-log"]["views"] == 1
        assert (found["totals"]["views"], found["totals"]["downloads"]) == (7, 4)
        assert by_name(found["organizations"])["kikikanri-ka"]["datasets"] == 3
    outsider = {"Authorization": factories.APIToken(user=city["outsider"]["id"])["token"]}
    member = {"Authorization": factories.APIToken(user=city["member"]["id"])["token"]}
    for headers in ({}, outsider):
        assert "訓練記録（非公開）" not in app.get("/usage", query_string=PERIOD, headers=headers).body
        assert "訓練記録（非公開）" not in app.get("/usage.csv", query_string=PERIOD, headers=headers).body
    page = app.get("/usage", query_string=PERIOD, headers=member).body
    assert "訓練記録（非公開）" in page and "非公開</span>" in page
    assert "訓練記録（非公開）" in app.get("/usage.csv", query_string=PERIOD, headers=member).body


def test_does_the_page_show_the_figures_in_japanese_with_escaped_titles(city, app):
    """The page's title, totals, rankings and tables; a title with HTML shows as text; trends are inline SVG."""
    page = app.get("/usage", query_string=PERIOD).body
    assert "<h1>カタログの利用状況</h1>" in page
    assert "2026-09-01 〜 2026-09-03" in page
    assert '<span class="tb-usage-num" id="tb-total-views">6</span>' in page
    assert '<span class="tb-usage-num" id="tb-total-received">5</span>' in page
    assert '<span class="tb-usage-num" id="tb-total-median">1.5</span>' in page
    assert '<span class="tb-usage-num" id="tb-total-usecases">2</span>' in page
    assert "避難所 &lt;b&gt;一覧&lt;/b&gt; &amp; 地図" in page and "<b>一覧</b>" not in page
    assert "よく見られているデータセット" in page and "要望が多い担当課" in page
    assert page.count('<svg class="tb-spark"') == 2 + 3 + 3  # totals, 3 organisation rows, 3 datasets
    assert "利用状況" in app.get("/organization/kikikanri-ka").body  # the organisation page's tab
    one = app.get("/usage", query_string={**PERIOD, "org": "hoken-ka"}).body
    assert "カタログの利用状況: 保健課" in one and "AED設置箇所一覧" not in one
    assert "組織「no-such-org」が見つかりません" in app.get("/usage", query_string={"org": "no-such-org"}).body
    assert "start ≦ end" in app.get("/usage", query_string={"start": "2026-09-03", "end": "2026-09-01"}).body


def test_is_the_csv_for_japanese_excel(city, app):
    """UTF-8 with a BOM, Japanese headers, one row per dataset, a formula-like title defused with a quote."""
    response = app.get("/usage.csv", query_string=PERIOD)
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "期間の初日",
        "期間の最終日",
        "データセット名",
        "URL名",
        "担当課",
        "公開状態",
        "閲覧数",
        "ダウンロード数",
        "応えた要望の数",
        "利活用事例の数",
    ]
    body = {row[3]: row for row in rows[1:]}
    assert body["midorino-aed"] == [
        "2026-09-01",
        "2026-09-03",
        "AED設置箇所一覧",
        "midorino-aed",
        "危機管理課",
        "公開",
        "3",
        "2",
        "2",
        "2",
    ]
    assert body["kenshin"][2] == "'" + FORMULA_TITLE
    assert body["hinanbasho"][2] == ESCAPED_TITLE
    orgs = list(
        csv.reader(
            io.StringIO(
                app.get("/usage.csv", query_string={**PERIOD, "table": "organizations"}).data.decode("utf-8-sig")
            )
        )
    )
    assert orgs[0][2:] == [
        "担当課",
        "URL名",
        "データセット数",
        "閲覧数",
        "ダウンロード数",
        "受け付けた要望",
        "回答した要望",
        "未完了の要望",
        "回答までの日数（中央値）",
        "利活用事例の数",
    ]
    assert ["危機管理課", "kikikanri-ka", "2", "5", "2", "3", "3", "2", "1.5", "2"] in [row[2:] for row in orgs]


def test_is_the_use_case_column_left_out_without_the_use_case_tables(city, app, monkeypatch):
    """A catalogue without the use-case tables (not migrated yet): no column in the JSON, page or CSV."""
    monkeypatch.setattr(figures, "_HAS_USECASES", "SELECT false")
    found = summary_as(None)
    assert found["has_usecases"] is False and "usecases" not in found["totals"]
    assert "usecases" not in found["datasets"][0] and "usecases" not in found["organizations"][0]
    page = app.get("/usage", query_string=PERIOD).body
    assert 'id="tb-total-usecases"' not in page and '<th class="tb-num">利活用事例</th>' not in page
    assert "利活用事例の数" not in app.get("/usage.csv", query_string=PERIOD).data.decode("utf-8-sig")


def test_a_sandbox_is_summarised_only_when_asked_for(city):
    """org=sandbox-tanaka gives its practice dataset; its training copy request only for its members."""
    anonymous = summary_as(None, org="sandbox-tanaka")
    assert [d["name"] for d in anonymous["datasets"]] == ["practice-aed"] and anonymous["totals"]["views"] == 1
    assert anonymous["totals"]["requests_received"] == 0
    assert summary_as(city["trainee"], org="sandbox-tanaka")["totals"]["requests_received"] == 1


def test_does_bad_input_get_a_japanese_message(city):
    cases = [
        ({"start": "9月1日"}, "年-月-日"),
        ({"start": "2026-09-03", "end": "2026-09-01"}, "start ≦ end"),
        ({"start": "2020-01-01", "end": "2026-09-01"}, "期間が長すぎます"),
    ]
    for params, words in cases:
        with pytest.raises(tk.ValidationError) as raised:
            call_action("testbed_usage_summary", **params)
        assert words in str(raised.value.error_dict), params
    with pytest.raises(tk.ObjectNotFound):
        call_action("testbed_usage_summary", org="no-such-org")
    default = call_action("testbed_usage_summary")
    assert len(default["days"]) == 90 and default["days"][-1] == default["end"]


def test_are_the_counts_remembered_for_a_while_but_never_who_may_see_them(city, ckan_config, monkeypatch):
    """With the memory on, a new visit shows only after it expires; a private dataset's count, remembered after a
    member's call, still never reaches an anonymous caller."""
    monkeypatch.setitem(ckan_config, "ckanext.testbed.usage.cache_seconds", 60)
    assert by_name(summary_as(city["member"])["datasets"])["drill-log"]["views"] == 1
    visit("new", "/dataset/midorino-aed", datetime(2026, 9, 3, 3, 0))
    anonymous = summary_as(None)
    assert "drill-log" not in by_name(anonymous["datasets"]) and anonymous["totals"]["views"] == 6  # remembered
    cache.COUNTS.clear()
    assert summary_as(None)["totals"]["views"] == 7

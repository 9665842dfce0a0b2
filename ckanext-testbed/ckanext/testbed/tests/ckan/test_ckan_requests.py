"""Data requests (データ公開の要望, ``requests/``) inside real CKAN 2.12: their life, search, permissions, bad input.

A self-registered requester asks 危機管理課 of the city for data; a coordinator (調整役) routes it; the
department's editor discusses and closes it with the dataset that answers it. Every action runs as the
person who would do it (``ignore_auth`` off), so the auth functions are exercised, not skipped.
"""

from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.testbed.requests import messages

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]


def act(action: str, who: dict | None, /, **data):
    """Call an action as ``who`` (a user dict; None: anonymous) with authorisation checked."""
    context = {"user": who["name"] if who else "", "ignore_auth": False}
    return call_action(action, context=context, **data)


def kinds(user: dict) -> list[str]:
    """The kinds of the user's notifications, oldest first."""
    return [n["kind"] for n in reversed(act("testbed_request_notifications", user)["results"])]


@pytest.fixture
def city():
    """危機管理課 (an editor, a public and a private dataset), 保健課 (a private dataset), people around them."""
    sysadmin = factories.Sysadmin()
    requester = factories.User(name="tb-req-yamada", fullname="山田 物流")
    other_requester = factories.User(name="tb-req-suzuki")
    coordinator = factories.User(name="tb-coordinator")
    staff = factories.User(name="tb-kikikanri-sato")
    health_staff = factories.User(name="tb-hoken-ito")
    trainee = factories.User(name="tb-tanaka")
    org = factories.Organization(
        name="kikikanri-ka", title="危機管理課", users=[{"name": staff["name"], "capacity": "editor"}]
    )
    health = factories.Organization(
        name="hoken-ka", title="保健課", users=[{"name": health_staff["name"], "capacity": "editor"}]
    )
    sandbox = factories.Organization(
        name="sandbox-tanaka", title="tanaka のサンドボックス", users=[{"name": trainee["name"], "capacity": "editor"}]
    )
    shelters = factories.Dataset(name="hinanbasho", title="指定緊急避難場所一覧", owner_org=org["id"])
    drills = factories.Dataset(name="kunren-kiroku", title="訓練記録", owner_org=org["id"], private=True)
    patients = factories.Dataset(name="kanja-meibo", title="患者名簿", owner_org=health["id"], private=True)
    practice_copy = factories.Dataset(name="hinanbasho-copy", title="指定緊急避難場所一覧", owner_org=sandbox["id"])
    act("testbed_request_coordinator_set", sysadmin, user=coordinator["name"])
    return {
        "sysadmin": sysadmin,
        "requester": requester,
        "other_requester": other_requester,
        "coordinator": coordinator,
        "staff": staff,
        "health_staff": health_staff,
        "trainee": trainee,
        "org": org,
        "sandbox": sandbox,
        "shelters": shelters,
        "drills": drills,
        "patients": patients,
        "practice_copy": practice_copy,
    }


def file_request(city, **extra) -> dict:
    data = {
        "title": "指定緊急避難場所を GeoJSON で",
        "description": "避難場所の位置と災害種別を地図アプリで使いたい。",
        "purpose": "物流の災害時ルート計画",
        "data_format": "GeoJSON",
        "area": "市内全域",
    }
    return act("testbed_request_create", city["requester"], **{**data, **extra})


def test_the_full_life_of_a_request_with_its_notifications(city):
    """Create as a requester → a coordinator routes and assigns → discussion → the editor closes it with the
    dataset: is each step allowed to the right person only, and is everyone involved notified?"""
    requester, coordinator, staff = city["requester"], city["coordinator"], city["staff"]
    created = file_request(city)
    rid = created["id"]
    assert created["status"] == "open" and created["status_label"] == "受付中" and created["organization"] is None
    assert created["requester"] == requester["name"]
    assert kinds(coordinator) == ["created"]  # nobody's department yet: the coordinators hear of it
    assert kinds(requester) == [] and kinds(staff) == []

    with pytest.raises(tk.NotAuthorized):  # the editor of another department cannot take it
        act("testbed_request_assign", city["health_staff"], id=rid, organization="hoken-ka")
    with pytest.raises(tk.NotAuthorized):  # nor can the requester close their own request
        act("testbed_request_close", requester, id=rid, resolution="duplicate", duplicate_of=rid)

    assigned = act("testbed_request_assign", coordinator, id=rid, organization="kikikanri-ka", assignee=staff["name"])
    assert assigned["status"] == "assigned" and assigned["status_label"] == "対応中"
    assert assigned["organization"]["title"] == "危機管理課" and assigned["assignee"] == staff["name"]
    assert kinds(staff) == ["assigned"] and kinds(requester) == ["assigned"]

    with pytest.raises(tk.NotAuthorized):  # an outsider takes no part in the discussion
        act("testbed_request_comment", city["other_requester"], id=rid, text="私も欲しいです")
    act("testbed_request_comment", staff, id=rid, text="来月、GeoJSON でも公開する予定です。")
    act("testbed_request_comment", requester, id=rid, text="ありがとうございます。")
    assert kinds(requester) == ["assigned", "commented"]
    assert kinds(staff) == ["assigned", "commented"]

    closed = act(
        "testbed_request_close", staff, id=rid, resolution="published", dataset="hinanbasho", note="公開しました。"
    )
    assert closed["status"] == "closed" and closed["resolution_label"] == "公開済み"
    assert closed["dataset"] == {"id": city["shelters"]["id"], "name": "hinanbasho", "title": "指定緊急避難場所一覧"}
    assert kinds(requester) == ["assigned", "commented", "closed"]
    assert kinds(staff) == ["assigned", "commented"]  # the closer is not told of their own act
    latest = act("testbed_request_notifications", requester)["results"][0]
    assert latest["message"] == "要望「指定緊急避難場所を GeoJSON で」が公開済みとして完了しました。"
    assert latest["created"].endswith("+09:00")

    shown = act("testbed_request_show", requester, id=rid)
    assert [(c["role"], c["text"]) for c in shown["comments"]] == [
        ("担当課", "来月、GeoJSON でも公開する予定です。"),
        ("要望者", "ありがとうございます。"),
    ]
    assert shown["age_days"] == 0 and shown["closed_at"].endswith("+09:00")
    with pytest.raises(tk.ValidationError) as again:
        act("testbed_request_close", staff, id=rid, resolution="partial")
    assert again.value.error_dict == {"id": [messages.ALREADY_CLOSED]}

    listed = act("testbed_request_list", None, organization="kikikanri-ka")
    assert [r["id"] for r in listed["results"]] == [rid] and listed["results"][0]["status_label"] == "完了"
    assert listed["status_counts"] == {"open": 0, "assigned": 0, "closed": 1}
    assert act("testbed_request_list", None, organization="hoken-ka")["count"] == 0

    assert act("testbed_request_notifications", requester)["unread"] == 3
    assert act("testbed_request_notifications_read", requester)["marked"] == 3
    assert act("testbed_request_notifications", requester, unread_only=True)["results"] == []
    assert act("testbed_request_notifications", staff)["unread"] == 2  # someone else's stay unread


def test_is_a_two_character_japanese_substring_found_without_solr(city):
    """Do 保育, 避難 and full-width ＧｅｏＪＳＯＮ find exactly the requests containing them (all words must occur)?"""
    nursery = file_request(
        city, title="保育施設の空き状況を毎週", description="", purpose="", data_format="CSV", area=""
    )
    shelters = file_request(city)
    file_request(
        city, title="ごみ収集日カレンダー", description="地区ごとの収集日", purpose="", data_format="", area=""
    )

    def found(q: str) -> list[str]:
        result = act("testbed_request_list", city["other_requester"], q=q)
        assert result["count"] == len(result["results"])
        return [r["id"] for r in result["results"]]

    assert found("保育") == [nursery["id"]]
    assert found("避難") == [shelters["id"]]
    assert found("ＧｅｏＪＳＯＮ") == [shelters["id"]]  # NFKC folding, as the dataset search
    assert found("空き 毎週") == [nursery["id"]]
    assert found("空き 避難") == []
    assert found("図書") == []
    assert found("%") == []  # LIKE wildcards match literally
    assert len(found("")) == 3


def test_bad_input_gets_a_japanese_message_and_changes_nothing(city):
    """Empty title, anonymous filing, closing with a dataset the closer cannot read or without what the
    resolution needs, a comment with HTML: refused with a message naming the field, or kept as plain text?"""
    with pytest.raises(tk.ValidationError) as empty:
        act("testbed_request_create", city["requester"], title="  　", description="何か")
    assert empty.value.error_dict == {"title": ["タイトルを入力してください。"]}
    with pytest.raises(tk.NotAuthorized):
        act("testbed_request_create", None, title="匿名の要望")
    assert act("testbed_request_list", city["sysadmin"])["count"] == 0

    rid = file_request(city, organization="kikikanri-ka")["id"]
    staff = city["staff"]
    with pytest.raises(tk.ValidationError) as unreadable:  # 保健課's private dataset
        act("testbed_request_close", staff, id=rid, resolution="published", dataset="kanja-meibo")
    assert unreadable.value.error_dict == {"dataset": [messages.DATASET_UNREADABLE.format(name="kanja-meibo")]}
    with pytest.raises(tk.ValidationError) as private:  # its own, but not published
        act("testbed_request_close", staff, id=rid, resolution="published", dataset="kunren-kiroku")
    assert private.value.error_dict == {"dataset": [messages.DATASET_NOT_PUBLIC.format(name="訓練記録")]}
    with pytest.raises(tk.ValidationError) as missing:
        act("testbed_request_close", staff, id=rid, resolution="published")
    assert missing.value.error_dict == {"dataset": [messages.DATASET_REQUIRED]}
    with pytest.raises(tk.ValidationError) as no_reason:
        act("testbed_request_close", staff, id=rid, resolution="rejected")
    assert no_reason.value.error_dict == {"reason": [messages.REASON_REQUIRED], "note": [messages.NOTE_REQUIRED]}
    with pytest.raises(tk.ValidationError) as wrong:
        act("testbed_request_close", staff, id=rid, resolution="done")
    assert "対応結果「done」は選べません" in wrong.value.error_dict["resolution"][0]
    unchanged = act("testbed_request_show", staff, id=rid)
    assert unchanged["status"] == "open" and unchanged["resolution"] is None and unchanged["dataset"] is None

    script = '<script>alert("x")</script><b>太字</b>'
    act("testbed_request_comment", city["requester"], id=rid, text=script)
    assert act("testbed_request_show", None, id=rid)["comments"][0]["text"] == script

    rejected = act(
        "testbed_request_close", staff, id=rid, resolution="rejected", reason="personal_data", note="個人情報のため"
    )
    assert rejected["resolution_label"] == "対応不可" and rejected["reason_label"] == "個人情報を含むため"


def test_a_requester_cannot_read_a_private_dataset_through_a_request(city):
    """When the answering dataset is made private later, does the requester's view of the request hide it
    (with a Japanese note) while the link stays for staff, and does CKAN refuse the dataset itself?"""
    rid = file_request(city, organization="kikikanri-ka")["id"]
    act("testbed_request_close", city["staff"], id=rid, resolution="published", dataset="hinanbasho")
    assert act("testbed_request_show", city["requester"], id=rid)["dataset"]["name"] == "hinanbasho"
    act("package_patch", city["sysadmin"], id="hinanbasho", private=True)

    seen = act("testbed_request_show", city["requester"], id=rid)
    assert seen["dataset"] is None and seen["dataset_hidden"] == messages.DATASET_HIDDEN
    assert "hinanbasho" not in str(seen) and city["shelters"]["id"] not in str(seen)
    with pytest.raises(tk.NotAuthorized):
        act("package_show", city["requester"], id="hinanbasho")
    staff_view = act("testbed_request_show", city["staff"], id=rid)
    assert staff_view["dataset"]["name"] == "hinanbasho" and staff_view["status"] == "closed"


def test_training_copies_are_seen_and_answered_only_in_the_trainees_sandbox(city):
    """Is a request routed to a trainee's sandbox hidden from outsiders, answerable by the trainee with the
    sandbox's dataset, while the trainee cannot act on the city's requests, nor anyone grant the coordinator role?"""
    with pytest.raises(tk.ValidationError) as refused:
        file_request(city, organization="sandbox-tanaka")
    assert refused.value.error_dict == {"organization": [messages.PRACTICE_ORG]}
    copy = act(
        "testbed_request_create",
        city["coordinator"],
        title="保育施設の空き状況 (研修用)",
        organization="sandbox-tanaka",
    )
    city_request = file_request(city, organization="kikikanri-ka")

    outsider = city["other_requester"]
    assert [r["id"] for r in act("testbed_request_list", outsider)["results"]] == [city_request["id"]]
    with pytest.raises(tk.NotAuthorized):
        act("testbed_request_show", outsider, id=copy["id"])
    assert act("testbed_request_list", city["coordinator"])["count"] == 2
    assert {r["id"] for r in act("testbed_request_list", city["trainee"])["results"]} == {
        copy["id"],
        city_request["id"],
    }

    trainee = city["trainee"]
    with pytest.raises(tk.NotAuthorized):
        act("testbed_request_close", trainee, id=city_request["id"], resolution="published", dataset="hinanbasho-copy")
    closed = act("testbed_request_close", trainee, id=copy["id"], resolution="published", dataset="hinanbasho-copy")
    assert closed["status"] == "closed" and closed["dataset"]["name"] == "hinanbasho-copy"

    with pytest.raises(tk.NotAuthorized):
        act("testbed_request_coordinator_set", trainee, user=trainee["name"])
    assert act("testbed_request_coordinator_list", city["sysadmin"]) == [city["coordinator"]["name"]]

    with pytest.raises(tk.NotAuthorized):  # only sysadmins delete, with the whole discussion
        act("testbed_request_delete", city["coordinator"], id=copy["id"])
    act("testbed_request_comment", trainee, id=copy["id"], text="公開しました")
    act("testbed_request_delete", city["sysadmin"], id=copy["id"])
    with pytest.raises(tk.ObjectNotFound):
        act("testbed_request_show", city["sysadmin"], id=copy["id"])
    assert act("testbed_request_list", city["sysadmin"])["count"] == 1


TRAINING_COPIES = (
    "【研修】指定緊急避難場所の一覧を GeoJSON で公開してほしい",
    "【研修】避難行動要支援者名簿を公開してほしい",
)


def provision_training_copies(sysadmin: dict, requester: dict, sandbox: str) -> list[dict]:
    """File the role-play's training copies as trainee provisioning does (``ckan_seed/sample_requests.py``,
    ``ensure_training_requests``): the site's sysadmin, for the fictional requester, straight to the sandbox."""
    return [
        act("testbed_request_create", sysadmin, title=title, organization=sandbox, requester=requester["name"])
        for title in TRAINING_COPIES
    ]


def test_provisioning_training_copies_tells_only_the_trainee(city):
    """Do a trainee's training copies, filed by a sysadmin on the fictional requester's behalf straight into the
    sandbox the sysadmin made, notify the trainee once per copy, and never the coordinators, the requester (whose
    requests they are) nor the sysadmin? (Filed to no department and then routed, each copy told every coordinator.)"""
    sysadmin, requester, coordinator = city["sysadmin"], city["requester"], city["coordinator"]
    trainee = factories.User(name="tb-kobayashi")
    act("organization_create", sysadmin, name="sandbox-kobayashi", title="kobayashi のサンドボックス")
    act("organization_member_create", sysadmin, id="sandbox-kobayashi", username=trainee["name"], role="editor")

    copies = provision_training_copies(sysadmin, requester, "sandbox-kobayashi")

    assert kinds(coordinator) == [] and kinds(requester) == [] and kinds(sysadmin) == []
    assert kinds(trainee) == ["created"] * len(TRAINING_COPIES)
    assert kinds(city["trainee"]) == [] and kinds(city["staff"]) == []
    notes = act("testbed_request_notifications", trainee)["results"]
    assert {n["request_id"] for n in notes} == {c["id"] for c in copies}
    assert {n["actor"] for n in notes} == {requester["name"]}  # the requester filed them, in the trainee's eyes
    for copy in copies:
        assert copy["organization"]["name"] == "sandbox-kobayashi" and copy["status"] == "open"
        mine = act("testbed_request_show", requester, id=copy["id"])
        assert mine["requester"] == requester["name"] and mine["is_mine"] and mine["following"]
    assert act("testbed_request_list", requester, mine=True)["count"] == len(TRAINING_COPIES)
    assert act("testbed_request_list", city["trainee"], organization="sandbox-kobayashi")["count"] == 0


@pytest.mark.parametrize("who", ["coordinator", "staff", "trainee", "requester"])
def test_only_a_sysadmin_files_a_request_on_someone_elses_behalf(city, who):
    """Is anyone but a sysadmin who names a ``requester`` refused in Japanese with nothing filed, and does a
    sysadmin naming no such user get a Japanese message on that field?"""
    with pytest.raises(tk.NotAuthorized) as refused:
        act(
            "testbed_request_create",
            city[who],
            title="代わりに出す要望",
            organization="kikikanri-ka",
            requester=city["other_requester"]["name"],
        )
    assert messages.ONLY_SYSADMIN_REQUESTER in str(refused.value)
    with pytest.raises(tk.ValidationError) as unknown:
        act("testbed_request_create", city["sysadmin"], title="代わりに出す要望", requester="tb-nobody")
    assert unknown.value.error_dict == {"requester": [messages.USER_NOT_FOUND.format(name="tb-nobody")]}
    assert act("testbed_request_list", city["sysadmin"])["count"] == 0
    assert kinds(city["coordinator"]) == []


def test_the_pages_file_list_and_discuss_a_request_in_japanese(app, city):
    """Do /data-request, /data-request/new and /data-request/<id> work in Japanese: an empty title refused with
    the field's message, a filed request listed and found by 保育, a comment with HTML shown as text?"""
    token = factories.APIToken(user=city["requester"]["id"])["token"]
    auth = {"Authorization": token}
    anonymous = app.get("/data-request/").body
    assert "データ公開の要望" in anonymous and "サインイン" in anonymous and "0 件の要望" in anonymous
    app.get("/data-request/new", status=403)

    empty = app.post("/data-request/new", data={"title": " ", "description": "毎週の空き"}, headers=auth).body
    assert "タイトルを入力してください。" in empty and "毎週の空き" in empty  # what was typed stays in the form
    assert act("testbed_request_list", city["sysadmin"])["count"] == 0

    filed = app.post(
        "/data-request/new",
        data={"title": "保育施設の空き状況を毎週", "data_format": "CSV", "organization": ""},
        headers=auth,
        follow_redirects=False,
    )
    assert filed.status_code == 302
    rid = filed.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    assert act("testbed_request_show", city["requester"], id=rid)["title"] == "保育施設の空き状況を毎週"

    listed = app.get("/data-request/", query_string={"q": "保育"}).body
    assert "保育施設の空き状況を毎週" in listed and "1 件の要望" in listed and "受付中" in listed
    assert "該当する要望はありません" in app.get("/data-request/", query_string={"q": "図書"}).body

    app.post(f"/data-request/{rid}", data={"text": "<script>alert(1)</script>よろしく"}, headers=auth)
    page = app.get(f"/data-request/{rid}").body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;よろしく" in page and "<script>alert(1)</script>" not in page
    assert "調整役が確認中" in page
    app.get("/data-request/no-such-id", status=404)


def test_staff_and_coordinators_route_take_and_close_a_request_on_its_page(app, city):
    """Do the request page's forms work only for those allowed: a coordinator (offered the departments, then the
    sandboxes labelled 研修用) routes to 危機管理課, its editor
    takes it on, a private dataset is refused with the Japanese message (nothing changed), the public one
    given by its page URL closes it, and the dataset page and the site menu link to the requests?"""
    people = ("requester", "coordinator", "staff")
    headers = {key: {"Authorization": factories.APIToken(user=city[key]["id"])["token"]} for key in people}
    rid = file_request(city)["id"]
    url = f"/data-request/{rid}"

    assert "振り分ける" not in app.get(url, headers=headers["requester"]).body  # requesters see no staff forms
    assert "完了にする" not in app.get(url).body
    app.post(f"{url}/close", data={"resolution": "rejected"}, headers=headers["requester"])
    assert act("testbed_request_show", city["requester"], id=rid)["status"] == "open"  # refused, nothing changed

    coordinator_page = app.get(url, headers=headers["coordinator"]).body
    assert "担当課への振り分け" in coordinator_page
    # the city's departments first, then the sandboxes, labelled 研修用 (routed there, a request is a training copy)
    assert coordinator_page.index('value="kikikanri-ka"') < coordinator_page.index('value="sandbox-tanaka"')
    assert "研修用: tanaka のサンドボックス" in coordinator_page
    routed = app.post(f"{url}/assign", data={"organization": "kikikanri-ka"}, headers=headers["coordinator"]).body
    assert "要望を担当課「危機管理課」に振り分けました。" in routed
    assert act("testbed_request_show", city["requester"], id=rid)["organization"]["name"] == "kikikanri-ka"

    staff_page = app.get(url, headers=headers["staff"]).body
    assert "担当課への振り分け" not in staff_page and "対応中にする" in staff_page  # only coordinators route
    taken = app.post(f"{url}/assign", data={"take": "1"}, headers=headers["staff"]).body
    assert "要望を対応中にしました。" in taken
    assert act("testbed_request_show", city["staff"], id=rid)["assignee"] == city["staff"]["name"]

    private = app.post(
        f"{url}/close", data={"resolution": "published", "dataset": "kunren-kiroku"}, headers=headers["staff"]
    ).body
    assert "データセット「訓練記録」は公開されていません。" in private and 'value="kunren-kiroku"' in private
    refused = app.post(f"{url}/close", data={"resolution": "rejected", "note": ""}, headers=headers["staff"]).body
    assert messages.REASON_REQUIRED in refused and messages.NOTE_REQUIRED in refused
    assert act("testbed_request_show", city["staff"], id=rid)["status"] == "assigned"

    closed = app.post(
        f"{url}/close",
        data={"resolution": "published", "dataset": "http://localhost/dataset/hinanbasho?x=1", "note": "<b>公開</b>"},
        headers=headers["staff"],
    ).body
    assert "要望を「公開済み」として完了にしました。" in closed and "&lt;b&gt;公開&lt;/b&gt;" in closed
    shown = act("testbed_request_show", city["requester"], id=rid)
    assert shown["resolution"] == "published" and shown["dataset"]["name"] == "hinanbasho"
    assert "完了にする" not in app.get(url, headers=headers["staff"]).body  # a closed request has no forms

    dataset_page = app.get("/dataset/hinanbasho").body
    assert "このデータで応えた要望" in dataset_page and f'href="/data-request/{rid}"' in dataset_page
    assert "このデータで応えた要望" not in app.get("/dataset/kunren-kiroku", headers=headers["staff"]).body
    assert 'href="/data-request/"' in dataset_page and "データ公開の要望" in dataset_page  # the site menu


@pytest.mark.parametrize("removal", ["organization_delete", "organization_purge"])
def test_a_deleted_or_purged_sandbox_takes_its_training_copies_along(city, removal):
    """When a trainee's sandbox is deleted (CKAN's pages, then the trash) or purged, are its training copies gone
    with it, instead of staying as requests without an organisation that everyone could read? A department's
    request stays when its organisation goes."""
    copy = act(
        "testbed_request_create",
        city["coordinator"],
        title="保育施設の空き状況 (研修用)",
        organization="sandbox-tanaka",
    )
    act("testbed_request_comment", city["trainee"], id=copy["id"], text="確認します")
    factories.Organization(name="kankyo-ka", title="環境課")  # a department without datasets
    city_request = file_request(city, organization="kankyo-ka")
    outsider = city["other_requester"]
    with pytest.raises(tk.NotAuthorized):
        act("testbed_request_show", outsider, id=copy["id"])

    act(removal, city["sysadmin"], id="sandbox-tanaka")

    with pytest.raises(tk.ObjectNotFound):
        act("testbed_request_show", city["sysadmin"], id=copy["id"])
    assert [r["id"] for r in act("testbed_request_list", outsider)["results"]] == [city_request["id"]]
    act(removal, city["sysadmin"], id="kankyo-ka")
    assert act("testbed_request_show", city["sysadmin"], id=city_request["id"])["id"] == city_request["id"]

"""Use cases (利活用事例, ``usecases/``) inside real CKAN 2.12: registered, shown on the dataset page and in the
gallery, searched by two Japanese characters; private datasets, bad input and HTML refused or shown as text.

Every action runs as the person who would do it (``ignore_auth`` off), so the auth functions are exercised.
"""

from __future__ import annotations

import base64
import io

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.testbed.usecases import messages
from werkzeug.datastructures import FileStorage

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]

# the smallest valid PNG (1×1, transparent) and a GIF (not accepted)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def act(action: str, who: dict | None, /, **data):
    """Call an action as ``who`` (a user dict; None: anonymous) with authorisation checked."""
    context = {"user": who["name"] if who else "", "ignore_auth": False}
    return call_action(action, context=context, **data)


def upload(content: bytes, filename: str, content_type: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=filename, content_type=content_type)


@pytest.fixture
def city():
    """危機管理課 (an editor, a public and a private dataset), a civic-tech member, a trainee with a sandbox."""
    sysadmin = factories.Sysadmin()
    civic = factories.User(name="tb-civic-midori")
    other = factories.User(name="tb-other-user")
    staff = factories.User(name="tb-kikikanri-sato")
    trainee = factories.User(name="tb-tanaka")
    org = factories.Organization(
        name="kikikanri-ka", title="危機管理課", users=[{"name": staff["name"], "capacity": "editor"}]
    )
    sandbox = factories.Organization(
        name="sandbox-tanaka", title="tanaka のサンドボックス", users=[{"name": trainee["name"], "capacity": "editor"}]
    )
    shelters = factories.Dataset(name="hinanbasho", title="指定緊急避難場所一覧", owner_org=org["id"])
    drills = factories.Dataset(name="kunren-kiroku", title="訓練記録", owner_org=org["id"], private=True)
    practice_copy = factories.Dataset(name="hinanbasho-tanaka", title="避難場所 (練習)", owner_org=sandbox["id"])
    return {
        "sysadmin": sysadmin,
        "civic": civic,
        "other": other,
        "staff": staff,
        "trainee": trainee,
        "shelters": shelters,
        "drills": drills,
        "practice_copy": practice_copy,
    }


def register(who: dict, **extra) -> dict:
    data = {
        "title": "みどり野避難所マップ",
        "kind": "map",
        "description": "指定緊急避難場所を地図で探せるウェブアプリ。",
        "author": "シビックテックみどり野",
        "url": "https://example.org/hinan-map",
        "datasets": ["hinanbasho"],
    }
    return act("testbed_usecase_create", who, **{**data, **extra})


def test_a_use_case_is_registered_shown_and_listed_on_the_dataset_page(app, city):
    """Does a signed-in user register a map using a public dataset, and do its detail page, the gallery and the
    dataset's page show it in Japanese, with Japan time, to anyone?"""
    created = register(city["civic"])
    assert created["kind_label"] == "地図" and created["author"] == "シビックテックみどり野"
    assert [d["name"] for d in created["datasets"]] == ["hinanbasho"]
    assert created["datasets"][0]["organization"] == "危機管理課"
    assert created["created"].endswith("+09:00") and created["can_edit"] and not created["practice"]

    shown = act("testbed_usecase_show", None, id=created["id"])
    assert shown["title"] == "みどり野避難所マップ" and not shown["can_edit"] and shown["creator"] is None
    listed = act("testbed_usecase_list", None, dataset="hinanbasho")
    assert [u["id"] for u in listed["results"]] == [created["id"]] and listed["kind_counts"]["map"] == 1

    dataset_page = app.get("/dataset/hinanbasho").body
    assert "このデータの利活用事例" in dataset_page and f'href="/usecase/{created["id"]}"' in dataset_page
    assert "みどり野避難所マップ" in dataset_page and "シビックテックみどり野" in dataset_page
    gallery = app.get("/usecase/").body
    assert "1 件の利活用事例" in gallery and "みどり野避難所マップ" in gallery and "指定緊急避難場所一覧" in gallery
    assert 'href="/usecase/"' in gallery and "利活用事例" in gallery  # the site menu
    assert "1 件の利活用事例" in app.get("/usecase/", query_string={"dataset": "hinanbasho"}).body
    assert "0 件の利活用事例" in app.get("/usecase/", query_string={"dataset": "kunren-kiroku"}).body
    detail = app.get(f"/usecase/{created['id']}").body
    assert 'href="https://example.org/hinan-map"' in detail and 'href="/dataset/hinanbasho"' in detail
    assert "削除する" not in detail  # an anonymous visitor cannot change it

    with pytest.raises(tk.NotAuthorized):  # someone else cannot change or delete it
        act("testbed_usecase_update", city["other"], id=created["id"], title="乗っ取り")
    with pytest.raises(tk.NotAuthorized):
        act("testbed_usecase_delete", city["other"], id=created["id"])
    with pytest.raises(tk.NotAuthorized):
        act("testbed_usecase_create", None, **{"title": "匿名", "datasets": ["hinanbasho"]})
    updated = act("testbed_usecase_update", city["civic"], id=created["id"], kind="app", title="避難所さがし")
    assert updated["kind_label"] == "アプリ" and updated["url"] == "https://example.org/hinan-map"
    act("testbed_usecase_delete", city["sysadmin"], id=created["id"])
    with pytest.raises(tk.ObjectNotFound):
        act("testbed_usecase_show", None, id=created["id"])
    assert "まだ登録されていません" in app.get("/dataset/hinanbasho").body


def test_a_private_dataset_is_refused_in_japanese_and_never_revealed(city):
    """Is a private dataset refused with a Japanese message, named only to someone who may read it, and
    does nothing get saved?"""
    with pytest.raises(tk.ValidationError) as outsider:
        register(city["civic"], datasets=["hinanbasho", "kunren-kiroku"])
    assert outsider.value.error_dict == {"datasets": [messages.DATASET_NOT_FOUND.format(name="kunren-kiroku")]}
    assert "訓練記録" not in str(outsider.value.error_dict)  # its title stays hidden from an outsider
    with pytest.raises(tk.ValidationError) as staff:
        register(city["staff"], datasets=["kunren-kiroku"])
    assert staff.value.error_dict == {"datasets": [messages.DATASET_NOT_PUBLIC.format(name="訓練記録")]}
    assert act("testbed_usecase_list", city["sysadmin"])["count"] == 0


def test_a_dataset_made_private_later_disappears_from_the_use_case(city):
    """When a cited dataset becomes private, do outsiders stop seeing the use case built only on it, while its
    creator still sees their own?"""
    created = register(city["staff"], datasets=["hinanbasho"])
    call_action("package_patch", context={"user": city["sysadmin"]["name"]}, id="hinanbasho", private=True)
    with pytest.raises(tk.NotAuthorized):
        act("testbed_usecase_show", city["other"], id=created["id"])
    assert act("testbed_usecase_list", None)["count"] == 0
    assert [d["name"] for d in act("testbed_usecase_show", city["staff"], id=created["id"])["datasets"]] == [
        "hinanbasho"
    ]  # the department's own staff may read it


def test_bad_input_gets_a_japanese_message_and_changes_nothing(city):
    """Are an empty title, an unknown kind, a javascript: link, no link nor image, no dataset and a GIF image
    refused with Japanese messages per field?"""
    with pytest.raises(tk.ValidationError) as empty:
        register(city["civic"], title="  ", kind="game", url="javascript:alert(1)", datasets=[])
    errors = empty.value.error_dict
    assert errors["title"] == ["タイトルを入力してください。"]
    assert errors["kind"][0].startswith("種類「game」は選べません。")
    assert errors["url"] == [messages.BAD_URL]
    assert errors["datasets"] == [messages.DATASETS_REQUIRED]
    with pytest.raises(tk.ValidationError) as nothing:
        register(city["civic"], url="")
    assert nothing.value.error_dict == {"url": [messages.LINK_OR_IMAGE]}
    with pytest.raises(tk.ValidationError) as gif:
        register(city["civic"], url="", image_upload=upload(GIF, "map.gif", "image/gif"))
    assert gif.value.error_dict == {"image_upload": [messages.IMAGE_TYPE.format(found="image/gif")]}
    with pytest.raises(tk.ValidationError) as disguised:  # a GIF named .png: CKAN's uploader reads the bytes
        register(city["civic"], url="", image_upload=upload(GIF, "map.png", "image/png"))
    assert list(disguised.value.error_dict) == ["image_upload"]
    assert act("testbed_usecase_list", city["sysadmin"])["count"] == 0

    created = register(city["civic"], url="", image_upload=upload(PNG, "map.png", "image/png"))
    assert created["image"].endswith(".png") and created["image_url"] == f"/uploads/testbed_usecase/{created['image']}"
    act("testbed_usecase_delete", city["civic"], id=created["id"])
    plain = act("testbed_usecase_create", city["civic"], title="分析", url="https://e.example/", datasets="hinanbasho")
    assert plain["kind_label"] == "その他" and [d["name"] for d in plain["datasets"]] == ["hinanbasho"]  # defaults


def test_a_two_character_japanese_substring_finds_a_use_case_without_solr(city):
    """Do 保育 and 避難 (two characters, inside words) find the right use cases, with the kind filter?"""
    register(city["civic"])
    register(
        city["civic"],
        title="保育施設の空き状況アプリ",
        kind="app",
        description="年齢クラスごとの空きを毎週",
        author="みどり野子育てラボ",
    )
    assert [u["title"] for u in act("testbed_usecase_list", None, q="保育")["results"]] == ["保育施設の空き状況アプリ"]
    assert [u["title"] for u in act("testbed_usecase_list", None, q="避難")["results"]] == ["みどり野避難所マップ"]
    assert act("testbed_usecase_list", None, q="子育て 空き")["count"] == 1  # every word must occur
    assert act("testbed_usecase_list", None, q="図書")["count"] == 0
    assert act("testbed_usecase_list", None, kind="map")["count"] == 1
    with pytest.raises(tk.ValidationError):
        act("testbed_usecase_list", None, kind="game")


def test_a_trainees_course_product_stays_in_their_sandbox_unless_asked_for(city):
    """Is a use case of sandbox datasets only left out of the gallery for others (but on the dataset page and
    for its creator), as practice datasets are left out of searches?"""
    created = register(city["trainee"], title="練習の避難所マップ", datasets=["hinanbasho-tanaka"])
    assert created["practice"]
    assert act("testbed_usecase_list", None)["count"] == 0
    assert act("testbed_usecase_list", city["trainee"])["count"] == 1
    assert act("testbed_usecase_list", None, practice="include")["count"] == 1
    assert act("testbed_usecase_list", None, dataset="hinanbasho-tanaka")["count"] == 1


def test_the_form_keeps_values_shows_errors_and_html_as_text(app, city):
    """Does /usecase/new refuse an empty title beside the field (the typed text kept), take a PNG upload, and show
    HTML and script typed into the texts as text on every page?"""
    auth = {"Authorization": factories.APIToken(user=city["civic"]["id"])["token"]}
    app.get("/usecase/new", status=403)
    form = app.get("/usecase/new", query_string={"dataset": "hinanbasho"}, headers=auth).body
    assert "利活用事例を登録する" in form and ">hinanbasho</textarea>" in form

    empty = app.post("/usecase/new", data={"title": "", "description": "毎週の空き", "kind": "app"}, headers=auth).body
    assert "タイトルを入力してください。" in empty and "毎週の空き" in empty and messages.DATASETS_REQUIRED in empty
    bad_image = app.post(
        "/usecase/new",
        data={"title": "画像", "kind": "app", "datasets": "hinanbasho", "image_upload": (io.BytesIO(GIF), "a.gif")},
        headers=auth,
    ).body
    assert "画像は PNG か JPEG のファイルにしてください" in bad_image
    assert act("testbed_usecase_list", city["sysadmin"])["count"] == 0

    script = "<script>alert(1)</script>"
    made = app.post(
        "/usecase/new",
        data={
            "title": f"{script}避難マップ",
            "kind": "map",
            "description": "<b>太字</b>",
            "author": "<i>団体</i>",
            "datasets": "http://localhost/dataset/hinanbasho",
            "image_upload": (io.BytesIO(PNG), "map.png"),
        },
        headers=auth,
        follow_redirects=False,
    )
    assert made.status_code == 302
    uid = made.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    for url in (f"/usecase/{uid}", "/usecase/", "/dataset/hinanbasho"):
        page = app.get(url).body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;避難マップ" in page and script not in page, url
        assert "&lt;i&gt;団体&lt;/i&gt;" in page and "<i>団体</i>" not in page, url
    detail = app.get(f"/usecase/{uid}", headers=auth).body
    assert "&lt;b&gt;太字&lt;/b&gt;" in detail and "/uploads/testbed_usecase/" in detail and "削除する" in detail
    image = act("testbed_usecase_show", None, id=uid)["image_url"]
    assert app.get(image, status=200).data.startswith(b"\x89PNG")  # served by CKAN from its storage

    other = {"Authorization": factories.APIToken(user=city["other"]["id"])["token"]}
    app.get(f"/usecase/{uid}/edit", headers=other, status=403)
    app.post(f"/usecase/{uid}/delete", headers=other, status=403)
    edit_form = app.get(f"/usecase/{uid}/edit", headers=auth).body
    assert "利活用事例を編集する" in edit_form and "今の画像を削除する" in edit_form
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;避難マップ"' in edit_form
    no_link = app.post(
        f"/usecase/{uid}/edit",
        data={"title": "避難マップ", "kind": "map", "datasets": "hinanbasho", "url": "", "clear_image": "1"},
        headers=auth,
    ).body
    assert messages.LINK_OR_IMAGE in no_link  # removing the picture needs a link instead
    app.post(
        f"/usecase/{uid}/edit",
        data={
            "title": "避難マップ",
            "kind": "map",
            "datasets": "hinanbasho",
            "url": "https://example.org/",
            "clear_image": "1",
        },
        headers=auth,
    )
    edited = act("testbed_usecase_show", None, id=uid)
    assert (edited["title"], edited["image"], edited["url"]) == ("避難マップ", "", "https://example.org/")
    app.get(image, status=404)  # the old picture's file is gone
    app.post(f"/usecase/{uid}/delete", headers=auth)
    assert act("testbed_usecase_list", city["sysadmin"])["count"] == 0
    app.get(f"/usecase/{uid}", status=404)

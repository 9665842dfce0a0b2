"""Data requests (データ公開の要望) through CKAN's web pages, one journey: a requester with their own CKAN account
files a request in Japanese (an empty title is refused with the field's message) and comments (HTML shown as
text); a coordinator routes it to a department; the department's editor takes it on and closes it with the
public dataset that answers it (a missing dataset refused in Japanese); the dataset page links back to the
request, the site menu leads to the list, and the list finds it by two characters. Everything made is removed."""

from __future__ import annotations

import secrets

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def people(ckan_admin, unique):
    """A requester, a coordinator and a department (an organisation with an editor and a public dataset);
    removed with their requests afterwards."""
    password = secrets.token_urlsafe(12)
    run = unique()
    requester, coordinator, staff = f"req-{run}", f"coord-{run}", f"staff-{run}"
    org, dataset = f"req-dept-{run}", f"req-shelters-{run}"
    made: list[tuple[str, str]] = []
    try:
        for name in (requester, coordinator, staff):
            ckan_admin.action.user_create(name=name, email=f"{name}@example.invalid", password=password)
            made.append(("user_delete", name))
        ckan_admin.action.testbed_request_coordinator_set(user=coordinator)
        ckan_admin.action.organization_create(
            name=org, title="要望テスト危機管理課", users=[{"name": staff, "capacity": "editor"}]
        )
        made.append(("organization_purge", org))
        ckan_admin.action.package_create(
            name=dataset,
            title="指定緊急避難場所一覧 (要望テスト)",
            owner_org=org,
            notes="要望に応えて公開したデータセットです。",
            license_id="cc-by-4.0",
            resources=[{"name": "一覧", "url": "http://127.0.0.1/hinanbasho.geojson", "format": "GeoJSON"}],
        )
        made.append(("dataset_purge", dataset))
        yield {
            "requester": requester,
            "coordinator": coordinator,
            "staff": staff,
            "password": password,
            "org": org,
            "dataset": dataset,
        }
    finally:
        for request in ckan_admin.action.testbed_request_list(limit=100)["results"]:
            if ckan_admin.action.testbed_request_show(id=request["id"])["requester"] == requester:
                ckan_admin.action.testbed_request_delete(id=request["id"])
        if any(name == coordinator for _, name in made):
            ckan_admin.action.testbed_request_coordinator_set(user=coordinator, coordinator=False)
        for action, name in reversed(made):
            getattr(ckan_admin.action, action)(id=name)


def _sign_in(page, ckan: str, name: str, password: str) -> None:
    page.goto(f"{ckan}/user/login")
    local = page.locator("details.testbed-local-login summary")  # CKAN's own form, under the hub sign-in
    if local.count():
        local.click()
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    page.press("#field-password", "Enter")
    page.wait_for_load_state("networkidle")


def test_a_request_is_filed_routed_closed_with_a_dataset_and_shown_on_its_page(page, ckan_url, people, screenshots):
    ckan = ckan_url.rstrip("/")
    _sign_in(page, ckan, people["requester"], people["password"])
    page.goto(f"{ckan}/data-request/new")
    assert page.locator("h1").inner_text() == "要望を出す"
    page.fill("#field-description", "市内の指定緊急避難場所の位置と対応する災害の種別")
    page.click("#tb-request-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("タイトルを入力してください。").is_visible()
    assert page.input_value("#field-description") == "市内の指定緊急避難場所の位置と対応する災害の種別"  # kept
    page.screenshot(path=str(screenshots / "requests-1-empty-title.png"), full_page=True)

    title = "指定緊急避難場所を GeoJSON で公開してほしい"
    page.fill("#field-title", title)
    page.fill("#field-purpose", "災害時の配送ルート計画に使いたい")
    page.fill("#field-data_format", "GeoJSON")
    page.fill("#field-area", "市内全域")
    page.click("#tb-request-submit")
    page.wait_for_url("**/data-request/*")
    assert page.locator("h1").inner_text() == title
    assert page.get_by_text("調整役が確認中").first.is_visible()
    assert page.locator("#tb-close-submit").count() == 0  # a requester sees no staff forms
    rid = page.url.rstrip("/").rsplit("/", 1)[1]
    page.fill("#field-text", "<b>よろしく</b>お願いします")
    page.click("#tb-comment-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("<b>よろしく</b>お願いします").is_visible()  # the tags as text, not bold
    assert page.locator(".tb-request-comment b").count() == 0
    page.screenshot(path=str(screenshots / "requests-2-filed.png"), full_page=True)

    page.context.clear_cookies()
    _sign_in(page, ckan, people["coordinator"], people["password"])
    page.goto(f"{ckan}/data-request/{rid}")
    page.select_option("#field-route-organization", people["org"])
    page.click("#tb-route-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("要望を担当課「要望テスト危機管理課」に振り分けました。").is_visible()
    page.screenshot(path=str(screenshots / "requests-3-routed.png"), full_page=True)

    page.context.clear_cookies()
    _sign_in(page, ckan, people["staff"], people["password"])
    page.goto(f"{ckan}/data-request/{rid}")
    assert page.locator("#tb-route-submit").count() == 0  # only coordinators route
    page.click("#tb-take-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("要望を対応中にしました。").is_visible()
    assert page.locator(".tb-request-status").inner_text().startswith("対応中")
    page.select_option("#field-resolution", "published")
    page.click("#tb-close-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("「公開済み」で完了にするときは、公開したデータセットを指定してください。").is_visible()
    page.screenshot(path=str(screenshots / "requests-4-close-error.png"), full_page=True)
    page.select_option("#field-resolution", "published")
    page.fill("#field-dataset", f"{ckan}/dataset/{people['dataset']}")
    page.fill("#field-note", "GeoJSON で公開しました。毎年4月に更新します。")
    page.click("#tb-close-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("要望を「公開済み」として完了にしました。").is_visible()
    assert page.get_by_role("link", name="指定緊急避難場所一覧 (要望テスト)").is_visible()
    assert page.locator("#tb-close-submit").count() == 0
    page.screenshot(path=str(screenshots / "requests-5-closed.png"), full_page=True)

    page.context.clear_cookies()
    page.goto(f"{ckan}/dataset/{people['dataset']}")
    page.locator(".tb-dataset-requests").get_by_role("link", name=title).click()
    page.wait_for_url(f"**/data-request/{rid}")
    page.go_back()
    page.screenshot(path=str(screenshots / "requests-6-dataset.png"), full_page=True)
    page.locator("header").get_by_role("link", name="データ公開の要望").click()
    page.wait_for_url("**/data-request/")
    page.goto(f"{ckan}/data-request/?q=避難")
    assert page.get_by_role("link", name=title).is_visible()
    assert page.locator(".tb-request-list td", has_text="完了").first.is_visible()
    page.screenshot(path=str(screenshots / "requests-7-list.png"), full_page=True)
    page.goto(f"{ckan}/data-request/?q=図書館")
    assert page.get_by_text("該当する要望はありません。").is_visible()
    assert page.external_requests == []

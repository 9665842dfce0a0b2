"""Data requests (データ公開の要望) through CKAN's web pages: a requester with their own CKAN account files a
request in Japanese (an empty title is refused with the field's message), a coordinator routes it, the
requester comments (HTML shown as text), and the list finds it by two characters. Everything made is removed."""

from __future__ import annotations

import secrets

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def people(ckan_admin, unique):
    """A requester and a coordinator (CKAN accounts with passwords); removed with their requests afterwards."""
    password = secrets.token_urlsafe(12)
    requester = f"req-{unique()}"
    coordinator = f"coord-{unique()}"
    for name in (requester, coordinator):
        ckan_admin.action.user_create(name=name, email=f"{name}@example.invalid", password=password)
    ckan_admin.action.testbed_request_coordinator_set(user=coordinator)
    try:
        yield {"requester": requester, "coordinator": coordinator, "password": password}
    finally:
        mine = ckan_admin.action.testbed_request_list(limit=100)["results"]
        for request in mine:
            shown = ckan_admin.action.testbed_request_show(id=request["id"])
            if shown["requester"] == requester:
                ckan_admin.action.testbed_request_delete(id=request["id"])
        ckan_admin.action.testbed_request_coordinator_set(user=coordinator, coordinator=False)
        for name in (requester, coordinator):
            ckan_admin.action.user_delete(id=name)


def _sign_in(page, ckan: str, name: str, password: str) -> None:
    page.goto(f"{ckan}/user/login")
    local = page.locator("details.testbed-local-login summary")  # CKAN's own form, under the hub sign-in
    if local.count():
        local.click()
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    page.press("#field-password", "Enter")
    page.wait_for_load_state("networkidle")


def test_a_requester_files_and_discusses_a_request_in_japanese(page, ckan_url, ckan_admin, people, screenshots):
    ckan = ckan_url.rstrip("/")
    _sign_in(page, ckan, people["requester"], people["password"])
    page.goto(f"{ckan}/data-request/new")
    assert page.locator("h1").inner_text() == "要望を出す"
    page.fill("#field-description", "市内の保育施設ごとの空き人数")
    page.click("#tb-request-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("タイトルを入力してください。").is_visible()
    assert page.input_value("#field-description") == "市内の保育施設ごとの空き人数"  # nothing typed is lost
    page.screenshot(path=str(screenshots / "requests-1-empty-title.png"), full_page=True)

    title = "保育施設の空き状況を毎週公開してほしい"
    page.fill("#field-title", title)
    page.fill("#field-data_format", "CSV")
    page.fill("#field-area", "市内全域")
    page.click("#tb-request-submit")
    page.wait_for_url("**/data-request/*")
    assert page.locator("h1").inner_text() == title
    assert page.get_by_text("調整役が確認中").first.is_visible()
    rid = page.url.rstrip("/").rsplit("/", 1)[1]
    page.screenshot(path=str(screenshots / "requests-2-filed.png"), full_page=True)

    org = next(o for o in ckan_admin.action.organization_list(all_fields=True) if not o["name"].startswith("sandbox-"))
    routed = ckan_admin.action.testbed_request_assign(id=rid, organization=org["name"])
    assert routed["organization"]["name"] == org["name"]

    page.reload()
    page.fill("#field-text", "<b>よろしく</b>お願いします")
    page.click("#tb-comment-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("<b>よろしく</b>お願いします").is_visible()  # the tags as text, not bold
    assert page.locator(".tb-request-comment b").count() == 0
    assert page.get_by_text(org["title"]).first.is_visible()
    page.screenshot(path=str(screenshots / "requests-3-comment.png"), full_page=True)

    page.goto(f"{ckan}/data-request/?q=保育")
    assert page.get_by_role("link", name=title).is_visible()
    assert page.locator(".tb-request-list td", has_text="受付中").first.is_visible()
    page.screenshot(path=str(screenshots / "requests-4-list.png"), full_page=True)
    page.goto(f"{ckan}/data-request/?q=図書館")
    assert page.get_by_text("該当する要望はありません。").is_visible()
    assert page.external_requests == []

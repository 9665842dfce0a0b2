"""メールでのお知らせ (requests/mail.py): a requester finds the page from the request list, sees whether the site sends
mail at all, turns request mails off and on again, and the choice is kept; a visitor who is not signed in is asked to
sign in (403, Japanese). The account is removed afterwards."""

from __future__ import annotations

import secrets

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def requester(ckan_admin, unique):
    name, password = f"mailset-{unique()}", secrets.token_urlsafe(12)
    ckan_admin.action.user_create(name=name, email=f"{name}@kigyou.example.jp", password=password, fullname="物流 花子")
    try:
        yield name, password
    finally:
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


def test_a_requester_turns_request_mails_off_and_on(page, ckan_url, ckan_admin, requester, screenshots):
    ckan = ckan_url.rstrip("/")
    name, password = requester
    response = page.goto(f"{ckan}/data-request/mail-settings")
    assert response.status == 403 and "サインインしてください" in page.inner_text("body")

    _sign_in(page, ckan, name, password)
    page.goto(f"{ckan}/data-request")
    page.get_by_role("link", name="メールでのお知らせ").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "メールでのお知らせ"
    body = page.inner_text("body")
    assert "このサイトは今、メールを送らない設定です" in body  # the test stack has no mail: section
    box = page.locator("#field-mail")
    assert box.is_checked()  # mails are on until the person turns them off
    page.screenshot(path=str(screenshots / "request-mail-settings.png"), full_page=True)

    box.uncheck()
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state("networkidle")
    assert "要望のお知らせをメールでは送りません" in page.inner_text("body")
    page.screenshot(path=str(screenshots / "request-mail-settings-off.png"), full_page=True)
    page.reload()
    assert not page.locator("#field-mail").is_checked()  # kept
    extras = ckan_admin.action.user_show(id=name, include_plugin_extras=True).get("plugin_extras") or {}
    assert extras.get("testbed", {}).get("request_mail") is False, extras

    page.locator("#field-mail").check()
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state("networkidle")
    assert "要望のお知らせをメールでも受け取ります" in page.inner_text("body")
    assert page.locator("#field-mail").is_checked()

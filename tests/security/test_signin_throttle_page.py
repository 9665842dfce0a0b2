"""What a locked CKAN admin sees in a browser: CKAN's own login form answers in Japanese that the account is locked,
even with the right password, and another CKAN admin sees the lock and lifts it (sso/throttle.py, sso/views.py).
Screenshots ``security-ckan-login-locked.png``, ``security-ckan-signin-locks.png``."""

from __future__ import annotations

import secrets

import pytest
from helpers.signin import CKAN_USER_LOCKED, clear_ckan_counts, lock_ckan_user, loopback_address

from testbed_cli.ckan import ADMIN_USER
from testbed_config.names import CKAN_ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, ckan_url: str, name: str, password: str) -> None:
    page.goto(f"{ckan_url}/user/login")
    page.locator("details.testbed-local-login summary").click()
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    with page.expect_navigation():
        page.locator("details.testbed-local-login button[type=submit]").click()


def test_does_a_locked_ckan_login_say_so_in_japanese(page, ckan_url, ckan_admin, unique, layout, screenshots):
    """After 10 wrong passwords (from another address), does the login page, given the right password in a
    browser, stay signed out and show the Japanese lock message with the minutes to wait; does testbed-admin
    see the lock on /ckan-admin/signin-locks and lift it, after which the right password works?"""
    name, password = f"thb{unique()}", secrets.token_urlsafe(18)
    elsewhere = loopback_address()
    ckan_admin.action.user_create(name=name, email=f"{name}@example.invalid", password=password)
    try:
        lock_ckan_user(ckan_url, elsewhere, name)
        _sign_in(page, ckan_url, name, password)
        alert = page.locator(".flash-messages .alert, .alert-error, .alert-danger").filter(has_text=CKAN_USER_LOCKED)
        alert.first.wait_for()
        assert "分ほど待って" in alert.first.inner_text()
        assert "/user/login" in page.url
        page.screenshot(path=str(screenshots / "security-ckan-login-locked.png"), full_page=True)

        _sign_in(page, ckan_url, ADMIN_USER, (layout.secrets / CKAN_ADMIN_PASSWORD).read_text().strip())
        page.goto(f"{ckan_url}/ckan-admin/signin-locks")
        row = page.locator("#testbed-signin-locks tr").filter(has_text=name)
        assert "アカウント" in row.inner_text() and "分" in row.inner_text()
        page.screenshot(path=str(screenshots / "security-ckan-signin-locks.png"), full_page=True)
        with page.expect_navigation():
            row.get_by_role("button", name="ロックを解除").click()
        assert "ロックを解除しました" in page.content()
        assert page.locator("#testbed-signin-locks tr").filter(has_text=name).count() == 0
        page.context.clear_cookies()
        _sign_in(page, ckan_url, name, password)
        assert "/user/login" not in page.url
    finally:
        ckan_admin.action.user_delete(id=name)
        clear_ckan_counts(layout, name, elsewhere)

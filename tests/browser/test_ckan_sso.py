"""Sign-in to CKAN with the hub account, in a real browser: a trainee signed in to the hub presses CKAN's hub
button, lands signed in as their own CKAN user, finds their sandbox; signing out of the hub signs them out of CKAN."""

from __future__ import annotations

import secrets
import time

import pytest
from helpers import cohort

from testbed_config.names import ckan_user_name, sandbox_org_name

pytestmark = pytest.mark.browser

RECHECK = 10  # seconds: ckanext.testbed.sso.recheck_seconds (its default)


@pytest.fixture
def trainee_pw(tmp_path):
    """A cohort trainee (hub user, password, CKAN user and sandbox); removed afterwards."""
    name = f"sb{secrets.token_hex(3)}"
    pw = cohort.import_roster(tmp_path, [(name, "田中 美咲", "デジタル推進課")])
    try:
        yield name, pw[name]
    finally:
        cohort.remove(name)


def test_trainee_opens_ckan_signed_in_and_hub_sign_out_signs_them_out(page, hub, stack_config, trainee_pw, screenshots):
    """Is a trainee signed in to the hub signed in to CKAN by one button (no password), as their own user, with
    their sandbox organisation in reach, and signed out of CKAN after signing out of the hub?"""
    name, password = trainee_pw
    ckan = stack_config.ckan_url.rstrip("/")
    me = ckan_user_name(name)

    page.goto(f"{hub.public}/hub/login?next=/hub/home")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/hub/home**")

    page.goto(f"{ckan}/user/login")
    button = page.locator("#testbed-sso-login")
    assert button.inner_text().strip() == "研修環境 (JupyterHub) のアカウントでサインイン"
    assert page.locator("input[name=password]").is_hidden()  # the admins' form is folded away
    page.screenshot(path=str(screenshots / "sso-1-ckan-login.png"), full_page=True)
    button.click()
    page.wait_for_url("**/dashboard/**")
    assert page.locator(f".account-masthead a[href='/user/{me}']").count() >= 1  # signed in as their own CKAN user
    page.screenshot(path=str(screenshots / "sso-2-ckan-signed-in.png"), full_page=True)

    page.goto(f"{ckan}/user/{me}/organizations")
    sandbox = page.locator(f"a[href='/organization/{sandbox_org_name(name)}']").first
    sandbox.wait_for()
    sandbox.click()
    page.wait_for_url(f"**/organization/{sandbox_org_name(name)}**")
    assert page.get_by_text("田中 美咲 のサンドボックス").first.is_visible()  # their sandbox, by its title
    page.screenshot(path=str(screenshots / "sso-3-sandbox.png"), full_page=True)

    page.goto(f"{hub.public}/hub/logout")
    page.wait_for_url("**/hub/login**")
    time.sleep(RECHECK + 1)
    page.goto(f"{ckan}/dataset/")
    notice = page.get_by_text("研修環境 (JupyterHub) からサインアウトしたため", exact=False)
    notice.wait_for()
    assert page.locator(f".account-masthead a[href='/user/{me}']").count() == 0
    assert page.locator(".account-masthead a[href*='/user/login']").count() >= 1
    page.screenshot(path=str(screenshots / "sso-4-signed-out.png"), full_page=True)
    assert page.external_requests == []


def test_forgotten_password_and_a_forged_sign_in_show_japanese_pages(page, stack_config, screenshots):
    """Does 「パスワードを忘れたとき」 from the login page explain whom to ask (no 500), and does a callback with a
    forged state show a Japanese refusal instead of signing anyone in?"""
    ckan = stack_config.ckan_url.rstrip("/")
    page.goto(f"{ckan}/user/login")
    page.get_by_role("link", name="詳しく見る").click()
    page.wait_for_url("**/user/reset")
    help_text = page.locator("#testbed-password-help").inner_text()
    assert "講師" in help_text and "管理者" in help_text
    page.screenshot(path=str(screenshots / "sso-5-password-help.png"), full_page=True)

    response = page.goto(f"{ckan}/user/login/oidc-pkce/callback?code=forged&state=forged")
    refused = page.locator("#testbed-sso-refused")
    refused.wait_for()
    assert "もう一度" in refused.inner_text()
    assert response is not None and response.status == 403
    assert page.locator(".account-masthead a[href*='/user/login']").count() >= 1  # still nobody
    page.screenshot(path=str(screenshots / "sso-6-refused.png"), full_page=True)

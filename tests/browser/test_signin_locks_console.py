"""The instructor's 「サインインのロック」 in a real browser: a trainee locked out of the hub and of CKAN by wrong
passwords shows up in the console (JupyterHub and CKAN rows, time left in Japan time), and 「解除」 lifts each lock.
Screenshots ``signin-locks-console.png`` (both locks), ``signin-locks-console-unlocked.png`` (after both 解除)."""

from __future__ import annotations

import pytest
from helpers.signin import ckan_login, ckan_signed_in, lock_ckan_user, loopback_address
from helpers.signin_locks import hub_login, lock_hub_user, locked_out_trainee

from testbed_config.names import ckan_user_name, classroom_name

pytestmark = pytest.mark.browser


def test_does_the_instructor_see_a_lock_and_lift_it_with_one_click(
    page, hub, layout, stack_config, ckan_url, ckan_admin, unique, screenshots
):
    """Does the console list the trainee's hub lock and their CKAN user's lock, and does 「解除」 on each make the row
    disappear with a Japanese confirmation, after which both right passwords work?"""
    if stack_config.mode != "onsite":
        pytest.skip("the hub's own sign-in throttle runs with individual passwords (on-site mode)")
    course = stack_config.courses[0]
    name, address = f"lb{unique()}", loopback_address()
    ckan_name = ckan_user_name(name)
    with locked_out_trainee(hub, layout, ckan_admin, course.id, name, address) as (hub_pw, ckan_pw):
        lock_hub_user(hub.public, address, name)
        lock_ckan_user(ckan_url, address, ckan_name)

        locks_path = f"/services/{classroom_name(course.id)}/signin-locks"
        page.goto(f"{hub.public}/hub/login?next={locks_path}")
        page.fill("input[name=username]", course.instructors[0])
        page.fill("input[name=password]", (layout.secrets / "instructor-password").read_text().strip())
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(f"**{locks_path}**")
        hub_row = page.locator(f"#signin-locks tr[data-system=hub][data-key='{name}']")
        ckan_row = page.locator(f"#signin-locks tr[data-system=ckan][data-key='{ckan_name}']")
        hub_row.wait_for()
        assert "JupyterHub" in hub_row.inner_text() and "アカウント" in hub_row.inner_text()
        assert "分" in hub_row.inner_text() and "まで" in hub_row.inner_text()
        assert f"研修環境のユーザー {name}" in ckan_row.inner_text() and "CKAN" in ckan_row.inner_text()
        page.screenshot(path=str(screenshots / "signin-locks-console.png"), full_page=True)

        with page.expect_navigation():
            hub_row.get_by_role("button", name="解除").click()
        assert "ロックを解除しました" in page.inner_text(".msg")
        assert hub_row.count() == 0 and ckan_row.count() == 1
        with page.expect_navigation():
            ckan_row.get_by_role("button", name="解除").click()
        assert ckan_row.count() == 0
        page.screenshot(path=str(screenshots / "signin-locks-console-unlocked.png"), full_page=True)
        assert page.external_requests == []

        assert hub_login(hub.public, address, name, hub_pw).status_code == 302
        assert ckan_signed_in(ckan_login(ckan_url, address, ckan_name, ckan_pw))

"""The instructor resets a trainee's password in the hub's account page; the trainee signs in with the new one."""

from __future__ import annotations

import pytest
from helpers import cohort

pytestmark = pytest.mark.browser


def _sign_in(page, hub, user: str, password: str) -> None:
    page.goto(f"{hub.public}/hub/login?next=%2Fhub%2Fhome")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_instructor_resets_a_password_and_the_trainee_signs_in_with_the_new_one(
    browser, hub, layout, stack_config, tmp_path, unique, screenshots
):
    """From the hub home, does the instructor reach the account page, reset a trainee's password (shown once on
    a printable card), and does the trainee then sign in with the new password and not with the old one?"""
    if stack_config.mode != "onsite":
        pytest.skip("individual passwords exist in on-site mode only")
    name = f"br{unique()}"
    old = cohort.import_roster(tmp_path, [(name, "鈴木 一郎", "情報政策課")])[name]
    ctx = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800})
    try:
        teacher = ctx.new_page()
        teacher.on("dialog", lambda d: d.accept())  # the confirm() before a reset
        _sign_in(teacher, hub, stack_config.admins[0], (layout.secrets / "instructor-password").read_text().strip())
        teacher.goto(f"{hub.public}/hub/home")
        teacher.click("#trainee-accounts")
        teacher.wait_for_url("**/hub/trainee-accounts")
        row = teacher.locator(f'tr[data-username="{name}"]')
        assert "鈴木 一郎" in row.inner_text()
        teacher.screenshot(path=str(screenshots / "accounts-list.png"), full_page=True)
        row.get_by_role("button", name="パスワード再発行").click()
        teacher.locator("#new-password-card").wait_for()
        new = teacher.locator("#card-password").inner_text().strip()
        teacher.screenshot(path=str(screenshots / "accounts-reset-card.png"), full_page=True)
        teacher.emulate_media(media="print")
        teacher.screenshot(path=str(screenshots / "accounts-reset-print.png"))
        teacher.emulate_media(media="screen")
        assert new and new != old
        assert teacher.locator("#result").inner_text().startswith(f"{name} さんのパスワードを再発行しました")
        teacher.reload()  # shown once: a fresh GET shows no password
        assert teacher.locator("#new-password-card").count() == 0

        ctx2 = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800})
        try:
            trainee = ctx2.new_page()
            _sign_in(trainee, hub, name, old)
            assert "/hub/login" in trainee.url
            assert "ユーザー名またはパスワードが違います" in trainee.locator(".login_error").inner_text()
            trainee.screenshot(path=str(screenshots / "accounts-old-password-refused.png"))
            _sign_in(trainee, hub, name, new)
            trainee.wait_for_url("**/hub/home")
            trainee.screenshot(path=str(screenshots / "accounts-new-password-home.png"))
            assert trainee.locator("#trainee-accounts").count() == 0  # no account page link for a trainee
        finally:
            ctx2.close()
    finally:
        ctx.close()
        cohort.remove(name)

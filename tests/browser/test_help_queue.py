"""The help queue (手を挙げる) and announcements (お知らせ) in a real browser, offline: a trainee raises a hand, the
instructor sees it within 5 s, opens the trainee's notebook and closes the request; an announcement shows on the
trainee's hub home and console view."""

from __future__ import annotations

import json
import time

import pytest
import requests
from helpers import console
from helpers.progress import cohort_member

pytestmark = pytest.mark.browser

VISIBLE_WITHIN = 5.0


def _sign_in(pg, hub, user: str, password: str, next_path: str) -> None:
    pg.goto(f"{hub.public}/hub/login?next={next_path}")
    pg.fill("input[name=username]", user)
    pg.fill("input[name=password]", password)
    pg.click("input[type=submit], button[type=submit]")


def _put_notebook(hub, user: str, path: str) -> None:
    """A notebook in the trainee's home, written through their server's contents API (operator token)."""
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# ヘルプの練習"}], "metadata": {}}
    nb |= {"nbformat": 4, "nbformat_minor": 5}
    base = f"{hub.public}/user/{user}/api/contents"
    parts = path.split("/")
    for i in range(1, len(parts)):
        requests.put(f"{base}/{'/'.join(parts[:i])}", headers=hub._h(), json={"type": "directory"}, timeout=30)
    r = requests.put(f"{base}/{path}", headers=hub._h(), json={"type": "notebook", "content": nb}, timeout=30)
    assert r.status_code in (200, 201), r.text


def test_raise_hand_seen_opened_and_closed(browser, page, hub, layout, stack_config, unique, screenshots):
    """Does the instructor see a raised hand within 5 s, open the trainee's notebook in one click, and close it?"""
    course = stack_config.courses[0]
    name, notebook = f"bh{unique()}", f"{course.id}/renshu/renshu.ipynb"
    teacher_ctx = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 768})
    teacher = teacher_ctx.new_page()
    teacher.set_default_timeout(60_000)
    with (
        cohort_member(hub, layout, course.id, name, "挙手 花子", "pass-h-1234", cohort="1期"),
        console.forgetting(layout, course.id, name),
    ):
        hub.start_server(name)
        _put_notebook(hub, name, notebook)
        # the instructor watches the queue
        _sign_in(
            teacher,
            hub,
            course.instructors[0],
            (layout.secrets / "instructor-password").read_text().strip(),
            f"/services/progress-{course.id}/help",
        )
        teacher.wait_for_url(f"**/services/progress-{course.id}/help")
        # the trainee raises a hand from the console's own page
        _sign_in(page, hub, name, "pass-h-1234", f"/services/progress-{course.id}/help")
        page.wait_for_url(f"**/services/progress-{course.id}/help**")
        page.fill("input[name=notebook]", notebook)
        page.fill("textarea[name=note]", "グラフの日本語が表示されません")
        page.click("button[value=raise]")
        page.wait_for_url("**/help?ok=raised")
        t0 = time.monotonic()
        page.screenshot(path=str(screenshots / "help-trainee-raised.png"), full_page=True)
        assert "手を挙げました" in page.inner_text("body")
        assert page.locator(".msg").count() == 1  # one banner, not "raised" and "waiting" twice
        row = teacher.locator(f"tr[data-user='{name}']")
        row.wait_for(timeout=VISIBLE_WITHIN * 1000 + 2000)
        seen = time.monotonic() - t0
        teacher.screenshot(path=str(screenshots / "help-instructor-queue.png"), full_page=True)
        assert seen <= VISIBLE_WITHIN, f"the raised hand took {seen:.1f}s to show"
        assert "グラフの日本語が表示されません" in row.inner_text() and "挙手 花子" in row.inner_text()
        # one click opens the trainee's notebook (in a new tab, with the instructor's own rights)
        with teacher_ctx.expect_page() as new_tab:
            row.locator("a.open").click()
        lab = new_tab.value
        lab.wait_for_load_state()
        if "/hub/api/oauth2/authorize" in lab.url:  # the hub asks an admin once before opening another's server
            lab.screenshot(path=str(screenshots / "help-instructor-authorize.png"))
            lab.click("form [type=submit]")
        try:
            lab.locator(".jp-Notebook").get_by_text("ヘルプの練習").first.wait_for(state="attached", timeout=60_000)
        finally:
            lab.screenshot(path=str(screenshots / "help-instructor-opens-notebook.png"))
        assert f"/user/{name}/lab" in lab.url
        lab.close()
        # and marks it done
        teacher.locator(f"tr[data-user='{name}'] button").click()
        teacher.wait_for_url("**/help?ok=done")
        assert teacher.locator(f"tr[data-user='{name}']").count() == 0
        teacher.screenshot(path=str(screenshots / "help-instructor-done.png"), full_page=True)
        page.reload()
        assert "対応済み" in page.inner_text("body")
        assert page.external_requests == [] and all("127.0.0.1" in u or "localhost" in u for u in [lab.url])
    teacher_ctx.close()


def test_announcement_on_the_trainees_hub_home_and_console(page, hub, layout, stack_config, unique, screenshots):
    """Does an announcement (with HTML typed into it) appear, as text, on the trainee's hub home and console?"""
    course = stack_config.courses[0]
    name = f"ba{unique()}"
    body = f"午後は 13:30 から再開します <b>{unique()}</b>"
    with (
        cohort_member(hub, layout, course.id, name, "告知 次郎", "pass-n-1234", cohort="1期"),
        console.forgetting(layout, course.id, name) as store,
    ):
        store.announce(course.instructors[0], body, "")
        _sign_in(page, hub, name, "pass-n-1234", "/hub/home")
        page.wait_for_url("**/hub/home")
        frame = page.frame_locator(f"#announcements-{course.id} iframe")
        frame.locator(".ann").first.wait_for(timeout=30_000)
        page.screenshot(path=str(screenshots / "announcement-hub-home.png"), full_page=True)
        assert body in frame.locator(".ann").first.inner_text()  # the <b> shows as text, not bold
        page.goto(f"{hub.public}/services/progress-{course.id}/announcements")
        assert body in page.locator(".ann").first.inner_text()
        page.screenshot(path=str(screenshots / "announcement-console.png"), full_page=True)
        assert page.external_requests == []
        assert json.dumps(body)  # kept for the report

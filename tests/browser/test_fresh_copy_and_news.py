"""In a real browser, offline: the instructor gives a trainee a fresh copy of an assignment from the console's trainee
page (confirm, then the result naming the kept file); the trainee does the same from their own page; an
announcement shows in the trainee's JupyterLab (news notifications) and on their hub home, and the instructor
withdraws it from the console."""

from __future__ import annotations

import base64
import time

import pytest
import requests
from helpers import console
from helpers.course import live_assignment, run_testbed
from helpers.progress import cohort_member

pytestmark = pytest.mark.browser


def _sign_in(pg, hub, user: str, password: str, next_path: str) -> None:
    pg.goto(f"{hub.public}/hub/login?next={next_path}")
    pg.fill("input[name=username]", user)
    pg.fill("input[name=password]", password)
    pg.click("input[type=submit], button[type=submit]")


def _contents(hub, user: str, path: str) -> requests.Response:
    return requests.get(
        f"{hub.public}/user/{user}/api/contents/{path}",
        params={"type": "file", "format": "base64"},
        headers=hub._h(),
        timeout=30,
    )


def test_instructor_and_trainee_restore_an_assignment_from_the_console(
    browser, page, hub, layout, stack_config, unique, screenshots
):
    """From the trainee page, does 「配布時の状態に戻す」 ask first, then restore the notebook and name the kept copy;
    and may the trainee do it from their own page?"""
    course = stack_config.courses[0]
    name = f"bf{unique()}"
    with (
        live_assignment(layout, "00_hajimeni", f"bfc_{unique()}") as (_, assignment),
        cohort_member(hub, layout, course.id, name, "戻し 三郎", "pass-f-1234"),
    ):
        assert run_testbed("course", "release", assignment, "--course", course.id).returncode == 0
        hub.start_server(name)
        r = requests.post(
            f"{hub.public}/user/{name}/assignments/fetch",
            params={"course_id": course.id, "assignment_id": assignment},
            headers=hub._h(),
            timeout=120,
        )
        assert r.status_code == 200 and r.json()["success"], r.text
        folder = f"{course.id}/{assignment}"
        listing = requests.get(f"{hub.public}/user/{name}/api/contents/{folder}", headers=hub._h(), timeout=30)
        notebook = next(e["name"] for e in listing.json()["content"] if e["name"].startswith("kadai_"))
        body = {"type": "file", "format": "base64", "content": base64.b64encode(b"{broken").decode()}
        requests.put(f"{hub.public}/user/{name}/api/contents/{folder}/{notebook}", json=body, headers=hub._h())

        teacher_ctx = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 768})
        teacher = teacher_ctx.new_page()
        teacher.set_default_timeout(60_000)
        try:
            password = (layout.secrets / "instructor-password").read_text().strip()
            _sign_in(
                teacher, hub, course.instructors[0], password, f"/services/progress-{course.id}/trainee?user={name}"
            )
            teacher.wait_for_url(f"**/services/progress-{course.id}/trainee**")
            link = teacher.locator(f"tr[data-assignment='{assignment}'] a.fresh")
            # the console learns of the fetch when it next reads the trainee's folder (a busy machine may take a
            # while): reload as an instructor would, for up to a minute
            deadline = time.monotonic() + 60
            while not link.is_visible() and time.monotonic() < deadline:
                time.sleep(2)
                teacher.reload()
            link.wait_for(timeout=5_000)
            teacher.screenshot(path=str(screenshots / "fresh-trainee-page.png"), full_page=True)
            link.click()
            teacher.wait_for_url("**/fresh?**")
            teacher.screenshot(path=str(screenshots / "fresh-confirm.png"), full_page=True)
            assert "名前を変えて残します" in teacher.inner_text("body")
            assert base64.b64decode(_contents(hub, name, f"{folder}/{notebook}").json()["content"]) == b"{broken"
            teacher.click("button[value=fresh]")
            teacher.locator(".msg").wait_for(timeout=60_000)
            teacher.screenshot(path=str(screenshots / "fresh-done-instructor.png"), full_page=True)
            text = teacher.inner_text("body")
            assert "配布時の状態に戻しました" in text and "_退避_" in text
            released = (layout.exchange / course.id / "outbound" / assignment / notebook).read_bytes()
            assert base64.b64decode(_contents(hub, name, f"{folder}/{notebook}").json()["content"]) == released
        finally:
            teacher_ctx.close()

        # the trainee, before submitting, from their own page
        body = {"type": "file", "format": "base64", "content": base64.b64encode(b"{again").decode()}
        requests.put(f"{hub.public}/user/{name}/api/contents/{folder}/{notebook}", json=body, headers=hub._h())
        _sign_in(page, hub, name, "pass-f-1234", f"/services/progress-{course.id}/trainee")
        page.wait_for_url(f"**/services/progress-{course.id}/trainee**")
        page.locator(f"tr[data-assignment='{assignment}'] a.fresh").click()
        page.wait_for_url("**/fresh?**")
        page.click("button[value=fresh]")
        page.locator(".msg").wait_for(timeout=60_000)
        page.screenshot(path=str(screenshots / "fresh-done-trainee.png"), full_page=True)
        assert "配布時の状態に戻しました" in page.inner_text("body")
        assert page.external_requests == []


def test_announcement_in_jupyterlab_and_hub_home_then_withdrawn(
    browser, page, hub, layout, stack_config, unique, screenshots
):
    """Does an announcement show among the trainee's JupyterLab notifications and on their hub home, and is it gone
    from both once the instructor withdraws it on the console?"""
    course = stack_config.courses[0]
    name = f"bn{unique()}"
    words = f"午後は13時半から再開します {unique()}"
    with (
        cohort_member(hub, layout, course.id, name, "告知 四郎", "pass-n-1234", cohort="1期"),
        console.forgetting(layout, course.id, name),
    ):
        teacher_ctx = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 768})
        teacher = teacher_ctx.new_page()
        teacher.set_default_timeout(60_000)
        try:
            password = (layout.secrets / "instructor-password").read_text().strip()
            _sign_in(teacher, hub, course.instructors[0], password, f"/services/progress-{course.id}/announcements")
            teacher.wait_for_url(f"**/services/progress-{course.id}/announcements")
            teacher.fill("textarea[name=body]", words)
            teacher.click("form[action=announcements] button[type=submit]")
            teacher.wait_for_url("**/announcements?ok=posted")

            # the trainee's JupyterLab: the news notification (bell in the status bar)
            _sign_in(page, hub, name, "pass-n-1234", "/hub/home")
            page.wait_for_url("**/hub/home")
            hub.start_server(name)
            page.goto(f"{hub.public}/user/{name}/lab")
            page.get_by_text("ファイル", exact=True).first.wait_for(timeout=120_000)
            news = requests.get(f"{hub.public}/user/{name}/lab/api/news", headers=hub._h(), timeout=60).json()
            assert any(words in n["message"] for n in news["news"]), news
            bell = page.locator(".jp-Notification-Status")
            bell.first.wait_for(timeout=60_000)
            if not page.get_by_text(words).first.is_visible():
                bell.first.click()
            page.get_by_text(words).first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)  # the toast slides in from the right
            page.screenshot(path=str(screenshots / "announcement-jupyterlab.png"))

            page.goto(f"{hub.public}/hub/home")
            frame = page.frame_locator(f"#announcements-{course.id} iframe")
            frame.get_by_text(words).first.wait_for(timeout=30_000)
            page.screenshot(path=str(screenshots / "announcement-hub-home-posted.png"), full_page=True)

            # the instructor withdraws it
            teacher.reload()
            item = teacher.locator(".ann", has_text=words)
            teacher.screenshot(path=str(screenshots / "announcement-console-instructor.png"), full_page=True)
            item.locator("button", has_text="取り下げる").click()
            teacher.wait_for_url("**/announcements?ok=withdrawn")
            teacher.screenshot(path=str(screenshots / "announcement-withdrawn.png"), full_page=True)
            assert "取り下げました" in teacher.inner_text("body") and words not in teacher.inner_text("body")
            page.reload()
            page.locator(f"#announcements-{course.id} iframe").wait_for()
            assert words not in page.frame_locator(f"#announcements-{course.id} iframe").locator("body").inner_text()
            news = requests.get(f"{hub.public}/user/{name}/lab/api/news", headers=hub._h(), timeout=60).json()
            assert not any(words in n["message"] for n in news["news"])
            assert page.external_requests == []
        finally:
            teacher_ctx.close()

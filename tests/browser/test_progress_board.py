"""What the instructor sees on the progress board (進捗ボード) in a real browser, offline."""

from __future__ import annotations

import pytest
from helpers.progress import cohort_member, submission

pytestmark = pytest.mark.browser


def test_instructor_sees_the_trainees_row_with_japanese_headers(page, hub, layout, stack_config, unique, screenshots):
    """Does the instructor, signed in through the hub, see a trainee's submission on a Japanese board?"""
    course = stack_config.courses[0]
    name, assignment = f"pw{unique()}", f"kadai-{unique()}"
    with (
        cohort_member(hub, layout, course.id, name, "画面 確子", "pass-w-1234"),
        submission(layout, course.id, name, assignment),
    ):
        page.goto(f"{hub.public}/hub/login?next=/services/progress-{course.id}/")
        page.fill("input[name=username]", course.instructors[0])
        page.fill("input[name=password]", (layout.secrets / "instructor-password").read_text().strip())
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(f"**/services/progress-{course.id}/**")
        row = page.locator(f"tr[data-user='{name}']")
        row.wait_for(timeout=30_000)  # the board reloads itself every 15 s; a new trainee shows within 30 s
        page.screenshot(path=str(screenshots / "progress-board.png"), full_page=True)
        assert page.locator("html").get_attribute("lang") == "ja"
        assert page.locator("h1").inner_text().startswith("研修コンソール")
        headers = page.locator("thead").inner_text()
        for label in ("氏名", "所属", "合格", assignment):
            assert label in headers
        assert "画面 確子" in row.inner_text()
        assert page.external_requests == []

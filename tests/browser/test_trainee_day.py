"""A trainee's first hour in a real browser, offline: sign in, a Japanese JupyterLab, the course
notebook opened from the fetched assignment, the cells that read the CKAN catalogue run; then the
instructor's progress board shows the trainee."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.course import enrol, live_assignment, run_testbed
from helpers.progress import cohort_member

pytestmark = pytest.mark.browser

LESSON = "kyozai_00_hajimeni"
_CELLS = json.loads(
    (Path(__file__).resolve().parents[2] / "courses" / "odtb" / "source" / "00_hajimeni" / f"{LESSON}.ipynb").read_text(
        encoding="utf-8"
    )
)["cells"]
# from the top of the lesson to the cell that counts the districts read from CKAN (Shift+Enter presses)
CELLS_TO_CKAN = next(i + 1 for i, c in enumerate(_CELLS) if "midorino-districts" in "".join(c["source"]))


def _sign_in(page, hub, user: str, password: str, next_url: str = "") -> None:
    page.goto(f"{hub.public}/hub/login" + (f"?next={next_url}" if next_url else ""))
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def _run_cells(page, n: int) -> None:
    """Shift+Enter from the first cell, ``n`` times, as a trainee steps through a lesson."""
    page.locator(".jp-Notebook .jp-Cell").first.click()
    for _ in range(n):
        page.keyboard.press("Shift+Enter")
        page.wait_for_timeout(150)


def test_trainee_reads_ckan_from_the_course_notebook_and_the_board_shows_it(
    browser, page, hub, layout, stack_config, unique, screenshots
):
    """Does a trainee, signed in through the hub, run the course's CKAN cell in a Japanese JupyterLab,
    and does the instructor's board then show that trainee with the assignment fetched?"""
    course = stack_config.courses[0]
    name, password = f"pb{unique()}", "pass-b-" + unique()
    with (
        cohort_member(hub, layout, course.id, name, "画面 研修子", password),
        live_assignment(layout, "00_hajimeni", f"day_{unique()}") as (_, assignment),
    ):
        res = run_testbed("course", "release", assignment, "--course", course.id)
        assert res.returncode == 0, res.stdout + res.stderr
        enrol(hub, course.id, name)
        _sign_in(page, hub, name, password)
        page.wait_for_url("**/lab**", timeout=120_000)
        page.get_by_text("ファイル", exact=True).first.wait_for(timeout=120_000)
        # fetch the assignment the way the Assignment List does (nbgrader in the trainee's own server)
        fetch = f"nbgrader fetch_assignment {assignment} --course {course.id}"
        out = hub.run_code(name, f"import subprocess; subprocess.run({fetch!r}.split(), check=True)", timeout=90)
        assert out["error"] is None, out
        base = f"{hub.public}/user/{name}/lab/tree/{course.id}/{assignment}"

        page.goto(f"{base}/{LESSON}.ipynb")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
        assert page.get_by_text("ファイル", exact=True).first.is_visible()  # still the Japanese UI
        _run_cells(page, CELLS_TO_CKAN)
        # ckan_setup.inc prints the catalogue it reached (with the trainee's own token); the next cell
        # counts the city's districts it read from CKAN
        page.get_by_text("の町丁目があります", exact=False).first.wait_for(timeout=120_000)
        assert page.get_by_text("トークン：あり", exact=False).first.is_visible()
        page.screenshot(path=str(screenshots / "trainee-lesson.png"))
        assert page.external_requests == []

        board = browser.new_context(locale="ja-JP").new_page()
        try:
            _sign_in(board, hub, course.instructors[0], (layout.secrets / "instructor-password").read_text().strip(),
                     f"/services/progress-{course.id}/")  # fmt: skip
            board.wait_for_url(f"**/services/progress-{course.id}/**")
            row = board.locator(f"tr[data-user='{name}']")
            row.wait_for(timeout=30_000)
            board.screenshot(path=str(screenshots / "progress-board-trainee.png"), full_page=True)
            assert "画面 研修子" in row.inner_text()
            assert "取得" in row.inner_text()  # fetched; nothing else is done yet in this row
            api = board.request.get(f"{hub.public}/services/progress-{course.id}/api/progress").json()
            mine = next(t for t in api["trainees"] if t["username"] == name)["assignments"][assignment]
            assert mine["fetched"] is True
        finally:
            board.context.close()
        hub.request("DELETE", f"/users/{name}/server")

"""課題0 in a real browser: a wrong answer shows the Japanese box (no traceback), a hint appears on
``q2.hint()``, a typo gets the Japanese explanation above Python's own error, the right answer passes, and
the progress drop box holds the attempts and the hint (classroom.marks.read_tries)."""

from __future__ import annotations

import re

import pytest
from helpers.course import enrol, live_assignment, run_testbed
from helpers.progress import cohort_member

from classroom import marks

pytestmark = pytest.mark.browser

NOTEBOOK = "kadai_00_hajimeni.ipynb"
WRONG = 'total_capacity = shelters["想定収容人数"].mean()'
RIGHT = 'total_capacity = shelters["想定収容人数"].sum()'


def _prepare(course: str, assignment: str) -> str:
    """Kernel code for the trainee: fetch, answer 問1 right and 問2 wrong, add a hint cell and a typo cell."""
    return f"""
import json, pathlib, subprocess
# captured: the subprocess writes to the kernel's fd 1, which may reach the output after the count below
subprocess.run("nbgrader fetch_assignment {assignment} --course {course}".split(), check=True, capture_output=True)
path = pathlib.Path.home() / {course!r} / {assignment!r} / {NOTEBOOK!r}
nb = json.loads(path.read_text(encoding="utf-8"))
answers = {{"answer_city": 'city = "みどり野市"', "answer_total": {WRONG!r}}}
cells = []
for cell in nb["cells"]:
    gid = cell["metadata"].get("nbgrader", {{}}).get("grade_id")
    if gid in answers:
        cell["source"] = answers[gid]
    cells.append(cell)
    if gid == "check_total":
        for i, src in enumerate(["q2.hint()", "shelter.head()"]):
            cells.append({{"cell_type": "code", "id": f"extra-{{i}}", "metadata": {{}}, "source": src,
                          "outputs": [], "execution_count": None}})
        break
nb["cells"] = cells
path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
print(len(cells))
"""


def _sign_in(page, hub, user: str, password: str) -> None:
    page.goto(f"{hub.public}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def _run(page, cell) -> None:
    cell.click()
    page.keyboard.press("Escape")  # command mode: Shift+Enter runs the selected cell
    page.keyboard.press("Shift+Enter")
    page.wait_for_timeout(1200)


def test_wrong_then_right_answer_in_the_browser(browser, page, hub, layout, stack_config, unique, screenshots):
    """Does a wrong 問2 show 【どこが違うか】 in a box with no traceback, q2.hint() a hint, a typo the Japanese
    explanation above the NameError, the right answer ✅, and the board's drop box the attempts and hint?"""
    course = stack_config.courses[0]
    name, password = f"sb{unique()}", "pass-s-" + unique()
    with (
        cohort_member(hub, layout, course.id, name, "自己 チェック子", password),
        live_assignment(layout, "00_hajimeni", f"box_{unique()}") as (_, assignment),
    ):
        res = run_testbed("course", "release", assignment, "--course", course.id)
        assert res.returncode == 0, res.stdout + res.stderr
        enrol(hub, course.id, name)
        _sign_in(page, hub, name, password)
        page.wait_for_url("**/lab**", timeout=120_000)
        out = hub.run_code(name, _prepare(course.id, assignment), timeout=90)
        assert out["error"] is None, out
        count = int(out["stdout"].split()[-1])
        page.goto(f"{hub.public}/user/{name}/lab/tree/{course.id}/{assignment}/{NOTEBOOK}")
        cells = page.locator(".jp-Notebook .jp-Cell")
        cells.first.wait_for(timeout=120_000)
        for i in range(count):
            _run(page, cells.nth(i))
        check = cells.nth(count - 3)
        box = check.locator(".jp-OutputArea-output").first
        box.wait_for(timeout=30_000)
        text = box.inner_text()
        assert "【どこが違うか】" in text and "平均" in text and "【直し方のヒント】" in text, text
        assert "Traceback" not in text and "File " not in text and "190" not in text, text
        hint = cells.nth(count - 2).locator(".jp-OutputArea-output").first.inner_text()
        assert "ヒント 1/2" in hint, hint
        typo = cells.nth(count - 1).locator(".jp-OutputArea-output").first.inner_text()
        assert "「shelter」" in typo and "shelters" in typo and "NameError" in typo, typo
        assert typo.index("よくある原因") < typo.index("NameError")
        check.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / "selfcheck-box-wrong.png"), full_page=False)
        cells.nth(count - 1).scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / "selfcheck-hint-and-typo.png"), full_page=False)

        answer = cells.nth(count - 4)
        answer.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(RIGHT)
        page.keyboard.press("Shift+Enter")
        page.wait_for_timeout(1000)
        _run(page, check)
        check.get_by_text("✅ 問2 合格").wait_for(timeout=30_000)
        assert "【どこが違うか】" not in check.inner_text()
        check.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / "selfcheck-box-right.png"), full_page=False)

        unix = f"{layout.cfg.unix_user_prefix}{name}"
        tries = marks.read_tries(layout.exchange / course.id).get((unix, assignment), {})
        assert tries.get("q2", {}).get("failures", 0) >= 1 and tries["q2"]["attempts"] >= 2, tries
        assert tries["q2"]["hints"] >= 1, tries
        assert marks.read(layout.exchange / course.id, marks.SELFCHECKED) >= {(unix, assignment)}
        # the trainee's page of the console (theirs to see) counts them too
        page.goto(f"{hub.public}/services/progress-{course.id}/trainee?user={name}")
        row = page.locator(f"tr[data-assignment='{assignment}']")
        row.wait_for(timeout=30_000)
        assert "自己チェック (実行・不合格・ヒント・解答例)" in page.locator("thead").first.inner_text()
        cell = row.locator("td").nth(8).inner_text()
        assert re.fullmatch(r"\d+ 回 \(不合格 [1-9]\d*\)・ヒント [1-9]\d*", cell), cell
        page.screenshot(path=str(screenshots / "selfcheck-console-trainee-page.png"), full_page=True)
        assert page.external_requests == []
        hub.request("DELETE", f"/users/{name}/server")

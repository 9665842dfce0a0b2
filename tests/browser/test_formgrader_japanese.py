"""Manual grading in Japanese: the instructor goes from the console to the formgrader, through 課題の管理 →
the submissions → the grading page of a trainee's submission, enters a score and a comment; every label,
button and message on the way reads in Japanese, with the trainee's 氏名. The feedback-watcher then
regenerates the trainee's feedback, which shows the new score under Japanese labels."""

from __future__ import annotations

import json
import os
import re
import time

import pytest
from helpers.course import enrol, live_assignment, on_roster, run_testbed, submit_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.geteuid() != 0, reason="`./testbed grade` drops kernels to other uids only as root"),
]

NOTEBOOK = "kadai_tesaiten"
FULLNAME = "試験 花子"
COMMENT = "根拠の数字がよく書けています。"
# Latin words that may show: product names, abbreviations, and (added per test) ids and key names
ALLOWED = {"JupyterLab", "Jupyter", "nbgrader", "ID", "JST", "Markdown", "CSV", "URL"}
LATIN = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _cell(kind: str, source: str, grade_id: str = "", **nbgrader) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell |= {"outputs": [], "execution_count": None}
    if grade_id:
        meta = {"grade_id": grade_id, "schema_version": 3, "locked": False, "solution": False, "grade": False}
        cell["metadata"]["nbgrader"] = meta | nbgrader
    return cell


def _notebook(answer: str, memo: str) -> str:
    """A two-question assignment: an autograded sum (2 points) and a written answer graded by hand (3)."""
    cells = [
        _cell("markdown", "# 手採点の練習\n合計を求め、考えたことを書いてください。"),
        _cell("code", answer, "answer_sum", solution=True),
        _cell("code", 'assert total == 3, "合計が違います"', "check_sum", grade=True, locked=True, points=2),
        _cell("markdown", memo, "answer_memo", solution=True, grade=True, points=3),
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, ensure_ascii=False)


@pytest.fixture
def graded_submission(layout, hub, trainee, unique, tmp_path):
    """A trainee on the roster as 試験 花子 has submitted a unique two-question assignment, autograded by
    `./testbed grade` (the written answer waits for manual grading); everything removed afterwards."""
    source = tmp_path / "src"
    source.mkdir()
    solution = "### BEGIN SOLUTION\n{}\n### END SOLUTION"
    text = _notebook(solution.format("total = 1 + 2"), solution.format("模範解答"))
    (source / f"{NOTEBOOK}.ipynb").write_text(text, encoding="utf-8")
    with live_assignment(layout, source, f"fg{unique()}") as (course, name):
        with on_roster(layout, course, trainee, FULLNAME):
            res = run_testbed("course", "release", name, "--course", course)
            assert res.returncode == 0, res.stdout + res.stderr
            enrol(hub, course, trainee)
            answered = _notebook("total = 1 + 2", "高齢化率が30%を超える地区では、避難場所までの距離を短くします。")
            out = hub.run_code(trainee, submit_code(course, name, NOTEBOOK, answered), timeout=120)
            assert out["error"] is None, out
            res = run_testbed("grade", name, "--course", course)
            assert res.returncode == 0, res.stdout + res.stderr
            yield course, name, trainee


def _visible_text(page) -> str:
    """What a reader sees, minus the trainee's notebook (code, In [1] prompts, outputs, answers) and key names."""
    return page.evaluate(
        """() => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('.input_area, .output_wrapper, .text_cell_render, .prompt, pre, code, script, style, svg,'
            + ' .shortcut-key, [style*="display: none"]').forEach(e => e.remove());
        return body.innerText;
    }"""
    )


def _english(page, allowed: set[str]) -> list[str]:
    return sorted({w for w in LATIN.findall(_visible_text(page)) if w not in allowed})


def _fetched_feedback(hub, trainee: str, course: str, name: str) -> str:
    """The trainee's newest feedback page, as `nbgrader fetch_feedback` puts it in their home."""
    code = f"""
import pathlib, subprocess
p = subprocess.run(["nbgrader", "fetch_feedback", {name!r}, "--course", {course!r}], capture_output=True, text=True)
pages = sorted(pathlib.Path({course!r}, {name!r}, "feedback").glob("*/{NOTEBOOK}.html"))
print(pages[-1].read_text(encoding="utf-8") if pages else "NO FEEDBACK\\n" + p.stdout + p.stderr)
"""
    out = hub.run_code(trainee, code, timeout=120)
    assert out["error"] is None, out
    return out["stdout"]


def _sign_in(page, hub, user: str, password: str, next_url: str) -> None:
    page.goto(f"{hub.public}/hub/login?next={next_url}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def test_instructor_grades_by_hand_in_japanese_and_the_trainee_sees_the_new_score(
    page, hub, layout, stack_config, graded_submission, screenshots
):
    """From the console through 課題の管理, the submissions and the grading page (score, comment, keyboard
    help, flag): is every visible word Japanese but ids and product names, is the trainee shown by 氏名, and
    does the trainee's regenerated feedback show the manual score under Japanese labels?"""
    course, name, trainee = graded_submission
    student = stack_config.unix_user_prefix + trainee  # nbgrader's student id: the trainee's Unix account
    allowed = ALLOWED | {w for i in [name, NOTEBOOK, student, trainee] for w in LATIN.findall(i)}
    user = stack_config.courses[0].instructors[0]
    password = (layout.secrets / "instructor-password").read_text().strip()
    fg = f"/services/formgrader-{course}/formgrader"

    _sign_in(page, hub, user, password, f"/services/progress-{course}/")
    page.wait_for_url(f"**/services/progress-{course}/**")
    page.locator("h1").wait_for()
    assert page.locator("h1").inner_text().startswith("研修コンソール")
    # the console's link to manual grading opens the formgrader in a tab of its own
    link = page.locator(f"a[href*='formgrader-{course}']", has_text="採点画面")
    assert link.count() == 1, "the console has no link to the grading screen"
    with page.context.expect_page() as opened:
        link.click()
    opened.value.external_requests = page.external_requests  # recorded for the whole context
    page = opened.value
    page.set_default_timeout(60_000)

    # 課題の管理
    page.wait_for_url(f"**{fg}/manage_assignments**")
    row = page.locator("#main-table tr", has_text=name)
    row.wait_for()
    assert page.locator("h1", has_text="課題の管理").count() == 1
    page.screenshot(path=str(screenshots / "formgrader-ja-1-manage-assignments.png"), full_page=True)
    listed = page.locator("#main-table td.name").all_inner_texts()  # assignment ids (other tests' too)
    allowed |= {w for i in listed for w in LATIN.findall(i)}
    assert _english(page, allowed) == []
    page.locator("a", has_text="使い方").first.click()
    page.locator("#collapseOne.in").wait_for()
    page.screenshot(path=str(screenshots / "formgrader-ja-1b-instructions.png"), full_page=True)
    assert _english(page, allowed) == []

    # 提出の管理: the trainee by 氏名, graded automatically, waiting for manual grading
    row.locator("td.num-submissions a").click()
    page.wait_for_url(f"**{fg}/manage_submissions/{name}**")
    sub = page.locator("#main-table tr", has_text=FULLNAME)
    sub.wait_for()
    assert "手採点待ち" in sub.inner_text()
    page.screenshot(path=str(screenshots / "formgrader-ja-2-submissions.png"), full_page=True)
    assert _english(page, allowed) == []

    # the trainee's notebooks, then the grading page
    sub.locator("a", has_text=FULLNAME).click()
    page.wait_for_url(f"**{fg}/manage_students/{student}/{name}**")
    nb_link = page.locator("#main-table a", has_text=NOTEBOOK)
    nb_link.wait_for()
    page.screenshot(path=str(screenshots / "formgrader-ja-3-notebooks.png"), full_page=True)
    assert _english(page, allowed) == []
    nb_link.click()
    page.wait_for_url(f"**{fg}/submissions/**")
    score = page.locator("input.score#answer_memo")
    score.wait_for()
    page.wait_for_timeout(1000)  # the Backbone views fill the form after load
    text = page.locator("body").inner_text()
    assert "研修生の解答" in text and "満点" in text and "次へ" in text and "前へ" in text
    page.screenshot(path=str(screenshots / "formgrader-ja-4-grading.png"), full_page=True)
    assert _english(page, allowed) == []

    # keyboard help
    page.locator(".help").click()
    modal = page.locator(".modal-dialog", has_text="キーボードショートカット")
    modal.wait_for()
    page.wait_for_timeout(500)  # Bootstrap's fade-in
    page.screenshot(path=str(screenshots / "formgrader-ja-5-keyboard-help.png"))
    assert _english(page, allowed) == []
    modal.locator("button", has_text="閉じる").click()
    modal.wait_for(state="hidden")

    # score and comment, saved on change
    with page.expect_response(lambda r: "/api/grade/" in r.url and r.request.method == "PUT"):
        score.fill("2")
        score.press("Tab")
    comment = page.locator("textarea#answer_memo-comment")
    assert "コメントを入力" in (comment.get_attribute("placeholder") or "")
    with page.expect_response(lambda r: "/api/comment/" in r.url and r.request.method == "PUT"):
        comment.fill(COMMENT)
        comment.press("Escape")
    # flag the submission (and take the flag off again) with the keyboard, as the help lists it
    score.focus()
    score.press("Control+Shift+F")
    page.locator("#statusmessage", has_text="要確認の印を付けました").wait_for()
    page.screenshot(path=str(screenshots / "formgrader-ja-6-graded.png"), full_page=True)
    assert _english(page, allowed) == []
    score.press("Control+Shift+F")
    page.locator("#statusmessage", has_text="要確認の印を外しました").wait_for()
    assert _english(page, allowed) == []

    # the name, shown on request, is the 氏名
    page.locator("span.glyphicon-eye-open.name-hidden").click()
    assert FULLNAME in page.locator("a.name-shown").inner_text()
    assert page.external_requests == []  # no CDN, not even MathJax (offline classrooms)

    # the feedback-watcher regenerates and releases the trainee's feedback (every 15 s)
    deadline = time.monotonic() + 150
    feedback = ""
    while time.monotonic() < deadline:
        feedback = _fetched_feedback(hub, trainee, course, name)
        if COMMENT in feedback:
            break
        time.sleep(2)
    assert COMMENT in feedback, feedback[-2000:]
    assert "得点: 4 / 5" in feedback or "(得点: 4.0 / 5.0)" in feedback
    for label in ("あなたの解答", "講師のコメント", "講師の採点を反映済み"):
        assert label in feedback, label
    for english in ("Student's answer", "Comments:", "Score:", "(Top)"):
        assert english not in feedback, english
    page.set_content(feedback)
    page.screenshot(path=str(screenshots / "formgrader-ja-7-feedback.png"), full_page=True)
    assert _english(page, allowed) == []

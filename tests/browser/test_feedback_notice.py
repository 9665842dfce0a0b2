"""Remote mode's feedback reaching an open JupyterLab (testbed_cli/lab_feedback_notice.py): a trainee has JupyterLab
open, submits, the autograder grades and releases the feedback, and without a reload a Japanese notification says so;
its 「受け取って開く」 fetches the feedback and opens it in JupyterLab. Screenshots: ``feedback-notice-*.png``.

The autograder runs as in tests/integration/test_autograder.py (the supervised program's command line, limited to
this test's assignment); the shared stack itself stays in on-site mode.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time

import pytest
from helpers.course import REPO, live_assignment, run_testbed, submit_code
from helpers.progress import cohort_member

from testbed_cli.stack import autograder_program

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.geteuid() != 0, reason="the autograder runs kernels as the trainees, only as root"),
]

MODULE = "00_hajimeni"
NOTEBOOK = "kadai_00_hajimeni"
NOTICE_WITHIN = 12  # seconds from the feedback's release (the plugin asks whether any was released every 5 s)


def _sign_in(page, hub, user: str, password: str) -> None:
    page.goto(f"{hub.public}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def _released(layout, course: str, assignment: str) -> list:
    """This assignment's feedback pages in the course's exchange (named as nbgrader's list looks for them:
    md5 of the submission's secret and the notebook's id)."""
    exchange = layout.exchange / course
    pages = []
    for submission in (exchange / "inbound").glob(f"*+{assignment}+*"):
        secret = submission / "submission_secret.txt"
        if secret.is_file():
            digest = hashlib.md5((secret.read_text(encoding="utf-8") + NOTEBOOK).encode()).hexdigest()
            pages.append(exchange / "feedback" / f"{digest}.html")
    return [p for p in pages if p.is_file()]


def _start_autograder(layout, assignment: str):
    program = autograder_program(layout)
    # a round interval longer than the test: the submission itself starts the grading (wait_for_submissions)
    cmd = [*program.command, "--interval", "900", "--assignment", assignment]
    env = {**program.environment, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONPATH": str(REPO)}
    log = open(layout.logs / "autograder-notice-test.log", "w")  # noqa: SIM115 (closed in _stop_autograder)
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO), log


def _stop_autograder(layout, proc, log, assignment: str) -> None:
    proc.terminate()
    proc.wait(timeout=60)
    log.close()
    for course in layout.cfg.courses:
        p = layout.run / f"autograder-{course.id}.json"
        if p.exists():  # forget this test's entries; the live autograder keeps its own
            data = json.loads(p.read_text())
            data["seen"] = [e for e in data["seen"] if f"+{assignment}+" not in e]
            p.write_text(json.dumps(data))


def test_does_an_open_jupyterlab_say_that_feedback_arrived(page, hub, layout, stack_config, unique, screenshots):
    """With JupyterLab open and no reload, does a Japanese notification appear within 60 s of the autograder
    releasing the feedback, and does 「受け取って開く」 open the feedback (得点) in JupyterLab?"""
    course = stack_config.courses[0].id
    name, password = f"fbn{unique()}", "pass-fbn-" + unique()
    with (
        cohort_member(hub, layout, course, name, "通知 研修子", password),
        live_assignment(layout, MODULE, f"fbn_{unique()}") as (_, assignment),
    ):
        res = run_testbed("course", "release", assignment, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        proc, log = _start_autograder(layout, assignment)
        try:
            _sign_in(page, hub, name, password)
            page.wait_for_url("**/lab**", timeout=120_000)
            page.get_by_text("ファイル", exact=True).first.wait_for(timeout=120_000)
            page.evaluate("window.__sameDocument = true")  # gone if the page reloads
            # the trainee opens 課題 > 課題の一覧, where they submit (this loads nbgrader in their server, after which
            # the notice asks nbgrader's list: hub_config/nbgrader_lazy.py)
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^課題$")).click()
            page.locator(".lm-Menu-itemLabel", has_text="課題の一覧").click()
            page.locator(".lm-TabBar-tab.lm-mod-current", has_text="課題の一覧").wait_for(timeout=60_000)

            solution = (REPO / "courses" / course / "source" / MODULE / f"{NOTEBOOK}.ipynb").read_text("utf-8")
            out = hub.run_code(name, submit_code(course, assignment, NOTEBOOK, solution), timeout=120)
            assert out["error"] is None, out

            deadline = time.monotonic() + 240
            while not _released(layout, course, assignment):
                assert proc.poll() is None, (layout.logs / "autograder-notice-test.log").read_text()
                assert time.monotonic() < deadline, (layout.logs / "autograder-notice-test.log").read_text()[-3000:]
                time.sleep(1)
            released_at = time.monotonic()

            toast = page.locator(
                ".Toastify__toast", has_text=f"課題「{assignment}」の採点結果（フィードバック）が届きました"
            )
            toast.wait_for(timeout=NOTICE_WITHIN * 1000)
            waited = time.monotonic() - released_at
            assert waited <= NOTICE_WITHIN, waited
            assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
            button = toast.locator(".jp-toast-button", has_text="受け取って開く")
            button.click(trial=True)  # waits until the toast has slid in and stands still
            page.screenshot(path=str(screenshots / "feedback-notice-toast.png"))
            assert page.external_requests == []

            button.click()
            # the assignment's own notebook in front
            current = page.locator(".lm-TabBar-tab.lm-mod-current", has_text=f"{NOTEBOOK}.html")
            current.wait_for(timeout=60_000)
            feedback = page.frame_locator(".jp-HTMLViewer:visible iframe")
            feedback.get_by_text("得点: 5 / 5").first.wait_for(timeout=30_000)
            assert feedback.get_by_text("採点結果").first.is_visible()
            fetching = page.locator(".Toastify__toast", has_text="フィードバックを受け取っています")
            fetching.wait_for(state="detached", timeout=15_000)  # the in-progress notice goes once it is open
            # the module's lessons (0 points) have feedback pages too: they are not opened in front of the trainee
            lessons = page.locator(".lm-TabBar-tab", has_text="kyozai_")
            assert lessons.count() == 0, lessons.all_inner_texts()
            page.screenshot(path=str(screenshots / "feedback-notice-opened.png"))
            assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
            assert page.external_requests == []  # nothing leaves the machine, not even MathJax (offline classrooms)
        finally:
            page.screenshot(path=str(screenshots / "feedback-notice-last.png"))  # where it ended (or failed)
            _stop_autograder(layout, proc, log, assignment)
            for p in _released(layout, course, assignment):
                p.unlink(missing_ok=True)

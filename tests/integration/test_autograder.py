"""Remote mode's autograder: a trainee submits, and feedback comes back with no instructor action.

The autograder runs here exactly as supervisord runs it in remote mode (the command line of
``testbed_cli.stack.autograder_program``), limited to this test's assignment and with a short
interval; the shared stack itself stays in on-site mode.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
from helpers.course import REPO, enrol, live_assignment, run_testbed, submit_code

from testbed_cli.stack import autograder_program

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="the autograder runs kernels as the trainees, only as root"),
]

MODULE = "00_hajimeni"
NOTEBOOK = "kadai_00_hajimeni"


@pytest.fixture
def assignment(layout, unique):
    with live_assignment(layout, MODULE, f"auto_{unique()}") as made:
        yield made


@pytest.fixture
def autograder(layout, assignment):
    """The supervised program's command, run from the checkout for this one assignment."""
    program = autograder_program(layout)
    # a round interval longer than the test: the submission itself must start the grading (wait_for_submissions)
    cmd = [*program.command, "--interval", "900", "--assignment", assignment[1]]
    env = {**program.environment, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONPATH": str(REPO)}
    log = open(layout.logs / "autograder-test.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
        for course in layout.cfg.courses:
            p = layout.run / f"autograder-{course.id}.json"
            if p.exists():  # forget this test's entries; the live autograder keeps its own
                data = json.loads(p.read_text())
                data["seen"] = [e for e in data["seen"] if f"+{assignment[1]}+" not in e]
                p.write_text(json.dumps(data))


FEEDBACK = """
import glob, subprocess
p = subprocess.run(["nbgrader", "fetch_feedback", {name!r}, "--course", {course!r}], capture_output=True, text=True)
pages = glob.glob({pattern!r})
print("PAGES", len(pages))
if pages:
    print(open(pages[0], encoding="utf-8").read())
"""


def test_does_feedback_come_back_without_instructor_action(layout, hub, trainee, assignment, autograder):
    """After a trainee submits, does the autograder grade it and release feedback the trainee fetches?"""
    course, name = assignment
    res = run_testbed("course", "release", name, "--course", course)
    assert res.returncode == 0, res.stdout + res.stderr
    enrol(hub, course, trainee)
    solution = (REPO / "courses" / course / "source" / MODULE / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
    out = hub.run_code(trainee, submit_code(course, name, NOTEBOOK, solution), timeout=90)
    assert out["error"] is None, out

    pattern = f"{course}/{name}/feedback/*/{NOTEBOOK}.html"
    code = FEEDBACK.format(name=name, course=course, pattern=pattern)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert autograder.poll() is None, (layout.logs / "autograder-test.log").read_text()
        out = hub.run_code(trainee, code, timeout=60)
        if "PAGES 1" in out["stdout"]:
            break
        time.sleep(3)
    else:
        pytest.fail("no feedback after 240 s:\n" + (layout.logs / "autograder-test.log").read_text()[-3000:])
    assert "BEGIN HIDDEN TESTS" not in out["stdout"]
    log = (layout.logs / "autograder-test.log").read_text()
    assert f"{course}/{name}: {layout.cfg.unix_user_prefix}{trainee} 5 / 5" in log, log
    assert "新しい提出が届きました" in log, log

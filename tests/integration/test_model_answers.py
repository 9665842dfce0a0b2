"""``q.solution()`` from a trainee's real kernel: the model answer comes from the course's classroom service with the
server's hub token, never from the trainees' package. On-site (this stack) the live service refuses; a second instance
of the same service in remote mode (its own port, ``--solution-after=2``, the course's real service token) refuses
before two failed self-checks and gives the instructor's answer cell after them, counted from the trainee's own tries
marks."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from helpers.course import enrol, live_assignment, run_testbed
from helpers.progress import cohort_member

from classroom import marks
from classroom.solutions import OFF
from testbed_cli import progress
from testbed_config.names import classroom_name

pytestmark = pytest.mark.integration

RIGHT = 'total_capacity = shelters["想定収容人数"].sum()'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def remote_service(layout):
    """The course's classroom service as remote mode runs it, on a port of its own."""
    program = progress.progress_program(layout, 0)
    port = _free_port()
    command = [
        f"--port={port}" if a.startswith("--port=") else a
        for a in program.command
        if not a.startswith("--solution-after=")
    ]
    command.append("--solution-after=2")
    name = classroom_name(layout.cfg.courses[0].id)
    env = {**program.environment, "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}/services/{name}/"}
    log = open(layout.logs / "classroom-remote-test.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        command, env=env, user=program.user, cwd=program.directory, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/services/{name}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield url + "api/solution"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _kernel_code(course: str, assignment: str, url: str | None) -> str:
    """Fetch, then in the assignment's folder: solution() before and after two failed checks of 問2 (counted by the
    service over all the trainee's kernels). Without ``url`` (this on-site stack): solution() refuses by itself, and
    the live service is asked directly through the hub's proxy with the server's token."""
    fetch = f"""
import os, subprocess
if not os.path.isdir(os.path.expanduser("~/{course}/{assignment}")):
    subprocess.run("nbgrader fetch_assignment {assignment} --course {course}".split(), check=True, capture_output=True)
os.chdir(os.path.expanduser("~/{course}/{assignment}"))
from odtbcheck.kadai_00 import q2
from odtbcheck.questions import ask_solution
"""
    if url is None:
        return fetch + 'q2.solution()\nprint(ask_solution("q2"))\n'
    return (
        fetch
        + f"""
os.environ.update(TESTBED_SOLUTION_URL={url!r}, TESTBED_SOLUTION_AFTER='2')
q2.solution()
print("---")
for wrong in (1, 2):
    try:
        q2.check(namespace={{"total_capacity": wrong}})
    except AssertionError:
        pass
q2.solution()
"""
    )


def test_model_answer_only_in_remote_mode_after_failures(hub, layout, stack_config, unique, remote_service):
    """On-site: does the live service refuse (its Japanese reason) through the hub's proxy? Remote: is the answer
    refused with 「あと 2 回」 first, then given after two failed checks, and recorded on the board?"""
    course = stack_config.courses[0].id
    name = f"ma{unique()}"
    with (
        cohort_member(hub, layout, course, name, "解答 例子", "pass-m-" + unique()),
        live_assignment(layout, "00_hajimeni", f"ans_{unique()}") as (_, assignment),
    ):
        res = run_testbed("course", "release", assignment, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        enrol(hub, course, name)
        hub.start_server(name)
        onsite = hub.run_code(name, _kernel_code(course, assignment, None), timeout=120)
        assert onsite["error"] is None, onsite
        out = onsite["stdout"]
        assert RIGHT not in out and "解答例は、この研修では表示しません" in out, out
        assert f"(None, {OFF!r})" in onsite["stdout"], onsite["stdout"]  # the live service's own refusal

        remote = hub.run_code(name, _kernel_code(course, assignment, remote_service), timeout=120)
        assert remote["error"] is None, remote
        before, after = remote["stdout"].split("---")
        assert "あと" in before and RIGHT not in before, before
        assert "📘 問2 の解答例" in after and RIGHT in after, after
        assert OFF not in after
        unix = layout.cfg.unix_user_prefix + name
        tries = marks.read_tries(layout.exchange / course)[(unix, assignment)]["q2"]
        assert (tries["failures"], tries["solutions"]) == (2, 1), tries


def test_another_trainees_failures_or_an_unreleased_assignment_give_nothing(
    hub, layout, stack_config, unique, remote_service
):
    """Does a trainee get no answer for an assignment that is not released (404 with a Japanese reason), and none
    without a token (the service's sign-in, not an answer)?"""
    course = stack_config.courses[0].id
    name = f"mb{unique()}"
    folder = f"~/{course}/never_released_{unique()}"
    code = f"""
import os, pathlib
folder = pathlib.Path(os.path.expanduser({folder!r}))
folder.mkdir(parents=True, exist_ok=True)
from odtbcheck.questions import ask_solution
os.environ['TESTBED_SOLUTION_URL'] = {remote_service!r}
print(ask_solution("q1", folder=folder))
"""
    with cohort_member(hub, layout, course, name, "未配布 見る子", "pass-n-" + unique()):
        hub.start_server(name)
        out = hub.run_code(name, code, timeout=120)
        assert out["error"] is None, out
        assert out["stdout"].startswith("(None, ") and "見つかりません" in out["stdout"], out["stdout"]
    req = urllib.request.Request(remote_service + "?assignment=00_hajimeni&question=q2")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read().decode()
    except urllib.error.HTTPError as e:
        body = e.read().decode()
    assert "total_capacity" not in body

"""The progress board (進捗ボード) against the running stack: who sees what, how fresh it is, self-checks run in a
trainee's own kernel, and deadlines set with `./testbed cohort deadline`."""

from __future__ import annotations

import time

import pytest
import requests
from helpers.cohort import cli
from helpers.course import live_assignment, run_testbed
from helpers.progress import cohort_member, login, released, submission

pytestmark = pytest.mark.integration

FRESH_SECONDS = 30
MODULE = "00_hajimeni"  # a curriculum module whose assignment notebook has the course's check() cell


def _url(hub, course: str, path: str = "") -> str:
    return f"{hub.public}/services/progress-{course}/{path}"


def _rows(session: requests.Session, hub, course: str) -> dict[str, dict]:
    r = session.get(_url(hub, course, "api/progress"), timeout=30)
    assert r.status_code == 200, r.text[:300]
    return {row["username"]: row for row in r.json()["trainees"]}


def _cell(session, hub, course: str, user: str, assignment: str) -> dict:
    """One trainee's cell, or {} while the board does not know them or the assignment yet."""
    return _rows(session, hub, course).get(user, {}).get("assignments", {}).get(assignment, {})


def _wait_for(predicate, timeout: float = FRESH_SECONDS):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(1)


@pytest.fixture
def two_trainees(hub, layout, stack_config, unique):
    course = stack_config.courses[0].id
    a, b = f"pa{unique()}", f"pb{unique()}"
    with cohort_member(hub, layout, course, a, "進捗 太郎", "pass-a-1234"):
        with cohort_member(hub, layout, course, b, "進捗 花子", "pass-b-1234"):
            yield course, a, b


def test_instructor_sees_both_trainees_and_a_submission_within_30s(hub, layout, stack_config, two_trainees, unique):
    """Does the instructor's board list both trainees (with 氏名) and one's new submission within 30 seconds?"""
    course, a, b = two_trainees
    assignment = f"kadai-{unique()}"
    instructor = login(
        hub, stack_config.courses[0].instructors[0], (layout.secrets / "instructor-password").read_text().strip()
    )
    with submission(layout, course, a, assignment) as ts:
        t0 = time.monotonic()
        rows = _wait_for(
            lambda: (
                (r := _rows(instructor, hub, course)) and a in r and b in r and assignment in r[a]["assignments"] and r
            )
        )
        assert rows, f"the submission of {a} did not appear within {FRESH_SECONDS}s"
        assert time.monotonic() - t0 <= FRESH_SECONDS
        assert rows[a]["fullname"] == "進捗 太郎" and rows[b]["fullname"] == "進捗 花子"
        cell = rows[a]["assignments"][assignment]
        assert cell["submitted"] is True and cell["submitted_at"] == ts and cell["scored"] is False
        assert rows[b]["assignments"][assignment]["submitted"] is False
    # and when the submission folder is removed, the board follows
    gone = _wait_for(lambda: assignment not in _rows(instructor, hub, course)[a]["assignments"])
    assert gone


def _nbgrader(hub, user: str, course: str, *args: str) -> None:
    """Run the nbgrader CLI in the trainee's own server (their account, their hub token)."""
    code = (
        "import os, subprocess\n"
        "os.chdir(os.path.expanduser('~'))\n"
        f"r = subprocess.run(['nbgrader', *{list(args)!r}, '--course', {course!r}], capture_output=True, text=True)\n"
        "print(r.returncode, r.stdout[-800:], r.stderr[-800:])\n"
    )
    out = hub.run_code(user, code, timeout=120)
    assert out["error"] is None and out["stdout"].startswith("0 "), out


def test_real_fetch_and_submit_reach_the_board(hub, layout, stack_config, two_trainees, unique):
    """Do a trainee's real nbgrader fetch and then submit each show on the instructor's board within 30 s?"""
    course, a, b = two_trainees
    assignment = f"kadai-{unique()}"
    instructor = login(
        hub, stack_config.courses[0].instructors[0], (layout.secrets / "instructor-password").read_text().strip()
    )
    with released(layout, course, assignment):
        hub.start_server(a)
        _nbgrader(hub, a, course, "fetch_assignment", assignment)
        cell = _wait_for(lambda: (c := _cell(instructor, hub, course, a, assignment)).get("fetched") and c)
        assert cell and not cell["submitted"], f"the fetch of {a} did not appear within {FRESH_SECONDS}s"
        assert _wait_for(lambda: _cell(instructor, hub, course, b, assignment)) == {
            **cell,
            "fetched": False,
            "submitted": False,
            "submitted_at": None,
        }
        _nbgrader(hub, a, course, "submit", assignment)
        cell = _wait_for(lambda: (c := _cell(instructor, hub, course, a, assignment)).get("submitted") and c)
        assert cell and cell["submitted_at"], f"the submission of {a} did not appear within {FRESH_SECONDS}s"


def test_trainee_sees_only_their_own_row(hub, layout, two_trainees, unique):
    """Does a trainee's board (JSON and page) show their own progress and nobody else's?"""
    course, a, b = two_trainees
    assignment = f"kadai-{unique()}"
    with submission(layout, course, a, assignment):
        sa, sb = login(hub, a, "pass-a-1234"), login(hub, b, "pass-b-1234")
        rows_a = _rows(sa, hub, course)
        assert list(rows_a) == [a]
        assert rows_a[a]["assignments"][assignment]["submitted"] is True
        rows_b = _rows(sb, hub, course)
        assert list(rows_b) == [b]
        assert rows_b[b]["assignments"][assignment]["submitted"] is False
        page = sb.get(_url(hub, course), timeout=30)
        assert page.status_code == 200 and "研修コンソール" in page.text
        assert b in page.text and a not in page.text and "進捗 太郎" not in page.text


def test_anonymous_request_is_sent_to_the_hub_login(hub, stack_config):
    """Is a visitor without a hub session redirected to the hub's sign-in instead of seeing any data?"""
    course = stack_config.courses[0].id
    for path in ("", "api/progress"):
        r = requests.get(_url(hub, course, path), timeout=30, allow_redirects=False)
        assert r.status_code == 302
        assert "/hub/api/oauth2/authorize" in r.headers["Location"]
        followed = requests.get(_url(hub, course, path), timeout=30)
        assert "/hub/login" in followed.url and "trainees" not in followed.text


def test_user_outside_the_course_is_refused(hub, layout, stack_config, unique):
    """Is a hub user who is neither in the course's cohort nor its instructor kept off the board?"""
    from hub_config import passwords

    course = stack_config.courses[0].id
    name = f"po{unique()}"
    hub.create_user(name)
    try:
        passwords.set_password(layout.hub_dir / "passwords.sqlite", name, "pass-o-1234")
        r = login(hub, name, "pass-o-1234").get(_url(hub, course, "api/progress"), timeout=30)
        # the hub itself refuses the sign-in to the service (its Japanese error page); the board never answers
        assert r.status_code == 403 and "/hub/api/oauth2/authorize" in r.url
        assert "許可されていません" in r.content.decode() and "trainees" not in r.text
    finally:
        hub.delete_user(name)
        passwords.delete(layout.hub_dir / "passwords.sqlite", name)


@pytest.fixture
def live_kadai(layout, unique):
    """A released copy of the curriculum's first module in the live course (so its assignment notebook holds the
    course's check() cell as trainees get it); removed with its submissions and marks."""
    with live_assignment(layout, MODULE, f"sc_{unique()}") as (course, name):
        res = run_testbed("course", "release", name, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        try:
            yield course, name
        finally:
            for mark in (layout.exchange / course / "progress").glob(f"*+{name}+*"):
                mark.unlink()


def _self_check_code(course: str, name: str) -> str:
    """Kernel code: run the check() cell of the fetched assignment notebook in its folder, as the notebook's kernel
    does (its working directory is ~/<course>/<assignment>/), then one passing check."""
    return f"""
import json, os, pathlib
os.chdir(pathlib.Path.home() / {course!r} / {name!r})
[nb] = pathlib.Path(".").glob("kadai_*.ipynb")
cells = ["".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]]
ns = {{}}
exec(next(c for c in cells if "from odtbcheck import check" in c), ns)
ns["check"](True, "ここには来ません", "")
from importlib.util import find_spec
print("recorder" if find_spec("classroom.selfcheck") else "no recorder", os.environ.get("TESTBED_EXCHANGE"))
"""


def test_a_passing_self_check_in_the_trainees_kernel_shows_on_the_board(hub, layout, two_trainees, live_kadai):
    """Does a passing check() of the course, run in the trainee's own kernel inside their fetched assignment folder,
    show as self-checked in their board's JSON within 30 s, and not for the other trainee?"""
    course, a, b = two_trainees
    _, name = live_kadai
    hub.start_server(a)
    _nbgrader(hub, a, course, "fetch_assignment", name)
    out = hub.run_code(a, _self_check_code(course, name), timeout=120)
    assert out["error"] is None and out["stdout"].startswith(f"recorder {layout.exchange}"), out
    session = login(hub, a, "pass-a-1234")
    cell = _wait_for(lambda: (c := _cell(session, hub, course, a, name)).get("validated") and c)
    assert cell, f"the self-check of {a} did not appear within {FRESH_SECONDS}s"
    assert cell["fetched"] and not cell["submitted"]
    assert (layout.exchange / course / "progress" / f"{layout.cfg.unix_user_prefix}{a}+{name}+selfchecked").is_file()
    instructor = login(
        hub, layout.cfg.courses[0].instructors[0], (layout.secrets / "instructor-password").read_text().strip()
    )
    assert _wait_for(lambda: _cell(instructor, hub, course, b, name)).get("validated") is False


def test_a_deadline_set_with_the_cli_shows_on_the_trainees_row(hub, layout, live_kadai, unique):
    """Does `cohort deadline set` reach the board within 30 s: the cohort's own deadline in its trainee's cell
    (期限切れ while nothing is submitted, 期限後 after a late submission), the deadline for everyone for a trainee
    outside that cohort (listed among their upcoming deadlines), and the cohort in the instructor's 期 column?"""
    course, name = live_kadai
    group = f"テスト期{unique()}"
    a, b = f"da{unique()}", f"db{unique()}"
    with (
        cohort_member(hub, layout, course, a, "締切 太郎", "pass-d-1234", cohort=group),
        cohort_member(hub, layout, course, b, "締切 花子", "pass-e-1234"),
    ):
        try:
            r = cli("cohort", "deadline", "set", name, "2020-04-01", "09:00", "--cohort", group, "--course", course)
            assert r.exit_code == 0, r.output
            r = cli("cohort", "deadline", "set", name, "2099-12-31", "--course", course)
            assert r.exit_code == 0, r.output
            instructor = login(
                hub, layout.cfg.courses[0].instructors[0], (layout.secrets / "instructor-password").read_text().strip()
            )
            rows = _wait_for(
                lambda: (
                    (got := _rows(instructor, hub, course))
                    and got.get(a, {}).get("assignments", {}).get(name, {}).get("deadline")
                    and b in got
                    and got
                )
            )
            assert rows, f"the deadline of {name} did not appear within {FRESH_SECONDS}s"
            assert rows[a]["cohort"] == group
            cell = rows[a]["assignments"][name]
            assert (cell["deadline"], cell["deadline_state"]) == ("2020-04-01T09:00:00+09:00", "overdue")
            cell = rows[b]["assignments"][name]
            assert (cell["deadline"], cell["deadline_state"]) == ("2099-12-31T23:59:00+09:00", "open")
            text = instructor.get(_url(hub, course), timeout=30).text
            assert group in text and "期限切れ" in text
            with submission(layout, course, a, name):
                late = _wait_for(lambda: (c := _cell(instructor, hub, course, a, name)).get("submitted") and c)
                assert late and late["deadline_state"] == "late"
            own = login(hub, b, "pass-e-1234")
            [mine] = [d for d in _rows(own, hub, course)[b]["deadlines"] if d["assignment"] == name]
            assert mine["due"] == "2099-12-31T23:59:00+09:00" and mine["upcoming"] is True
            text = own.get(_url(hub, course), timeout=30).text
            assert "これからの締切" in text and f"{name}: 2099年12月31日(木) 23:59 まで" in text
        finally:
            cli("cohort", "deadline", "clear", name, "--cohort", group, "--course", course)
            cli("cohort", "deadline", "clear", name, "--course", course)

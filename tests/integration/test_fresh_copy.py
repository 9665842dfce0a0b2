"""A fresh copy of an assignment (配布時の状態に戻す) against the running stack: the instructor from the console, the
trainee before submitting, and `./testbed class fresh-copy`; the trainee's version is kept aside (Japan-time
stamp, same folder, written by the trainee's own Unix account); bad input changes nothing."""

from __future__ import annotations

import base64
import json
import os
import pwd
import re
from datetime import datetime, timedelta

import pytest
import requests
from helpers import console
from helpers.course import live_assignment, run_testbed
from helpers.progress import cohort_member, login

from testbed_config.japan_time import JST

pytestmark = pytest.mark.integration

STAMP = re.compile(r"_退避_(\d{8}-\d{6})(?:-\d+)?\.ipynb$")


class Trainee:
    """One trainee's files through their server's contents API (operator token), for setting up and checking."""

    def __init__(self, hub, name: str):
        self.hub, self.name = hub, name
        self.base = f"{hub.public}/user/{name}/api/contents/"

    def listing(self, folder: str) -> dict[str, str]:
        r = requests.get(self.base + folder, headers=self.hub._h(), timeout=30)
        assert r.status_code == 200, r.text
        return {e["name"]: e["type"] for e in r.json()["content"]}

    def read(self, path: str) -> bytes:
        r = requests.get(self.base + path, params={"type": "file", "format": "base64"}, headers=self.hub._h())
        assert r.status_code == 200, r.text
        return base64.b64decode(r.json()["content"])

    def write(self, path: str, data: bytes) -> None:
        body = {"type": "file", "format": "base64", "content": base64.b64encode(data).decode()}
        r = requests.put(self.base + path, json=body, headers=self.hub._h(), timeout=30)
        assert r.status_code in (200, 201), r.text

    def api(self, method: str, path: str, **params) -> dict:
        r = requests.request(
            method, f"{self.hub.public}/user/{self.name}/{path}", params=params, headers=self.hub._h(), timeout=120
        )
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def setting(hub, layout, stack_config, unique):
    """A released assignment; trainee ``a`` (server running) has fetched it and broken its notebook; trainee ``b``
    (server running) has not fetched it; sessions of both and of the instructor."""
    course = stack_config.courses[0].id
    a, b = f"fa{unique()}", f"fb{unique()}"
    with (
        live_assignment(layout, "00_hajimeni", f"fc_{unique()}") as (_, assignment),
        cohort_member(hub, layout, course, a, "やり直し 一子", "pass-fa-1234"),
        cohort_member(hub, layout, course, b, "やり直し 二子", "pass-fb-1234"),
    ):
        res = run_testbed("course", "release", assignment, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        hub.start_server(a)
        hub.start_server(b)
        ta = Trainee(hub, a)
        fetched = ta.api("POST", "assignments/fetch", course_id=course, assignment_id=assignment)
        assert fetched["success"], fetched
        folder = f"{course}/{assignment}"
        notebook = next(n for n in ta.listing(folder) if n.startswith("kadai_"))
        released = (layout.exchange / course / "outbound" / assignment / notebook).read_bytes()
        ta.write(f"{folder}/{notebook}", b'{"broken": true')
        yield {
            "course": course,
            "assignment": assignment,
            "a": a,
            "b": b,
            "ta": ta,
            "tb": Trainee(hub, b),
            "folder": folder,
            "notebook": notebook,
            "released": released,
            "sa": login(hub, a, "pass-fa-1234"),
            "sb": login(hub, b, "pass-fb-1234"),
            "teacher": login(
                hub,
                stack_config.courses[0].instructors[0],
                (layout.secrets / "instructor-password").read_text().strip(),
            ),
        }


def _post(session, hub, s, user: str, assignment: str | None = None):
    data = {"user": user, "assignment": assignment or s["assignment"]}
    form = "announcements" if session is s["teacher"] else "help"  # a page of the service with a form (xsrf)
    return console.post(session, hub, s["course"], "fresh", data, page=form)


def _asides(s, trainee: Trainee) -> list[str]:
    return sorted(n for n in trainee.listing(s["folder"]) if STAMP.search(n))


def _assert_japan_stamp(name: str) -> None:
    """The stamp in the kept file's name is now in Japan time (not UTC, 9 h behind)."""
    at = datetime.strptime(STAMP.search(name).group(1), "%Y%m%d-%H%M%S").replace(tzinfo=JST)
    assert abs(datetime.now(JST) - at) < timedelta(minutes=3), name


def test_the_instructor_restores_a_trainees_assignment_keeping_theirs_aside(hub, layout, stack_config, setting):
    """Does the instructor's confirm-and-restore put back the released notebook, keep the broken one aside with a
    Japan-time stamp in the same folder, both written by the trainee's own Unix account?"""
    s, ta = setting, setting["ta"]
    page = s["teacher"].get(
        console.url(hub, s["course"], "fresh"), params={"user": s["a"], "assignment": s["assignment"]}, timeout=30
    )
    assert page.status_code == 200 and "配布時の状態に戻す" in page.text and "名前を変えて残します" in page.text
    assert ta.read(f"{s['folder']}/{s['notebook']}") == b'{"broken": true'  # looking changes nothing
    r = _post(s["teacher"], hub, s, s["a"])
    assert r.status_code == 200, r.text[:500]
    assert "配布時の状態に戻しました" in r.text
    assert ta.read(f"{s['folder']}/{s['notebook']}") == s["released"]
    [aside] = _asides(s, ta)
    assert aside.startswith(s["notebook"][: -len(".ipynb")] + "_退避_") and aside in r.text
    _assert_japan_stamp(aside)
    assert ta.read(f"{s['folder']}/{aside}") == b'{"broken": true'
    account = pwd.getpwnam(stack_config.unix_user_prefix + s["a"])
    for name in (s["notebook"], aside):
        assert os.stat(os.path.join(account.pw_dir, s["folder"], name)).st_uid == account.pw_uid
    # again: already as released, nothing more is kept aside
    r = _post(s["teacher"], hub, s, s["a"])
    assert r.status_code == 200 and "すでに配布時の状態です" in r.text
    assert _asides(s, ta) == [aside]


def test_a_trainee_restores_their_own_before_submitting_and_only_their_own(hub, setting):
    """May a trainee restore their own assignment (not another's: 403), and no longer once it is submitted?"""
    s, ta = setting, setting["ta"]
    assert _post(s["sb"], hub, s, s["a"]).status_code == 403
    assert ta.read(f"{s['folder']}/{s['notebook']}") == b'{"broken": true' and _asides(s, ta) == []
    own = s["sa"].get(console.url(hub, s["course"], "trainee"), timeout=30).text
    assert "配布時の状態に戻す" in own
    r = _post(s["sa"], hub, s, s["a"])
    assert r.status_code == 200 and "配布時の状態に戻しました" in r.text, r.text[:500]
    assert ta.read(f"{s['folder']}/{s['notebook']}") == s["released"] and len(_asides(s, ta)) == 1
    submitted = ta.api("POST", "assignments/submit", course_id=s["course"], assignment_id=s["assignment"])
    assert submitted["success"], submitted
    ta.write(f"{s['folder']}/{s['notebook']}", b"after submitting")
    r = _post(s["sa"], hub, s, s["a"])
    assert r.status_code == 409 and "提出済み" in r.text
    assert ta.read(f"{s['folder']}/{s['notebook']}") == b"after submitting" and len(_asides(s, ta)) == 1


# (trainee, assignment, HTTP status, words of the Japanese message); none of them may change anything
BAD_INPUT = [
    ("nobody", None, 404, "登録されていません"),
    ("a", "../../etc", 400, "配布されていません"),
    ("a", "00_hajimeni/../..", 400, "配布されていません"),
    ("a", "no_such_assignment", 400, "配布されていません"),
    ("b", None, 409, "まだ課題"),
]


def test_bad_input_is_refused_in_japanese_and_changes_nothing(hub, setting):
    """Is each bad request (an unknown trainee, a path for an assignment, an unknown assignment, a trainee who has
    not fetched it) refused with its Japanese message, and is nothing changed? (One setting for all: none changes
    anything, which each case checks.)"""
    s = setting
    for who, assignment, status, words in BAD_INPUT:
        case = f"{who} / {assignment}"
        user = s[who] if who in ("a", "b") else "nobody-here"
        before = s["ta"].listing(s["folder"])
        r = _post(s["teacher"], hub, s, user, assignment)
        assert r.status_code == status and words in r.text, (case, r.text[:500])
        assert "何も変更していません" in r.text, case
        assert s["ta"].listing(s["folder"]) == before, case
        assert s["ta"].read(f"{s['folder']}/{s['notebook']}") == b'{"broken": true', case
        tb_home = requests.get(s["tb"].base + s["folder"], headers=hub._h(), timeout=30)
        assert tb_home.status_code == 404, case  # b's home got no folder either


def test_the_command_restores_too_and_refuses_bad_input(setting):
    """Does `./testbed class fresh-copy` restore through the trainee's server, and refuse an unknown trainee or
    assignment in Japanese?"""
    s, ta = setting, setting["ta"]
    res = run_testbed("class", "fresh-copy", s["a"], s["assignment"], "--course", s["course"])
    assert res.returncode == 0, res.stdout + res.stderr
    assert "配布時の状態に戻しました" in res.stdout and "退避" in res.stdout
    assert ta.read(f"{s['folder']}/{s['notebook']}") == s["released"]
    [aside] = _asides(s, ta)
    _assert_japan_stamp(aside)
    bad = run_testbed("class", "fresh-copy", "nobody-here", s["assignment"], "--course", s["course"])
    assert bad.returncode != 0 and "登録されていません" in bad.stdout + bad.stderr
    bad = run_testbed("class", "fresh-copy", s["a"], "../x", "--course", s["course"])
    assert bad.returncode != 0 and "配布されていません" in bad.stdout + bad.stderr
    assert _asides(s, ta) == [aside] and json.dumps(aside)

"""Builders for grading tests on the live course: a uniquely named copy of a curriculum module, and
a trainee's fetch → answer → submit from their own kernel."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import requests

from grader.courses import course_root, run_nbgrader

REPO = Path(__file__).resolve().parents[2]


def run_testbed(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """`./testbed ARGS` as an instructor types it (a fresh process, the checkout's code)."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "TESTBED_CONFIG", "TESTBED_PREFIX")}
    return subprocess.run(
        [str(REPO / "testbed"), *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO
    )


@contextlib.contextmanager
def live_assignment(layout, module: str | Path, name: str):
    """``courses/<course>/source/<module>`` (or the folder ``module``) copied into the live course as
    assignment ``name`` (so the real course's gradebook and exchange entries are untouched); removed with
    all its traces."""
    course = layout.cfg.courses[0].id
    root = course_root(layout, course)
    src = module if isinstance(module, Path) else REPO / "courses" / course / "source" / module
    shutil.copytree(src, root / "source" / name)
    account = layout.grader_account(course)
    subprocess.run(["chown", "-R", f"{account}:{account}", str(root / "source" / name)], check=True)
    try:
        yield course, name
    finally:
        try:
            run_nbgrader(layout, course, ["db", "assignment", "remove", name, "--force"])
        finally:
            for step in ("source", "release", "submitted", "autograded", "feedback"):
                for p in [root / step / name, *(root / step).glob(f"*/{name}")]:
                    shutil.rmtree(p, ignore_errors=True)
                    if p.parent != root / step and p.parent.is_dir() and not any(p.parent.iterdir()):
                        p.parent.rmdir()  # the test trainee's own folder, empty now
            ex = layout.exchange / course
            for p in [ex / "outbound" / name, *(ex / "inbound").glob(f"*+{name}+*")]:
                shutil.rmtree(p, ignore_errors=True)
            for mark in (ex / "progress").glob(f"*+{name}+*"):  # fetch/self-check marks (classroom/marks.py)
                mark.unlink(missing_ok=True)


def enrol(hub, course: str, trainee: str) -> None:
    r = hub.request("POST", f"/groups/nbgrader-{course}/users", json={"users": [trainee]})
    assert r.status_code == 200, r.text


def submit_code(course: str, name: str, notebook: str, text: str) -> str:
    """Kernel code for a trainee: fetch ``name``, overwrite ``notebook`` with ``text``, submit."""
    return f"""
import pathlib, subprocess
def nbg(*args):
    p = subprocess.run(["nbgrader", *args, "--course", {course!r}], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
nbg("fetch_assignment", {name!r})
pathlib.Path({course!r}, {name!r}, {notebook + ".ipynb"!r}).write_text({text!r}, encoding="utf-8")
nbg("submit", {name!r})
"""


@contextlib.contextmanager
def on_roster(layout, course: str, name: str, fullname: str, dept: str = "テスト課", cohort: str = ""):
    """``name`` on the course's roster (as `./testbed cohort add` leaves it, export included); removed after."""
    from testbed_cli import cohort_roster, progress
    from testbed_config.names import ROSTER_DB

    db = layout.hub_dir / ROSTER_DB
    cohort_roster.save(db, [cohort_roster.Entry(0, name, fullname, dept, cohort)], course)
    progress.export_rosters(layout)
    try:
        yield name
    finally:
        cohort_roster.forget(db, [name])
        progress.export_rosters(layout)


def instructor_session(hub, layout, course: str) -> requests.Session:
    """The course's instructor signed in to the hub and, through OAuth, to the course's formgrader service."""
    s = requests.Session()
    s.get(f"{hub.public}/hub/login", timeout=30)
    user = layout.cfg.courses[0].instructors[0]
    password = (layout.secrets / "instructor-password").read_text().strip()
    r = s.post(
        f"{hub.public}/hub/login",
        data={"username": user, "password": password, "_xsrf": s.cookies.get("_xsrf")},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    r = s.get(f"{hub.public}/services/formgrader-{course}/formgrader", timeout=60)  # OAuth into the service
    assert r.status_code == 200, r.text
    return s

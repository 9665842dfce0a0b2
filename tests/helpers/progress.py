"""Test-data builders for the progress board: cohort members and submissions as nbgrader leaves them."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from hub_config import passwords
from testbed_cli import cohort_roster, progress


def login(hub, user: str, password: str) -> requests.Session:
    """A browser-like session signed in to the hub with a password."""
    s = requests.Session()
    login_url = f"{hub.public}/hub/login"
    s.get(login_url, timeout=30)
    r = s.post(
        login_url,
        data={"username": user, "password": password, "_xsrf": s.cookies.get("_xsrf")},
        timeout=30,
        allow_redirects=False,
    )
    assert r.status_code == 302, r.text
    return s


@contextlib.contextmanager
def cohort_member(hub, layout, course: str, name: str, fullname: str, password: str, cohort: str = ""):
    """A trainee of ``course``: hub user in nbgrader-<course>, a password, a roster row (with its 期, if any) seen
    by the board."""
    hub.create_user(name)
    roster_db = layout.hub_dir / "roster.sqlite"
    try:
        r = hub.request("POST", f"/groups/nbgrader-{course}/users", json={"users": [name]})
        assert r.status_code == 200, r.text
        passwords.set_password(layout.hub_dir / "passwords.sqlite", name, password)
        cohort_roster.save(roster_db, [cohort_roster.Entry(0, name, fullname, "テスト課", cohort)], course)
        progress.export_rosters(layout)
        yield name
    finally:
        hub.delete_user(name)
        passwords.delete(layout.hub_dir / "passwords.sqlite", name)
        cohort_roster.forget(roster_db, [name])
        progress.export_rosters(layout)


def _inbound(layout, course: str) -> Path:
    """The course's inbound folder, created as ``nbgrader release_assignment`` would when missing."""
    course_dir = layout.exchange / course
    inbound = course_dir / "inbound"
    grader = pwd.getpwnam(layout.grader_account(course))
    for path, mode in ((course_dir, 0o755), (inbound, 0o2733)):
        if not path.exists():
            path.mkdir()
            os.chown(path, grader.pw_uid, grader.pw_gid)
            os.chmod(path, mode)
    return inbound


@contextlib.contextmanager
def submission(layout, course: str, user: str, assignment: str):
    """``<unix account>+assignment+timestamp+random`` in the inbound folder, as ``nbgrader submit`` writes it."""
    ts = datetime.now(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    student = layout.cfg.unix_user_prefix + user
    path = _inbound(layout, course) / f"{student}+{assignment}+{ts}+{secrets.token_urlsafe(9)}"
    path.mkdir()
    (path / "timestamp.txt").write_text(ts)
    try:
        yield ts
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def released(layout, course: str, assignment: str):
    """An assignment in the exchange's outbound folder, as ``nbgrader release_assignment`` leaves it; on exit
    it is removed with every submission and fetch mark made for it."""
    grader = pwd.getpwnam(layout.grader_account(course))
    _inbound(layout, course)
    folder = layout.exchange / course / "outbound" / assignment
    folder.parent.mkdir(mode=0o755, exist_ok=True)
    folder.mkdir()
    nb = {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# 練習"}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / f"{assignment}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    for path in (folder.parent, folder, folder / f"{assignment}.ipynb"):
        os.chown(path, grader.pw_uid, grader.pw_gid)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for trace in [
            *(layout.exchange / course / "inbound").glob(f"*+{assignment}+*"),
            *(layout.exchange / course / "progress").glob(f"*+{assignment}+*"),
        ]:
            shutil.rmtree(trace) if trace.is_dir() else trace.unlink()

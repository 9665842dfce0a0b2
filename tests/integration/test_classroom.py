"""`./testbed class start|stop` against the real hub: servers started before class, stopped after it."""

from __future__ import annotations

import time

import pytest
from helpers import cohort

pytestmark = pytest.mark.integration


def _server(hub, name: str) -> dict:
    return (hub.request("GET", f"/users/{name}").json().get("servers") or {}).get("", {})


@pytest.fixture
def class_of_two(tmp_path, unique):
    """Two trainees, and a third whose account the instructor disabled (the hub refuses to start it)."""
    a, b, off = f"cl{unique()}", f"cm{unique()}", f"co{unique()}"
    rows = [(a, "田中 一郎", "総務課"), (b, "鈴木 次郎", ""), (off, "佐藤 三郎", "")]
    passwords = cohort.import_roster(tmp_path, rows)
    try:
        assert cohort.cli("cohort", "disable", off).exit_code == 0
        yield a, b, passwords
    finally:
        cohort.remove(a, b, off)


def test_class_start_leaves_every_trainee_a_running_server(hub, class_of_two):
    """After `class start`, is each enrolled trainee's server ready, so a sign-in opens JupyterLab at once
    (and a disabled account skipped with a word, not a failure of the whole class)?"""
    a, b, pw = class_of_two
    result = cohort.cli("class", "start")
    assert result.exit_code == 0, result.output
    assert "起動しました" in result.output
    assert "停止中のアカウント" in result.output, result.output
    assert _server(hub, a).get("ready") and _server(hub, b).get("ready")
    # the trainee's sign-in now goes straight to their running server (no spawn-pending page)
    signed_in = cohort.login(hub.public, a, pw[a]).session
    page = signed_in.get(f"{hub.public}/hub/", timeout=30)
    assert page.status_code == 200 and f"/user/{a}/" in page.url
    again = cohort.cli("class", "start")  # nothing left to start
    assert again.exit_code == 0 and "起動済み" in again.output


def test_class_stop_stops_them_and_keeps_their_files(hub, class_of_two):
    """Does `class stop` stop the servers (files stay), and does a trainee start again by signing in?"""
    a, b, _ = class_of_two
    assert cohort.cli("class", "start").exit_code == 0
    hub.run_code(a, "open('keep.txt', 'w').write('まだある')")
    result = cohort.cli("class", "stop")
    assert result.exit_code == 0, result.output
    deadline = time.monotonic() + 60
    while (_server(hub, a) or _server(hub, b)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _server(hub, a) and not _server(hub, b)
    hub.start_server(a)
    out = hub.run_code(a, "print(open('keep.txt').read())")
    assert out["stdout"].strip() == "まだある"


def test_class_stop_and_start_take_the_courses_team_workspaces_along(hub, layout, class_of_two, unique):
    """Are the course's team workspaces (班の作業場所) stopped by `class stop` and ready again after `class start`,
    so a team opens its workspace at once in class?"""
    from hub_config import teams
    from testbed_cli import team_workspaces

    a, b, _ = class_of_two
    team = f"授業{unique()}班"
    ws = teams.team_user_name(team)
    try:
        for name in (a, b):
            result = cohort.cli("cohort", "team", "set", name, team)
            assert result.exit_code == 0, result.output
        stopped = cohort.cli("class", "stop")
        assert stopped.exit_code == 0 and "と班の作業場所" in stopped.output, stopped.output
        deadline = time.monotonic() + 60
        while _server(hub, ws) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _server(hub, ws)
        started = cohort.cli("class", "start")
        assert started.exit_code == 0, started.output
        assert "班の作業場所:" in started.output and "班が開ける状態です" in started.output, started.output
        assert _server(hub, ws).get("ready")
    finally:
        for name in (a, b):  # out of the team first: removing them later would make the workspace again, disabled
            cohort.cli("cohort", "team", "clear", name)
        team_workspaces.delete(layout, team)
        for archive in (layout.state / "archive").glob(f"{layout.cfg.unix_user_prefix}{ws}-*"):
            archive.unlink()  # the copy the workspace left when its last member left the team

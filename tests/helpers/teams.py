"""Builders for team-workspace tests: trainees put into teams through the real CLI, the workspaces removed after."""

from __future__ import annotations

import contextlib
import time

from helpers import cohort
from helpers.progress import cohort_member
from hub_config import teams
from testbed_cli import team_workspaces


@contextlib.contextmanager
def teams_of(hub, layout, course: str, people: dict[str, tuple[str, str, str]], cohort_name: str = ""):
    """``people``: user name → (氏名, password, 班). Each becomes a cohort member, then `./testbed cohort team set` puts
    them in their team (which makes the team workspaces). Yields {班: team hub user}; afterwards the trainees, the
    workspaces (hub users, groups, Unix accounts, folders and archives) are all removed."""
    made = sorted({team for _, _, team in people.values()})
    try:
        with contextlib.ExitStack() as stack:
            for name, (fullname, password, _) in people.items():
                stack.enter_context(cohort_member(hub, layout, course, name, fullname, password, cohort_name))
            for name, (_, _, team) in people.items():
                result = cohort.cli("cohort", "team", "set", name, team)
                assert result.exit_code == 0, result.output
                assert "作業場所" not in result.output, result.output  # no problem making the workspace
            yield {team: teams.team_user_name(team) for team in made}
    finally:
        for team in made:
            team_workspaces.delete(layout, team)
            # the copies a disabled workspace left (team cleared from the roster)
            for archive in (layout.state / "archive").glob(
                f"{layout.cfg.unix_user_prefix}{teams.team_user_name(team)}-*"
            ):
                archive.unlink()


def wait_ready(hub, user: str, timeout: float = 120) -> None:
    """Until the hub reports ``user``'s server ready (the team set started it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = hub.request("GET", f"/users/{user}").json().get("servers", {}).get("")
        if server and server.get("ready"):
            return
        time.sleep(0.5)
    raise AssertionError(f"the workspace {user} was not ready after {timeout}s")

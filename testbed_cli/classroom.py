"""Before and after a class: start every trainee's server ahead of time, stop them all afterwards (the course's team
workspaces, 班の作業場所, with them).

Starting 40 servers takes the machine a minute or more of CPU; done before class (`./testbed class
start`), each trainee's login lands on a server that is already running, so JupyterLab opens in
about a second. The hub's spawner queues the starts itself (hub_config/spawner.py); this module
only asks for them, a few at a time, and waits until each server answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from testbed_cli.cohort_hub import HubAPI
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config import names as names_


@dataclass
class ClassResult:
    ready: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def trainees(layout: Layout, course: str) -> list[str]:
    """The hub users enrolled in ``course`` (group nbgrader-<course>), staff excluded."""
    hub = HubAPI(layout)
    members = hub.group_members(f"nbgrader-{course}")
    if members is None:
        raise SetupError(f"hub にグループ nbgrader-{course} がありません。./testbed up を実行してください。")
    staff = set(layout.cfg.admins) | {u for c in layout.cfg.courses for u in c.instructors}
    return sorted(set(members) - staff)


def team_workspaces(layout: Layout, course: str) -> list[str]:
    """The hub users of the team workspaces (班の作業場所) whose teams have members in ``course`` (roster)."""
    from testbed_cli import cohort_roster

    members = cohort_roster.load(layout.hub_dir / names_.ROSTER_DB)
    return sorted({names_.team_user_name(m.team) for m in members if m.team and m.course == course})


def without_disabled(layout: Layout, names: list[str]) -> tuple[list[str], list[str]]:
    """(names whose accounts may start a server, names an instructor disabled): the hub refuses the latter."""
    from hub_config import passwords

    disabled = passwords.disabled_users(layout.hub_dir / names_.PASSWORD_DB)
    return [n for n in names if n not in disabled], [n for n in names if n in disabled]


def _server(user: dict) -> dict | None:
    return (user.get("servers") or {}).get("")


def start_all(
    layout: Layout, names: list[str], *, parallel: int = 4, timeout: float = 600, on_ready: Callable | None = None
) -> ClassResult:
    """Ask the hub to start each named server (``parallel`` requests in flight); wait until ready."""
    hub = HubAPI(layout)
    result = ClassResult()
    t0 = time.monotonic()

    def one(name: str) -> tuple[str, str | None]:
        user = hub.user(name)
        if user is None:
            return name, "hub に登録されていません"
        server = _server(user)
        if server and server.get("ready"):
            return name, "already"
        if not server or not server.get("pending"):
            refused = hub.start_server(name)
            if refused:
                return name, f"起動できません: {refused}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = _server(hub.user(name) or {})
            if server and server.get("ready"):
                return name, None
            if not server:
                return name, "起動に失敗しました (./testbed logs hub で理由を確認してください)"
            time.sleep(0.5)
        return name, f"{timeout:.0f} 秒たっても起動しません"

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for name, problem in pool.map(one, names):
            if problem == "already":
                result.already.append(name)
            elif problem:
                result.failed[name] = problem
            else:
                result.ready.append(name)
            if on_ready:
                on_ready(name, problem)
    result.seconds = round(time.monotonic() - t0, 1)
    return result


def stop_all(layout: Layout, names: list[str]) -> int:
    """Stop each named server that runs (their files stay); returns how many were asked to stop."""
    hub = HubAPI(layout)
    stopped = 0
    for name in names:
        user = hub.user(name)
        if user and _server(user):
            hub.stop_server(name)
            stopped += 1
    return stopped


def fresh_copy(layout: Layout, course: str, user: str, assignment: str):
    """Put ``user``'s ``assignment`` back to its released state through their own server (the operator's admin
    token, the same path as the console's button); their differing files are kept aside. SetupError (Japanese,
    nothing changed) for an unknown trainee or assignment, one never fetched, or a server that is not running."""
    from classroom import fresh_copy as fc
    from testbed_cli import secrets
    from testbed_config import japan_time, names

    if user not in trainees(layout, course):
        raise SetupError(f"研修生 {user!r} はコース {course} に登録されていません (一覧は ./testbed cohort list)。")
    exchange = layout.exchange / course
    try:
        name = fc.check_assignment(assignment, fc.released(exchange))
        token = secrets.get(layout.state, names.HUB_ADMIN_TOKEN)
        contents = fc.Contents(f"http://{layout.cfg.local_host}:{layout.cfg.ports.hub}", user, token)
        return fc.restore(
            contents, course=course, assignment=name, files=fc.released_files(exchange, name), at=japan_time.now()
        )
    except fc.Refused as e:
        raise SetupError(str(e)) from None

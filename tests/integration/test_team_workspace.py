"""Team workspaces (班の作業場所) against the real stack: `./testbed cohort team set` makes, per team, a hub user whose
server runs as its own Unix account with real-time collaboration on, shared with exactly the team's members and the
course's instructors; trainees' own servers keep collaboration off; a team cleared from the roster is disabled."""

from __future__ import annotations

import html
import json
import pwd
import re
import stat
import subprocess

import pytest
import requests
from helpers import cohort
from helpers.progress import login
from helpers.teams import teams_of, wait_ready

from hub_config import teams

pytestmark = pytest.mark.integration


def _get(hub, user: str, token: str, path: str = "api/status") -> int:
    r = requests.get(
        f"{hub.public}/user/{user}/{path}",
        headers={"Authorization": f"token {token}"},
        timeout=30,
        allow_redirects=False,
    )
    return r.status_code


def _page_config(hub, user: str, token: str) -> dict:
    r = requests.get(f"{hub.public}/user/{user}/lab", headers={"Authorization": f"token {token}"}, timeout=60)
    assert r.status_code == 200, r.status_code
    m = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', r.text, re.S)
    return json.loads(html.unescape(m.group(1)))


def _session_route(hub, user: str, token: str) -> int:
    """PUT jupyter-collaboration's session route (a document room for a new notebook): 404 where RTC is off."""
    r = requests.put(
        f"{hub.public}/user/{user}/api/collaboration/session/rtc-probe.ipynb",
        headers={"Authorization": f"token {token}"},
        json={"format": "json", "type": "notebook"},
        timeout=30,
    )
    return r.status_code


def test_team_workspace_is_shared_with_its_team_and_instructors_only(hub, layout, stack_config, unique):
    """Does `team set` make the team's account, group and share so that a member (200) and the course's instructor
    (200) open the workspace and a trainee of another team gets 403; does its code run as the team's Unix account in
    a private shared folder, with real-time collaboration on there and off on a trainee's own server; do members see
    their 氏名 as their identity there; and is a team cleared from the roster disabled?"""
    course = stack_config.courses[0]
    instructor = course.instructors[0]
    a, b, c = f"wa{unique()}", f"wb{unique()}", f"wc{unique()}"
    one, two = f"作業{unique()}班", f"別{unique()}班"
    pw = {u: f"pw-{u}-{unique()}" for u in (a, b, c)}
    people = {a: ("共同 一郎", pw[a], one), b: ("共同 二郎", pw[b], one), c: ("別班 三郎", pw[c], two)}
    made_for_instructor = None
    try:
        with teams_of(hub, layout, course.id, people, cohort_name="2026年度第9期") as made:
            ws, other = made[one], made[two]
            assert re.fullmatch(r"team-[0-9a-f]{8}", ws) and ws == teams.team_user_name(one)

            # the accounts and who is in which group
            group = hub.request("GET", f"/groups/{ws}").json()
            assert set(group["users"]) == {a, b, *course.instructors}
            assert group["properties"]["label"] == f"{one} (2026年度第9期)" and group["properties"]["user"] == ws
            assert ws in hub.request("GET", f"/groups/{teams.TEAMS_GROUP}").json()["users"]
            shares = hub.request("GET", f"/shares/{ws}/").json()["items"]
            assert {s["user"]["name"] for s in shares} == {a, b, *course.instructors}
            assert all(sorted(s["scopes"]) == sorted(teams.share_scopes(ws)) for s in shares)

            wait_ready(hub, ws)
            wait_ready(hub, other)
            tokens = {u: hub.user_token(u) for u in (a, b, c)}
            made_for_instructor = hub.request(
                "POST", f"/users/{instructor}/tokens", json={"note": "tests", "expires_in": 600}
            )
            tokens[instructor] = made_for_instructor.json()["token"]
            assert [_get(hub, ws, tokens[u]) for u in (a, b, instructor, c)] == [200, 200, 200, 403]
            assert _get(hub, other, tokens[a]) == 403 and _get(hub, other, tokens[c]) == 200

            # the workspace's code runs as the team's account, in its private folder
            unix = layout.cfg.unix_user_prefix + ws
            out = hub.run_code(ws, "import getpass, os; print(getpass.getuser(), os.getcwd())")
            assert out["stdout"].split() == [unix, pwd.getpwnam(unix).pw_dir], out
            home = pwd.getpwnam(unix).pw_dir
            st = subprocess.run(["stat", "-c", "%U %a", home], capture_output=True, text=True).stdout.split()
            assert st == [unix, "700"]
            assert stat.S_IMODE(__import__("os").stat(home).st_mode) == 0o700

            # real-time collaboration: on in the workspace, off on a trainee's own server
            hub.start_server(a)
            own = hub.user_token(a)
            assert _session_route(hub, ws, tokens[a]) in (200, 201)
            assert _session_route(hub, a, own) == 404
            disabled_own = _page_config(hub, a, own)["disabledExtensions"]
            assert set(teams.RTC_LAB_EXTENSIONS) <= set(disabled_own)
            assert not set(teams.RTC_LAB_EXTENSIONS) & set(_page_config(hub, ws, tokens[a])["disabledExtensions"])

            # a member's identity in the workspace is their own, named by the roster's 氏名 once signed in
            login(hub, a, pw[a])
            me = requests.get(
                f"{hub.public}/user/{ws}/api/me", headers={"Authorization": f"token {tokens[a]}"}, timeout=30
            ).json()["identity"]
            assert me["username"] == a and me["display_name"] == "共同 一郎" and me["initials"] == "共"

            # the hub's home page offers the member the workspace (Japanese button)
            home = login(hub, b, pw[b]).get(f"{hub.public}/hub/home", timeout=30).content.decode("utf-8")
            assert f'href="/user/{ws}/"' in home and f"班の作業場所を開く: {one} (2026年度第9期)" in home
            assert f"/user/{other}/" not in home

            # a stopped workspace (an idle cull in remote mode): a member starts it again from the hub's page
            hub.request("DELETE", f"/users/{ws}/server")
            member = login(hub, b, pw[b])
            stopped = member.get(f"{hub.public}/user/{ws}/lab", timeout=30)
            assert stopped.status_code == 424 and "班の作業場所は止まっています" in stopped.content.decode("utf-8")
            started = member.get(f"{hub.public}/hub/spawn/{ws}", timeout=60)
            assert started.status_code == 200 and f"/spawn-pending/{ws}" in started.url, started.url
            wait_ready(hub, ws)

            # the other team cleared from the roster: its workspace is disabled (no share, nobody in the group, stopped)
            result = cohort.cli("cohort", "team", "clear", c)
            assert result.exit_code == 0, result.output
            group = hub.request("GET", f"/groups/{other}").json()
            assert group["users"] == [] and group["properties"]["disabled"] is True
            assert hub.request("GET", f"/shares/{other}/").json()["items"] == []
            assert hub.request("POST", f"/users/{other}/server").status_code >= 400  # the hub refuses to start it
            assert _get(hub, other, tokens[c]) in (403, 404, 302, 503, 424)
            home = login(hub, c, pw[c]).get(f"{hub.public}/hub/home", timeout=30).content.decode("utf-8")
            assert f"/user/{other}/" not in home and "班の作業場所はまだありません" in home
    finally:  # the instructor stays: their token goes (the token page would list it)
        if made_for_instructor is not None:
            hub.request("DELETE", f"/users/{instructor}/tokens/{made_for_instructor.json()['id']}")

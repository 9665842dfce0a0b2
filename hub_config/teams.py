"""Team workspaces (班の作業場所): one hub user per team (班) whose server is the team's shared JupyterLab with
real-time collaboration — JupyterHub's "collaboration users" pattern (docs: tutorial/collaboration-users), with
access granted by JupyterHub ≥ 5 *shares* of that server to the team's members instead of a role per team.

The share is granted person by person (the group's members), not once to the group: JupyterHub 6.1.1 lets a group
share pass its authorize page but leaves group shares out of the scopes of the token the server then checks
(``scopes.get_scopes_for``: a token's owner gets ``owner.shared_with_me`` only), so members got 403.

Names only here (no JupyterHub import): the CLI (``testbed_cli/team_workspaces.py``) creates the accounts, groups and
shares from the roster through the hub's REST API; the spawner (``spawner.py``) starts a team user's server with RTC
on; the hub's home page (``templates/home.html``) shows members a button per team group.

- hub user ``team-<8 hex>`` (from the team name, stable): in group ``TEAMS_GROUP``; its Unix account
  ``jupyter-team-…`` owns the shared folder (its home, 0700): trainees' code in the workspace runs as that account.
- group of the same name: the team's members and the course's instructors; its ``properties`` carry the Japanese
  label (班 and 期) the home page shows.
- a share of the team user's server with each member of that group: ``access:servers`` and ``servers`` (start it
  when stopped) on that one server, nothing else.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from testbed_config.names import TEAM_USER_PREFIX, team_user_name  # noqa: F401 (re-exported; classroom/ uses it too)

TEAMS_GROUP = "team-workspaces"  # every team user is in it; the spawner's sign that a server is a team workspace
GROUP_KIND = "team-workspace"  # ``properties["kind"]`` of a team's group
# JupyterLab extensions of jupyter-collaboration: off for trainees' own servers (hub venv's page_config), back on in a
# team server's config directory (TEAM_CONFIG_DIR, first on its JUPYTER_CONFIG_PATH)
RTC_LAB_EXTENSIONS = ("@jupyter/docprovider-extension", "@jupyter/collaboration-extension")
# and its server extensions (jupyter-server-ydoc needs the file-id service)
RTC_SERVER_EXTENSIONS = ("jupyter_server_ydoc", "jupyter_server_fileid")
SHARE_LINK_PLUGIN = "@jupyter/collaboration-extension:shared-link"
TEAM_CONFIG_DIR = "etc/jupyter-team"  # under the hub venv, written by ./testbed up (testbed_cli/hub.py)
# the team's deliverable (班の成果物): a page of the team server (hub_config/team_submit.py), on in team servers only,
# reached from a launcher tile (hub_config/launcher_links.py); the spawner names the team and its course
SUBMIT_EXTENSION = "hub_config.team_submit"
SUBMIT_ROUTE = "testbed/team-submit"  # under the server's base_url
SUBMIT_TILE = "班の成果物を提出"
COURSE_ENV = "TESTBED_TEAM_COURSE"  # the course of the team's members (roster), '' when unknown
TEAM_ENV = "TESTBED_TEAM"  # the team's name (班), as the roster spells it
OPEN_LABEL = "班の作業場所を開く"
HOME_URL = "/hub/home#team-workspaces"  # where a member finds the buttons to their teams' workspaces


def team_label(team: str, cohorts: list[str] | tuple[str, ...] = ()) -> str:
    """What people read for a team: ``1班 (2026年度第1期)``; several 期 joined, none left out."""
    named = [c for c in dict.fromkeys(cohorts) if c]
    return f"{team} ({'・'.join(named)})" if named else team


def share_scopes(team_user: str) -> list[str]:
    """What a team's share grants each member: open the workspace, and start it when it was stopped (an idle cull in
    remote mode). The hub's start page (the button of its 「停止しています」 page) asks for the whole ``servers`` scope,
    not ``start:servers`` alone, so a member could also stop it: only through the REST API, no page offers that."""
    server = f"{team_user}/"
    return [f"access:servers!server={server}", f"servers!server={server}"]


def roster_fullname(roster_db: str, username: str) -> str:
    """The trainee's 氏名 from the cohort roster ('' when unknown or there is no roster)."""
    if not roster_db or not Path(roster_db).exists():
        return ""
    try:
        with sqlite3.connect(f"file:{roster_db}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute("SELECT fullname FROM roster WHERE username = ?", (username,)).fetchone()
    except sqlite3.Error:
        return ""
    return (row[0] or "").strip() if row else ""


def roster_team(roster_db: str, team_user: str) -> tuple[str, str]:
    """(班, course) of a team hub user from the roster: the team whose name gives ``team_user``, and the course most
    of its members are in (ties: the first by name); ("", "") when unknown or there is no roster."""
    if not roster_db or not Path(roster_db).exists():
        return "", ""
    try:
        with sqlite3.connect(f"file:{roster_db}?mode=ro", uri=True, timeout=5) as conn:
            rows = conn.execute(
                "SELECT team, course, COUNT(*) FROM roster WHERE team != '' GROUP BY team, course"
            ).fetchall()
    except sqlite3.Error:  # no roster table, or one from before teams
        return "", ""
    mine = sorted(((-n, course, team) for team, course, n in rows if team_user_name(team) == team_user))
    return (mine[0][2], mine[0][1]) if mine else ("", "")


def user_info(fullname: str) -> dict | None:
    """JupyterHub's ``user_info`` for a person (jupyterhub-singleuser's IdentityProvider reads it): the 氏名 as the
    name JupyterLab's collaborators list and cursors show, its first character as the avatar's initials."""
    if not fullname:
        return None
    return {"name": fullname, "display_name": fullname, "initials": fullname[0]}


def team_menu_item() -> dict:
    """The 研修 menu's entry to the team workspaces: the hub's home page, whose buttons name each of the user's teams
    (a JupyterLab menu is the same for everyone; the home page knows who is in which team)."""
    return {
        "command": "help:open",
        "args": {"url": HOME_URL, "text": OPEN_LABEL, "newBrowserTab": True},
        "rank": 50,
    }


def add_team_menu(overrides: dict, mainmenu: str, menu_id: str) -> dict:
    """Add ``team_menu_item`` to JupyterLab's 研修 menu (``menu_id``, made by ``console_links.add_console_menu``)."""
    menus = overrides.setdefault(mainmenu, {}).setdefault("menus", [])
    menu = next((m for m in menus if m.get("id") == menu_id), None)
    if menu is None:
        return overrides
    item = team_menu_item()
    menu["items"] = [i for i in menu.get("items", []) if i != item] + [item]
    return overrides


def team_server_config() -> dict:
    """A team workspace's ``jupyter_server_config.d`` entry: jupyter-collaboration's server extensions on."""
    return {"ServerApp": {"jpserver_extensions": {name: True for name in RTC_SERVER_EXTENSIONS}}}


def team_submit_config() -> dict:
    """A team workspace's second ``jupyter_server_config.d`` entry: the page that submits the team's deliverable (its
    launcher tile follows it, hub_config/launcher_links.py); trainees' own servers never load it."""
    return {"ServerApp": {"jpserver_extensions": {SUBMIT_EXTENSION: True}}}


def team_page_config() -> dict:
    """A team workspace's ``labconfig/page_config.json``: jupyter-collaboration's JupyterLab extensions on again
    (a higher-priority config directory's ``false`` wins over the hub venv's ``true``)."""
    # ... except the share-link dialog: who may open a workspace follows the roster (members cannot share it anyway,
    # and its "include token" link would hand out the member's own token)
    return {"disabledExtensions": {**{name: False for name in RTC_LAB_EXTENSIONS}, SHARE_LINK_PLUGIN: True}}

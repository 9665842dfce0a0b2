"""Team workspaces (班の作業場所) made from the roster's teams through the hub's REST API (``hub_config/teams.py`` holds
the names and says why a share, not a role per team).

``sync`` is idempotent and runs after ``./testbed cohort team set|clear|suggest --apply``, ``cohort import`` and at
the end of ``./testbed up``. For each team of the roster: the team's hub user (in ``TEAMS_GROUP``), a group of the same
name holding exactly the team's members and the instructors of their courses (its properties: the Japanese label),
the team user's server started, and that server shared with each of those people (open it, start it when stopped).
A team no longer in the roster is disabled: its shares revoked, group emptied and marked, server stopped, the account
refused any new start; its shared folder is archived to ``<state>/archive/`` (like ``cohort remove``) and also kept in
place, so the same team name set again gets its workspace back.
"""

from __future__ import annotations

import os
import pwd
import tarfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from hub_config import passwords, teams
from testbed_cli import cohort_roster
from testbed_cli.cohort_hub import HubAPI
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config import names


@dataclass(frozen=True)
class Workspace:
    team: str
    user: str  # the team's hub user, also its group's name
    label: str  # 班 and 期, as people read it
    members: tuple[str, ...]  # trainees
    staff: tuple[str, ...]  # instructors of the members' courses


@dataclass
class Synced:
    ready: list[str] = field(default_factory=list)  # team names with a workspace
    disabled: list[str] = field(default_factory=list)  # team users disabled now (team gone from the roster)
    archives: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # Japanese, one per team that could not be made


def wanted(layout: Layout) -> list[Workspace]:
    """The workspaces the roster asks for: one per team, by team name."""
    members = cohort_roster.load(layout.hub_dir / names.ROSTER_DB)
    instructors = {c.id: list(c.instructors) for c in layout.cfg.courses}
    by_team: dict[str, list[cohort_roster.Member]] = {}
    for m in members:
        if m.team:
            by_team.setdefault(m.team, []).append(m)
    out = []
    for team, ms in sorted(by_team.items()):
        staff = sorted({i for m in ms for i in instructors.get(m.course, [])})
        label = teams.team_label(team, sorted({m.cohort for m in ms}))
        out.append(
            Workspace(team, teams.team_user_name(team), label, tuple(sorted(m.username for m in ms)), tuple(staff))
        )
    return out


def _groups(hub: HubAPI) -> dict[str, dict]:
    groups: dict[str, dict] = {}
    while True:
        page = hub._req("GET", "/groups", ok=(200,), params={"offset": len(groups), "limit": 200}).json()
        groups.update((g["name"], g) for g in page)
        if len(page) < 200:
            return groups


def _ensure_group(hub: HubAPI, name: str, known: dict[str, dict]) -> list[str]:
    """The group (created when missing); its current members."""
    if name not in known:
        hub._req("POST", f"/groups/{name}", ok=(201, 409))
        return []
    return list(known[name].get("users", []))


def _set_members(hub: HubAPI, group: str, have: list[str], want: list[str]) -> None:
    add = sorted(set(want) - set(have))
    drop = sorted(set(have) - set(want))
    if add:
        hub._req("POST", f"/groups/{group}/users", ok=(200,), json={"users": add})
    if drop:
        hub._req("DELETE", f"/groups/{group}/users", ok=(200, 204), json={"users": drop})


def _set_shares(hub: HubAPI, ws: Workspace, want: list[str]) -> None:
    """The team server shared with exactly ``want``, one share per person (see ``hub_config/teams.py`` for why not
    one share with the group: JupyterHub 6.1 leaves group shares out of the tokens a server checks)."""
    r = hub._req("GET", f"/shares/{ws.user}/", ok=(200, 404))
    if r.status_code == 404:
        raise SetupError(f"班「{ws.team}」の作業場所を共有できませんでした (サーバーの記録がありません)。")
    scopes = sorted(teams.share_scopes(ws.user))
    have = {s["user"]["name"]: sorted(s["scopes"]) for s in r.json().get("items", []) if s.get("user")}
    for group_share in (s for s in r.json().get("items", []) if s.get("group")):  # none is made; none is kept
        hub._req("PATCH", f"/shares/{ws.user}/", ok=(200,), json={"group": group_share["group"]["name"]})
    for name in sorted(set(want) - {u for u, sc in have.items() if sc == scopes}):
        hub._req("POST", f"/shares/{ws.user}/", ok=(200,), json={"user": name, "scopes": scopes})
    for name in sorted(set(have) - set(want)):
        hub._req("PATCH", f"/shares/{ws.user}/", ok=(200,), json={"user": name})


def _password_db(layout: Layout) -> Path:
    return layout.hub_dir / names.PASSWORD_DB


def ensure(layout: Layout, hub: HubAPI, ws: Workspace, known: dict[str, dict], users: set[str]) -> None:
    """One team's workspace as ``ws`` says (see the module docstring); raises SetupError (Japanese)."""
    passwords.set_disabled(_password_db(layout), ws.user, False)  # a team set again gets its workspace back
    if hub.user(ws.user) is None:
        hub.create_users([ws.user])
    hub.add_to_group(teams.TEAMS_GROUP, [ws.user])
    have = _ensure_group(hub, ws.user, known)
    properties = {"kind": teams.GROUP_KIND, "team": ws.team, "label": ws.label, "user": ws.user, "disabled": False}
    hub._req("PUT", f"/groups/{ws.user}/properties", ok=(200,), json=properties)
    missing = [u for u in (*ws.members, *ws.staff) if u not in users]
    _set_members(hub, ws.user, have, [u for u in (*ws.members, *ws.staff) if u in users])
    r = hub._req("POST", f"/users/{ws.user}/server", ok=(201, 202, 400))  # a running (or starting) one stays
    if r.status_code == 400 and "already running" not in r.text and "pending" not in r.text:
        raise SetupError(f"班「{ws.team}」の作業場所を起動できませんでした: {r.text[:200]}")
    # the shares need the server's record, which the start request has made
    _set_shares(hub, ws, [u for u in (*ws.members, *ws.staff) if u in users])
    if missing:
        raise SetupError(
            f"班「{ws.team}」の作業場所を用意しましたが、JupyterHub にいない人は入れていません: {'、'.join(missing)}"
        )


def _archive_home(layout: Layout, team_user: str) -> Path | None:
    """A copy of the team's shared folder (tar.gz, 0600) in ``<state>/archive``; the folder itself stays."""
    try:
        home = Path(pwd.getpwnam(layout.cfg.unix_user_prefix + team_user).pw_dir)
    except KeyError:
        return None
    if os.geteuid() != 0 or not home.is_dir():
        return None
    d = layout.state / "archive"
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    archive = d / f"{layout.cfg.unix_user_prefix}{team_user}-{stamp}-team-disabled.tar.gz"
    fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w:gz") as tar:
        tar.add(home, arcname=layout.cfg.unix_user_prefix + team_user)
    return archive


def disable(layout: Layout, hub: HubAPI, group: dict) -> Path | None:
    """A workspace whose team is gone: nobody may open or start it any more; its folder archived and kept."""
    user = group["name"]
    passwords.set_disabled(_password_db(layout), user, True)  # first: the hub refuses any new start
    hub._req("DELETE", f"/shares/{user}/", ok=(204, 404))
    _set_members(hub, user, list(group.get("users", [])), [])
    hub._req("PUT", f"/groups/{user}/properties", ok=(200,), json={**group.get("properties", {}), "disabled": True})
    hub.stop_server(user)
    return _archive_home(layout, user)


def sync(layout: Layout) -> Synced:
    """Bring every team workspace in line with the roster (idempotent). SetupError when the hub cannot be reached."""
    hub = HubAPI(layout)
    result = Synced()
    known = _groups(hub)
    if teams.TEAMS_GROUP not in known:
        hub._req("POST", f"/groups/{teams.TEAMS_GROUP}", ok=(201, 409))
    want = wanted(layout)
    users = set(hub.users()) if want else set()
    for ws in want:
        try:
            ensure(layout, hub, ws, known, users)
            result.ready.append(ws.team)
        except SetupError as e:
            result.problems.append(str(e))
    names_wanted = {ws.user for ws in want}
    for name, group in sorted(known.items()):
        props = group.get("properties") or {}
        if props.get("kind") == teams.GROUP_KIND and name not in names_wanted and not props.get("disabled"):
            archive = disable(layout, hub, group)
            result.disabled.append(name)
            if archive:
                result.archives.append(archive)
    return result


def sync_quietly(layout: Layout) -> list[str]:
    """``sync`` for the commands that change teams: what went wrong (Japanese), never an exception, so a stopped hub
    never undoes a roster change (the next ``./testbed up`` makes the workspaces)."""
    try:
        return sync(layout).problems
    except SetupError as e:
        return [f"班の作業場所はまだ更新していません ({e})。./testbed up のときに作ります。"]


def delete(layout: Layout, team: str) -> None:
    """Remove a team's workspace entirely: hub user, group, password-store entry, Unix account and folder (tests)."""
    from testbed_cli.cohort import remove_unix_account

    user = teams.team_user_name(team)
    hub = HubAPI(layout)
    hub._req("DELETE", f"/shares/{user}/", ok=(204, 404))
    hub.delete_user(user)
    hub._req("DELETE", f"/groups/{user}", ok=(204, 404))
    passwords.delete(_password_db(layout), user)
    archive, _ = remove_unix_account(layout, layout.cfg.unix_user_prefix + user)
    if archive:
        archive.unlink(missing_ok=True)

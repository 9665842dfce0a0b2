"""Cohort operations behind `./testbed cohort`: add trainees (all or nothing), list them, remove one.

A trainee is: a hub user in the course's nbgrader group ``nbgrader-<course>``, a row in the roster
(氏名, 所属), an individual initial password (on-site mode), and a CKAN user with a sandbox
organisation (``ckan_seed.trainees``). Removing a trainee deletes the hub user and password, archives
the Unix account's home to ``<state>/archive/`` and deletes the account, and soft-deletes the CKAN side.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ckan_seed import trainees
from hub_config import passwords
from testbed_cli import cohort_roster as roster
from testbed_cli import cohort_sheet, progress, team_workspaces
from testbed_cli.cohort_hub import HubAPI
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config import names
from testbed_config.ckan_client import CkanClient, CkanError


def roster_db(layout: Layout) -> Path:
    return layout.hub_dir / names.ROSTER_DB


def token_db(layout: Layout) -> Path:
    """The trainees' CKAN tokens; the same file the hub's spawn hook uses."""
    return layout.hub_dir / names.CKAN_TOKEN_DB


def password_db(layout: Layout) -> Path:
    return layout.hub_dir / names.PASSWORD_DB


def max_username_length(layout: Layout) -> int:
    return roster.max_username_length(layout.cfg.unix_user_prefix)


def _ckan(layout: Layout) -> tuple[str, str]:
    """CKAN's URL and the sysadmin token, after checking CKAN answers."""
    url = layout.cfg.ckan_internal_url
    try:
        token = (layout.secrets / names.CKAN_ADMIN_TOKEN).read_text().strip()
    except OSError:
        raise SetupError(
            "CKAN の管理者トークンを読めません。root (sudo) で実行し、先に ./testbed up を実行してください。"
        ) from None
    try:
        CkanClient(url, timeout=5).call("status_show")
    except CkanError as e:
        raise SetupError(str(e)) from None
    return url, token


def _reserved(layout: Layout) -> set[str]:
    cfg = layout.cfg
    names = set(cfg.admins) | {u for c in cfg.courses for u in c.instructors}
    return names | {layout.grader_account(c.id) for c in cfg.courses}


@dataclass
class AddResult:
    added: list[roster.Entry] = field(default_factory=list)
    skipped: list[tuple[roster.Entry, str]] = field(default_factory=list)
    # registered trainees whose 氏名・所属・期・班 the roster changed: {field: (before, after)}
    updated: list[tuple[roster.Entry, dict[str, tuple[str, str]]]] = field(default_factory=list)
    sheet: Path | None = None


def add(
    layout: Layout, entries: list[roster.Entry], *, course: str | None = None, log=print, update: bool = False
) -> AddResult:
    """Create every trainee of ``entries`` (already validated); existing hub users are skipped, or with ``update``
    (a re-imported roster) trainees of this course get the 氏名・所属・期・班 the file gives.

    All or nothing: when a step fails, the trainees created by this call are removed again.
    """
    cfg = layout.cfg
    course = course or cfg.courses[0].id
    if course not in [c.id for c in cfg.courses]:
        known = ", ".join(c.id for c in cfg.courses)
        raise SetupError(f"コース {course!r} はありません。次のどれかを指定してください: {known}")
    hub = HubAPI(layout)
    group = f"nbgrader-{course}"
    if not hub.group_exists(group):
        raise SetupError(f"hub にグループ {group} がありません。./testbed up を実行してから、やり直してください。")
    ckan_url, ckan_token = _ckan(layout)
    existing = set(hub.users()) | _reserved(layout)
    members = {m.username: m for m in roster.load(roster_db(layout)) if m.course == course}
    result = AddResult()
    for e in entries:
        if update and e.username in members and e.username in existing:
            changed = roster.changes(members[e.username], e)
            if changed:
                result.updated.append((e, changed))
            else:
                result.skipped.append((e, "すでに登録されています (変更なし)"))
        elif e.username in existing:
            result.skipped.append((e, "すでに登録されています"))
        else:
            result.added.append(e)
    if result.updated:
        _update(layout, ckan_url, ckan_token, course, result.updated)
    if not result.added:
        return result
    names = [e.username for e in result.added]
    cards = []
    try:
        hub.create_users(names)
        hub.add_to_group(group, names)
        roster.save(roster_db(layout), result.added, course)
        for i, e in enumerate(result.added, 1):
            if cfg.mode == "onsite":
                pw = passwords.generate_password()
                passwords.set_password(password_db(layout), e.username, pw)
                cards.append({"username": e.username, "fullname": e.fullname, "dept": e.dept, "password": pw})
            trainees.ensure_trainee(
                ckan_url, ckan_token, e.username, e.fullname, e.dept or None, token_db=token_db(layout)
            )
            log(f"{i}/{len(names)} {e.username} ({e.fullname}) を登録しました")
    except Exception as err:  # roll back whatever failed (hub, CKAN, disk), then report it
        log("途中で失敗したため、今回登録した研修生を取り消しています")
        for name in names:
            _undo(layout, hub, ckan_url, ckan_token, name)
        raise SetupError(f"研修生を登録できませんでした (何も登録されていません): {err}") from None
    if cards:
        text = cohort_sheet.render(cards, hub_url=cfg.hub_url, title="オープンデータ・テストベッド")
        result.sheet = cohort_sheet.write(layout.state / "cohort", text)
    progress.export_rosters(layout)  # the progress board shows the new names at once
    for problem in team_workspaces.sync_quietly(layout):  # teams (班) from the roster's column: their workspaces
        log(problem)
    return result


def _update(layout: Layout, ckan_url: str, ckan_token: str, course: str, updated) -> None:
    """Store what a re-imported roster changed for registered trainees; a new 氏名 or 所属 also on their CKAN
    profile and sandbox (``ensure_trainee`` brings them in line)."""
    for e, changed in updated:
        roster.update(roster_db(layout), e.username, course, {f: new for f, (_, new) in changed.items()})
        if {"fullname", "dept"} & set(changed):
            trainees.ensure_trainee(
                ckan_url, ckan_token, e.username, e.fullname, e.dept or None, token_db=token_db(layout)
            )
    progress.export_rosters(layout)


def _undo(layout: Layout, hub: HubAPI, ckan_url: str, ckan_token: str, name: str) -> None:
    for step in (
        lambda: hub.delete_user(name),
        lambda: passwords.delete(password_db(layout), name),
        lambda: roster.forget(roster_db(layout), [name]),
        lambda: trainees.remove_trainee(ckan_url, ckan_token, name, token_db=token_db(layout)),
    ):
        try:
            step()
        except Exception:  # best effort: undo as much as possible
            pass


def members(layout: Layout) -> list[dict]:
    """The roster with each trainee's hub state (registered, disabled, server running, last activity)."""
    hub_users = HubAPI(layout).users()
    disabled = passwords.disabled_users(password_db(layout))
    out = []
    for m in roster.load(roster_db(layout)):
        u = hub_users.get(m.username)
        row = roster.as_dict(m)
        row["in_hub"] = u is not None
        row["disabled"] = m.username in disabled
        row["server"] = bool(u and u.get("servers", {}).get("", {}).get("ready"))
        row["last_activity"] = (u or {}).get("last_activity")
        out.append(row)
    return out


@dataclass
class Removed:
    hub_user: bool
    ckan: trainees.Removal
    unix_archive: Path | None
    unix_removed: bool


def remove(layout: Layout, username: str) -> Removed:
    """Remove one trainee everywhere (idempotent); refuses instructors and grader accounts."""
    if username in _reserved(layout):
        raise SetupError(f"{username} は講師・採点用のアカウントなので、cohort remove では削除できません。")
    bad = roster.username_problem(username, 31)
    if bad:
        raise SetupError(bad)
    hub = HubAPI(layout)
    ckan_url, ckan_token = _ckan(layout)
    entry = next((m for m in roster.load(roster_db(layout)) if m.username == username), None)
    in_roster = entry is not None
    if hub.user(username) is None and not in_roster:
        raise SetupError(f"研修生 {username} は登録されていません (./testbed cohort list で確かめてください)。")
    hub_user = hub.delete_user(username)  # stops the server first: no kernel keeps using the token
    passwords.delete(password_db(layout), username)
    try:
        ckan = trainees.remove_trainee(ckan_url, ckan_token, username, token_db=token_db(layout))
    except CkanError as e:
        raise SetupError(f"{e}\nCKAN を確かめてから、もう一度 cohort remove {username} を実行してください。") from None
    archive, removed = remove_unix_account(layout, layout.cfg.unix_user_prefix + username)
    roster.forget(roster_db(layout), [username])
    progress.export_rosters(layout)
    if entry is not None and entry.team:  # the last member gone: the team's workspace is disabled and archived
        team_workspaces.sync_quietly(layout)
    return Removed(hub_user, ckan, archive, removed)


def _kill_processes_of(uid: int) -> None:
    """SIGKILL every process still running as ``uid`` (found by pid in /proc), so userdel can proceed."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    os.kill(int(entry), 9)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue


def remove_unix_account(layout: Layout, unix_name: str) -> tuple[Path | None, bool]:
    """Archive the account's home (tar.gz, 0600, in ``<state>/archive``) and delete the account."""
    if os.geteuid() != 0:
        return None, False
    try:
        pw = pwd.getpwnam(unix_name)
    except KeyError:
        return None, False
    archive = None
    home = Path(pw.pw_dir)
    if home.is_dir():
        d = layout.state / "archive"
        d.mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o700)
        archive = d / f"{unix_name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.tar.gz"
        fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w:gz") as tar:
            tar.add(home, arcname=unix_name)
    for _ in range(3):
        proc = subprocess.run(["/usr/sbin/userdel", "-r", unix_name], capture_output=True, text=True)
        if proc.returncode in (0, 12):  # 12: home could not be removed entirely (reported, account gone)
            return archive, True
        if proc.returncode == 8:  # still logged in / processes running
            _kill_processes_of(pw.pw_uid)
            time.sleep(0.5)
            continue
        break
    raise SetupError(f"Unix アカウント {unix_name} を削除できませんでした: {proc.stderr.strip()}")

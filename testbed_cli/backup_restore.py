"""`./testbed restore BACKUP`: put a backup made by `./testbed backup` (``backup.py``) back, over a broken state
or onto a machine where `./testbed up` has run once with the same stack config.

Order: verify every checksum and the layout/version (``backup.verify``, ``backup.compatibility_problems``: nothing
is changed before both pass) → the stack running (``up`` first if it is not) → trainees' servers and every writing
service stopped (PostgreSQL and Redis stay up) → Unix accounts made again (same uid/gid when free) → both
databases dropped, created and filled by ``pg_restore`` → the state trees and homes replaced from the archives →
the database roles' passwords set from the restored secrets → ``up`` starts everything and waits until healthy.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import subprocess
import tarfile
import time
import xmlrpc.client
from pathlib import Path

from testbed_cli import backup, postgres, secrets, stack, supervisor, system
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config import names

# PostgreSQL (pg_restore needs it), Redis (CKAN's job queue, not backed up), the proxy and the guardian write
# nothing a backup holds: they stay up
KEEP_RUNNING = ("postgres", "redis", "proxy", "guardian")


def check(layout: Layout, path: Path, *, force: bool = False, log=None) -> dict:
    """The backup's manifest when it is intact and fits this machine (or ``force``); SetupError otherwise."""
    if os.geteuid() != 0:
        raise SetupError("復元は root だけが実行できます。sudo を付けてください。")
    manifest = backup.verify(path, log=log)
    problems = backup.compatibility_problems(manifest, layout, backup.project_version())
    if problems and not force:
        raise SetupError(
            f"バックアップ {path} はこの環境と合いません:\n  "
            + "\n  ".join(problems)
            + "\n何も変更していません。同じ設定・同じ版の環境で復元するか、承知の上で --force を付けてください。"
        )
    manifest["problems"] = problems
    return manifest


# ---------------------------------------------------------------------------------------------
# stopping what writes


def stop_trainee_servers(layout: Layout, log=print) -> list[str]:
    """Ask the hub to stop every single-user server (they outlive a hub restart); best effort. The users whose
    server was running (started again after the restore: ``start_servers_again``)."""
    from testbed_cli.cohort_hub import HubAPI

    try:
        hub = HubAPI(layout)
        running = sorted(n for n, u in hub.users().items() if u.get("servers", {}).get(""))
        for name in running:
            hub.stop_server(name)
        return running
    except SetupError as e:
        log(f"注意: ハブから研修生のサーバーを止められませんでした ({e})。プロセスを直接止めます。")
        return []


def start_servers_again(layout: Layout, users: list[str], log=print) -> dict[str, str]:
    """Start the servers the restore stopped, as ``class start`` does (those whose user the restored hub still has),
    so that an open JupyterLab reconnects by itself instead of asking to restart; {user: why} of those that did
    not start (best effort: a trainee can always start their own from the hub)."""
    from testbed_cli import classroom

    if not users:
        return {}
    log(f"止めていたサーバー ({len(users)} 台) を起動し直しています")
    try:
        result = classroom.start_all(layout, users, parallel=4)
    except SetupError as e:
        return dict.fromkeys(users, str(e))
    return result.failed


def stop_writers(layout: Layout) -> list[str]:
    """Stop every supervised program that writes state (``KEEP_RUNNING`` stays up), highest priority first."""
    rpc = supervisor.client(layout)
    infos = rpc.supervisor.getAllProcessInfo()
    order = {p.name: p.priority for p in stack.programs(layout)}
    stopped = []
    for info in sorted(infos, key=lambda i: -order.get(i["name"], 0)):
        name = info["name"]
        if name in KEEP_RUNNING or info["statename"] not in ("RUNNING", "STARTING", "BACKOFF"):
            continue
        try:
            rpc.supervisor.stopProcess(name, True)
        except xmlrpc.client.Fault as e:
            if "NOT_RUNNING" not in str(e):
                raise
        stopped.append(name)
    return stopped


def kill_processes_of(uids: set[int]) -> int:
    """SIGKILL whatever still runs as one of ``uids`` (a server the hub could not stop)."""
    killed = 0
    for _ in range(10):
        found = 0
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid in uids:
                        os.kill(int(entry), 9)
                        found += 1
                except (FileNotFoundError, ProcessLookupError, PermissionError):
                    continue
        killed += found
        if not found:
            break
        time.sleep(0.3)
    return killed


# ---------------------------------------------------------------------------------------------
# accounts


def _free_uid(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return False
    except KeyError:
        return True


def _free_gid(gid: int) -> bool:
    try:
        grp.getgrgid(gid)
        return False
    except KeyError:
        return True


def ensure_accounts(entries: list[dict]) -> list[str]:
    """Make each backed-up Unix account that is missing (same uid/gid when free); returns the names made."""
    made = []
    for a in entries:
        if not system.group_exists(a["group"]):
            system.run(["groupadd", *(["-g", str(a["gid"])] if _free_gid(a["gid"]) else []), a["group"]])
        if not system.user_exists(a["name"]):
            uid = ["-u", str(a["uid"])] if _free_uid(a["uid"]) else []
            system.run(
                ["useradd", "--no-create-home", "--home-dir", a["home"], "--shell", a["shell"], "-g", a["group"], *uid]
                + [a["name"]]
            )
            made.append(a["name"])
        for g in a["groups"]:
            system.ensure_group(g)
            system.run(["usermod", "-a", "-G", g, a["name"]])
    return made


# ---------------------------------------------------------------------------------------------
# databases


def _psql(layout: Layout, sql: str, password: str, db: str = "postgres") -> None:
    proc = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *backup.pg_args(layout), "-d", db],
        input=sql,
        text=True,
        capture_output=True,
        env={**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5"},
    )
    if proc.returncode != 0:
        raise SetupError(f"PostgreSQL への指示が失敗しました: {proc.stderr.strip()[-400:]}")


def restore_database(layout: Layout, db: str, dump: Path, password: str) -> None:
    """Drop and re-create ``db`` (owner ckan), then fill it from the dump with pg_restore."""
    _psql(layout, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', password)
    _psql(layout, f'CREATE DATABASE "{db}" OWNER "ckan" ENCODING \'UTF8\' TEMPLATE template0', password)
    proc = subprocess.run(
        [str(postgres.PG_BIN / "pg_restore"), *backup.pg_args(layout), "--exit-on-error", "-d", db, str(dump)],
        capture_output=True,
        text=True,
        env={**os.environ, "PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5"},
    )
    if proc.returncode != 0:
        raise SetupError(
            f"データベース {db} を復元できませんでした (pg_restore: {proc.stderr.strip()[-600:]})。\n"
            "原因を直してから、もう一度 ./testbed restore を実行してください (何度実行しても同じ結果になります)。"
        )


def _literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# files


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    for m in members:
        if m.name.startswith("/") or ".." in Path(m.name).parts:
            raise SetupError(f"バックアップの中に不正なパスがあります: {m.name} (何も展開していません)")
    return members


def extract(archive: Path, root: Path) -> int:
    """Extract with owners by name (accounts exist by now) and modes; returns the number of regular files."""
    with tarfile.open(archive, "r:gz") as tar:
        members = _safe_members(tar)
        tar.extractall(root, members=members, numeric_owner=False)
    return sum(1 for m in members if m.isreg())


def restore_files(layout: Layout, backup_dir: Path, manifest: dict) -> dict[str, int]:
    for rel in backup.REPLACED:
        shutil.rmtree(layout.state / rel, ignore_errors=True)
    counts = {"state": extract(backup_dir / backup.STATE_TAR, layout.state)}
    homes = manifest["files"][backup.HOMES_TAR]["homes"]
    for home in homes:
        shutil.rmtree(home, ignore_errors=True)
    counts["homes"] = extract(backup_dir / backup.HOMES_TAR, Path("/"))
    counts["home_dirs"] = len(homes)
    return counts


# ---------------------------------------------------------------------------------------------
# the whole restore


def restore(layout: Layout, backup_dir: Path, manifest: dict, *, log=print) -> dict:
    """Restore a backup checked by ``check``; returns what was restored and how long each part took."""
    t0 = time.monotonic()
    backup_dir = Path(backup_dir)
    seconds: dict[str, float] = {}
    if not supervisor.is_running(layout) or not postgres.is_ready(layout):
        log("スタックが動いていないので、先に起動します (./testbed up と同じ)")
        stack.up(layout, log=log)
        seconds["first_up"] = round(time.monotonic() - t0, 1)
    t = time.monotonic()
    servers = stop_trainee_servers(layout, log)
    log("書き込むサービスを止めています (PostgreSQL・Redis・プロキシは動かしたまま)")
    stopped = stop_writers(layout)
    seconds["stop"] = round(time.monotonic() - t, 1)
    try:
        entries = json.loads((backup_dir / backup.ACCOUNTS).read_text(encoding="utf-8"))
        uids = {pwd.getpwnam(a["name"]).pw_uid for a in entries if system.user_exists(a["name"])} - {0}
        kill_processes_of(uids)
        log(f"Unix アカウント ({len(entries)} 件) を確かめています")
        made = ensure_accounts(entries)

        t = time.monotonic()
        old_password = secrets.get(layout.state, names.POSTGRES_SUPERUSER)
        for db in manifest["databases"]:
            log(f"データベース {db['name']} を pg_restore で復元しています")
            restore_database(layout, db["name"], backup_dir / db["member"], old_password)
        seconds["databases"] = round(time.monotonic() - t, 1)

        t = time.monotonic()
        log("ファイル (ハブ・コース・提出物・CKAN のアップロード・秘密情報・ホーム) を復元しています")
        counts = restore_files(layout, backup_dir, manifest)
        seconds["files"] = round(time.monotonic() - t, 1)

        # the restored secrets are the ones the services will use: give the database roles those passwords
        new_password = secrets.get(layout.state, names.POSTGRES_SUPERUSER)
        if new_password != old_password:
            _psql(layout, f'ALTER ROLE "{postgres.SUPERUSER}" PASSWORD {_literal(new_password)}', old_password)
        postgres.ensure_ckan_databases(layout)
    except Exception as e:
        detail = str(e) if isinstance(e, SetupError) else f"{type(e).__name__}: {e}"
        raise SetupError(
            f"復元が途中で止まりました: {detail}\n"
            "JupyterHub と CKAN は止まったままです。原因を直してから、もう一度 "
            f"./testbed restore {backup_dir} を実行してください (バックアップは変わっていません。"
            "何度実行しても同じ結果になります)。"
        ) from e

    t = time.monotonic()
    log("サービスを起動しています")
    stack.up(layout, log=log)
    seconds["up"] = round(time.monotonic() - t, 1)
    t = time.monotonic()
    not_started = start_servers_again(layout, servers, log)
    if servers:
        seconds["servers"] = round(time.monotonic() - t, 1)
    return {
        "backup": str(backup_dir),
        "created_at": manifest["created_at"],
        "databases": [d["name"] for d in manifest["databases"]],
        "files": counts,
        "accounts": len(entries),
        "accounts_made": made,
        "servers_stopped": len(servers),
        "servers_not_started": not_started,
        "services_stopped": stopped,
        "seconds": round(time.monotonic() - t0, 1),
        "parts": seconds,
    }

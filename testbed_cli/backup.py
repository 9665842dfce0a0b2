"""`./testbed backup`: a consistent, dated backup of the whole training state while the stack runs.

What goes in (one directory ``testbed-backup-YYYYMMDD-HHMMSS``, Japan time, mode 0700, every file 0600):

- ``databases/<db>.dump`` — CKAN's database and the DataStore, each by PostgreSQL's own ``pg_dump -Fc``
  (one consistent snapshot per database, taken while CKAN keeps serving);
- ``files/state.tar.gz`` — the state directory's trees that hold people's work and the stack's identity: the
  hub (its database, passwords, roster, CKAN tokens), the courses (gradebooks, the grader's files), the
  exchange (releases, submissions, feedback), CKAN's uploads and markers, the secrets, the printed sheets
  and the archived homes of removed trainees;
- ``files/homes.tar.gz`` — the homes of the hub users' Unix accounts (trainees, instructors, team workspaces);
- ``accounts.json`` — those Unix accounts (name, uid, gid, groups, home, shell), so restore makes them again;
- ``manifest.json`` (+ ``manifest.sha256``) — version, time, layout, every member's size and sha256.

Every SQLite file met while archiving (found by its header, not its name) is copied with SQLite's online
backup API, never as raw bytes of a live file. Passwords are not Unix ones (the hub keeps scrypt hashes in
``names.PASSWORD_DB``, or NativeAuthenticator's table in the hub database), so no shadow hashes are taken.

The backup is written under a hidden ``.…partial`` name and renamed when complete: a half-written backup
never looks like one. The manifest and the checks restore makes first: ``backup_manifest.py``; the archives:
``backup_archive.py``; restore: ``backup_restore.py``.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from testbed_cli import postgres, secrets
from testbed_cli.backup_archive import Archive
from testbed_cli.backup_manifest import (  # noqa: F401 (re-exported: the names restore and the tests use)
    MANIFEST,
    MANIFEST_SUM,
    compatibility_problems,
    layout_signature,
    project_version,
    seal,
    sha256_of,
    verify,
)
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config import japan_time, names

PREFIX = "testbed-backup-"
DATABASES = ("ckan", "ckan_datastore")
STATE_TAR = "files/state.tar.gz"
HOMES_TAR = "files/homes.tar.gz"
ACCOUNTS = "accounts.json"
# trees of the state directory, relative to it; restore replaces each of REPLACED wholesale
STATE_TREES = ("hub", "courses", "exchange", "ckan", "secrets", "cohort", "archive")
REPLACED = ("hub", "courses", "exchange", "ckan/storage", "secrets", "cohort", "archive")
EXCLUDED = ("ckan/.gunicorn", "ckan/__pycache__")  # runtime files of a running CKAN, made again by up
RUNTIME_SUFFIXES = (".pid",)  # a running program's pid file (the hub's) is not state


def backup_name(at: datetime) -> str:
    """``testbed-backup-20261207-235900``: the name of a backup taken at ``at``, in Japan time."""
    return PREFIX + japan_time.to_japan(at).strftime("%Y%m%d-%H%M%S")


def default_dir(layout: Layout) -> Path:
    """``backup.dir`` of the stack config, or ``<state>/backups``."""
    return layout.cfg.backup.dir or layout.state / "backups"


# ---------------------------------------------------------------------------------------------
# accounts


@dataclass
class Account:
    name: str
    uid: int
    gid: int
    group: str
    groups: list[str]
    home: str
    shell: str


def accounts(layout: Layout) -> list[Account]:
    """The Unix accounts of hub users (``<prefix><name>``) and the courses' grader accounts."""
    prefix = layout.cfg.unix_user_prefix
    graders = {layout.grader_account(c.id) for c in layout.cfg.courses}
    supplementary: dict[str, list[str]] = {}
    for g in grp.getgrall():
        for member in g.gr_mem:
            supplementary.setdefault(member, []).append(g.gr_name)
    found = []
    for pw in sorted(pwd.getpwall(), key=lambda p: p.pw_name):
        if not (prefix and pw.pw_name.startswith(prefix)) and pw.pw_name not in graders:
            continue
        try:
            group = grp.getgrgid(pw.pw_gid).gr_name
        except KeyError:
            group = pw.pw_name
        found.append(
            Account(
                pw.pw_name,
                pw.pw_uid,
                pw.pw_gid,
                group,
                sorted(supplementary.get(pw.pw_name, [])),
                pw.pw_dir,
                pw.pw_shell,
            )
        )
    return found


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# pg_dump


def _pg_env(layout: Layout) -> dict[str, str]:
    return {**os.environ, "PGPASSWORD": secrets.get(layout.state, names.POSTGRES_SUPERUSER), "PGCONNECT_TIMEOUT": "5"}


def pg_args(layout: Layout) -> list[str]:
    return ["-h", "127.0.0.1", "-p", str(layout.cfg.ports.postgres), "-U", postgres.SUPERUSER, "--no-password"]


def dump_database(layout: Layout, db: str, dest: Path) -> None:
    proc = subprocess.run(
        [str(postgres.PG_BIN / "pg_dump"), *pg_args(layout), "-Fc", "-f", str(dest), db],
        env=_pg_env(layout),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SetupError(
            f"データベース {db} をバックアップできませんでした (pg_dump: {proc.stderr.strip()[-400:]})。\n"
            "./testbed status で postgres が正常か確かめてから、もう一度 ./testbed backup を実行してください。"
        )


# ---------------------------------------------------------------------------------------------
# create


def create(layout: Layout, dest_dir: Path | None = None, *, log=print) -> dict:
    """Write a complete backup into ``dest_dir`` (default ``default_dir``); returns its manifest plus
    ``path`` and ``seconds``."""
    if os.geteuid() != 0:
        raise SetupError(
            "バックアップは root だけが作れます (研修生のホームと秘密情報を含むため)。sudo を付けてください。"
        )
    if not postgres.is_ready(layout):
        raise SetupError("PostgreSQL が動いていません。./testbed up で起動してから、もう一度実行してください。")
    t0 = time.monotonic()
    dest_dir = Path(dest_dir) if dest_dir else default_dir(layout)
    accts = accounts(layout)
    inside = [layout.state / t for t in STATE_TREES] + [Path(a.home) for a in accts if a.home != "/"]
    if any(_inside(dest_dir, tree) for tree in inside):
        raise SetupError(
            f"保存先 {dest_dir} はバックアップする範囲 (状態ディレクトリのハブ・コースなど、またはホーム) の"
            "中にあります。"
            "範囲の外 (既定の <状態ディレクトリ>/backups や別のディスク) を --to で指定してください。"
        )
    dest_dir.mkdir(parents=True, exist_ok=True)
    if dest_dir == default_dir(layout):
        os.chmod(dest_dir, 0o700)
    created = japan_time.now()
    name = backup_name(created)
    final = dest_dir / name
    if final.exists():
        raise SetupError(f"{final} はすでにあります。1 秒おいてから、もう一度実行してください。")
    work = dest_dir / f".{name}.partial"
    old_umask = os.umask(0o077)
    try:
        shutil.rmtree(work, ignore_errors=True)
        (work / "databases").mkdir(parents=True)
        (work / "files").mkdir()
        scratch = Path(tempfile.mkdtemp(prefix="testbed-backup-", dir=work))
        timings: dict[str, float] = {}

        t = time.monotonic()
        for db in DATABASES:
            log(f"データベース {db} を pg_dump で書き出しています")
            dump_database(layout, db, work / "databases" / f"{db}.dump")
        timings["databases"] = round(time.monotonic() - t, 1)

        t = time.monotonic()
        log("状態ディレクトリ (ハブ・コース・提出物・CKAN のアップロード・秘密情報) をまとめています")
        state = Archive(work / STATE_TAR, scratch, skip_suffixes=RUNTIME_SUFFIXES)
        try:
            exclude = {layout.state / e for e in EXCLUDED}
            for tree in STATE_TREES:
                state.add_tree(layout.state / tree, tree, exclude)
        finally:
            state.close()
        timings["state_files"] = round(time.monotonic() - t, 1)

        t = time.monotonic()
        log(f"研修生などのホーム ({len(accts)} アカウント) をまとめています")
        homes = Archive(work / HOMES_TAR, scratch)
        home_names = []
        try:
            for a in accts:
                home = Path(a.home)
                if home.is_dir() and not _inside(home, layout.state) and home != Path("/"):
                    homes.add_tree(home, str(home).lstrip("/"))
                    home_names.append(str(home))
        finally:
            homes.close()
        timings["homes"] = round(time.monotonic() - t, 1)
        (work / ACCOUNTS).write_text(
            json.dumps([a.__dict__ for a in accts], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        shutil.rmtree(scratch)

        manifest = seal(
            work,
            {
                "created_at": created.isoformat(timespec="seconds"),
                "name": name,
                "layout": layout_signature(layout),
                "databases": [
                    {"name": db, "member": f"databases/{db}.dump", "tool": "pg_dump -Fc"} for db in DATABASES
                ],
                "files": {
                    STATE_TAR: {"trees": list(STATE_TREES), "files": state.files, "sqlite": state.sqlite_copies},
                    HOMES_TAR: {"homes": home_names, "files": homes.files, "sqlite": homes.sqlite_copies},
                },
                "skipped": state.skipped + homes.skipped,
                "sqlite_unreadable": state.sqlite_unreadable + homes.sqlite_unreadable,
                "accounts": [a.name for a in accts],
                "unix_passwords": False,  # the hub's own password store (passwords.sqlite, in state.tar.gz)
                "seconds": timings,
            },
        )
        os.chmod(work, 0o700)
        os.rename(work, final)  # complete: only now does it carry its real name
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        os.umask(old_umask)
    manifest["path"] = str(final)
    manifest["size"] = sum(m["size"] for m in manifest["members"])
    manifest["total_seconds"] = round(time.monotonic() - t0, 1)
    return manifest

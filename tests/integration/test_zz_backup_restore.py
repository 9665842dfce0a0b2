"""`./testbed backup` while the stack runs and `./testbed restore` over damaged state (runs late: restore stops and
starts services; run it alone, under the `up` lock).

Does a backup taken while a trainee's server runs bring back, after the state was damaged, the trainee's file
(same sha256 and owner), their dataset with its uploaded file, their submission and their OLD password (the
hub's sign-in form), with every service healthy? Are a truncated backup and one with a flipped byte refused
in Japanese with nothing changed? Timings and sizes are printed (run with -s to see them).
"""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests
from helpers.backups import backup_status_kept
from helpers.cohort import login
from helpers.progress import cohort_member, submission

from hub_config import passwords
from testbed_config.names import sandbox_org_name

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="backup and restore need root (Unix accounts, homes)"),
]
REPO = Path(__file__).resolve().parents[2]


def _testbed(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "testbed"), *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(autouse=True)
def _backup_status_put_back(layout):
    """The stack's record of its last backup as it was (the tests' backups go to folders removed afterwards)."""
    with backup_status_kept(layout):
        yield


def _backup(dest: Path, layout) -> tuple[Path, float]:
    from testbed_cli import backup_schedule

    t0 = time.monotonic()
    proc = _testbed("backup", "--to", str(dest))
    seconds = time.monotonic() - t0
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (made,) = [p for p in dest.iterdir() if p.is_dir()]  # the complete backup only: no .partial left behind
    assert re.fullmatch(r"testbed-backup-\d{8}-\d{6}", made.name), made.name
    assert (made.stat().st_mode & 0o777) == 0o700
    # recorded for the console (a backup made with --to is never pruned, but it is the last backup)
    status = backup_schedule.read_status(layout)
    assert status["last_success"]["name"] == made.name and status["last_attempt"]["ok"], status
    return made, seconds


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pids(layout) -> dict[str, int]:
    from testbed_cli import supervisor

    return {n: i["pid"] for n, i in supervisor.states(layout).items()}


def _unhealthy(layout) -> list[str]:
    from testbed_cli import stack

    status = stack.status(layout)
    return [n for n, s in status["services"].items() if not s["healthy"]]


def test_damaged_backups_are_refused_and_nothing_changes(layout):
    """Are a truncated backup and one with a flipped byte refused in Japanese, naming the member, with no service
    restarted and no secret touched?"""
    dest = Path(tempfile.mkdtemp(prefix="testbed-backup-test-"))
    try:
        made, _ = _backup(dest, layout)
        secrets_before = {p.name: _sha256(p) for p in layout.secrets.iterdir()}
        pids_before = _pids(layout)

        truncated = dest / "truncated"
        shutil.copytree(made, truncated)
        tar = truncated / "files" / "state.tar.gz"
        with open(tar, "r+b") as f:
            f.truncate(tar.stat().st_size // 2)
        proc = _testbed("restore", "--yes", str(truncated))
        assert proc.returncode == 1
        assert "files/state.tar.gz の大きさが違います" in proc.stderr, proc.stderr
        assert "途中で切れています" in proc.stderr and "何も変更していません" in proc.stderr

        flipped = dest / "flipped"
        shutil.copytree(made, flipped)
        dump = flipped / "databases" / "ckan.dump"
        data = bytearray(dump.read_bytes())
        data[len(data) // 2] ^= 0x01
        dump.write_bytes(bytes(data))
        proc = _testbed("restore", "--yes", str(flipped))
        assert proc.returncode == 1
        assert "databases/ckan.dump のチェックサム (sha256) が合いません" in proc.stderr, proc.stderr

        assert _pids(layout) == pids_before  # nothing stopped or restarted
        assert {p.name: _sha256(p) for p in layout.secrets.iterdir()} == secrets_before
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    assert not dest.exists()


def test_restore_brings_back_file_dataset_submission_and_old_password(hub, layout, ckan_admin, unique):
    """After a backup taken while the trainee's server runs, then a deleted file, a purged dataset, a removed
    submission and a changed password, does restore bring all of them back with a healthy stack?"""
    name = f"bk{unique()}"
    old_password = "Mukashi-" + secrets.token_urlsafe(9)
    course = layout.cfg.courses[0].id
    dest = Path(tempfile.mkdtemp(prefix="testbed-backup-test-"))
    dataset = f"{name}-hozon"
    upload = dest / "memo.txt"
    upload.write_text("バックアップの確認 " + secrets.token_hex(8) + "\n", encoding="utf-8")
    try:
        with cohort_member(hub, layout, course, name, "復元 太郎", old_password):
            hub.start_server(name)  # the spawn makes the Unix account, the CKAN user and the sandbox
            account = pwd.getpwnam(layout.cfg.unix_user_prefix + name)
            note = Path(account.pw_dir) / "hozon-kakunin.txt"
            note.write_text("消えては困るメモ " + secrets.token_hex(16) + "\n", encoding="utf-8")
            os.chown(note, account.pw_uid, account.pw_gid)
            note_sha = _sha256(note)
            ds = ckan_admin.action.package_create(name=dataset, title="復元の確認", owner_org=sandbox_org_name(name))
            with open(upload, "rb") as f:
                res = ckan_admin.action.resource_create(package_id=ds["id"], name="メモ", format="TXT", upload=f)
            with submission(layout, course, name, "bk-kakunin"):
                inbound = layout.exchange / course / "inbound"
                (sub,) = inbound.glob(f"{account.pw_name}+bk-kakunin+*")

                made, backup_seconds = _backup(dest, layout)
                size = sum(p.stat().st_size for p in made.rglob("*") if p.is_file())

                # damage: the file, the dataset (purged, with its upload), the submission, the password, the hub
                # user and the Unix account with its home
                note.unlink()
                ckan_admin.action.dataset_purge(id=ds["id"])
                shutil.rmtree(sub)
                passwords.set_password(layout.hub_dir / "passwords.sqlite", name, "Atarashii-" + secrets.token_hex(6))
                assert login(hub.public, name, old_password).status_code != 302
                hub.request("DELETE", f"/users/{name}/server")
                for _ in range(60):
                    if hub.request("DELETE", f"/users/{name}").status_code in (204, 404):
                        break
                    time.sleep(0.5)
                assert hub.request("GET", f"/users/{name}").status_code == 404
                gone = subprocess.run(["userdel", "-r", account.pw_name], capture_output=True, text=True)
                assert gone.returncode in (0, 12), gone.stderr
                assert not Path(account.pw_dir).exists()

                t0 = time.monotonic()
                proc = _testbed("restore", "--yes", str(made))
                restore_seconds = time.monotonic() - t0
                assert proc.returncode == 0, proc.stdout + proc.stderr
                assert "のバックアップから復元しました" in proc.stdout

                again = pwd.getpwnam(account.pw_name)  # the Unix account is back, with its uid when it was free
                assert (again.pw_uid, again.pw_dir) == (account.pw_uid, account.pw_dir)
                assert hub.request("GET", f"/users/{name}").status_code == 200
                assert _sha256(note) == note_sha
                assert note.stat().st_uid == again.pw_uid
                assert (Path(account.pw_dir).stat().st_mode & 0o777) == 0o700
                got = ckan_admin.action.package_show(id=dataset)
                assert got["title"] == "復元の確認" and got["state"] == "active"
                # the sandbox's search (a PostgreSQL table, practice datasets shown when filtered by organisation)
                sandbox = ckan_admin.action.package_search(fq=f'owner_org:"{got["owner_org"]}"', include_private=True)
                assert [d["name"] for d in sandbox["results"]] == [dataset]
                (restored_res,) = got["resources"]
                assert restored_res["id"] == res["id"]
                token = (layout.secrets / "ckan-admin-token").read_text().strip()
                r = requests.get(restored_res["url"], headers={"Authorization": token}, timeout=30)
                assert r.status_code == 200 and r.content == upload.read_bytes()
                assert sub.is_dir() and (sub / "timestamp.txt").exists()
                assert login(hub.public, name, old_password).status_code == 302
                assert _unhealthy(layout) == []
                parts = re.search(r"かかった時間: (.*)", proc.stdout)
                print(
                    f"\nbackup: {backup_seconds:.1f} s, {size / 1e6:.1f} MB; restore: {restore_seconds:.1f} s "
                    f"(incl. up; {parts.group(1) if parts else '?'}); {made.name}"
                )
    finally:
        try:
            ckan_admin.action.dataset_purge(id=dataset)
        except Exception:  # already gone (or never made)
            pass
        shutil.rmtree(dest, ignore_errors=True)
    assert not dest.exists()

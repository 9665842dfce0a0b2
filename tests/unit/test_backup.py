"""Backups without a stack: names in Japan time, the manifest, SQLite snapshots, and refusing a damaged backup."""

from __future__ import annotations

import json
import os
import sqlite3
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from testbed_cli import backup, backup_archive, backup_restore
from testbed_cli.errors import SetupError
from testbed_config import StackConfig
from testbed_config.layout import Layout

pytestmark = pytest.mark.unit


def _layout(tmp_path: Path, **kw) -> Layout:
    return Layout(StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt", **kw))


def _backup(tmp_path: Path, layout: Layout) -> Path:
    """A small backup folder as `./testbed backup` leaves it (sealed manifest, members in place)."""
    work = tmp_path / "testbed-backup-20261207-234032"
    (work / "databases").mkdir(parents=True)
    (work / "files").mkdir()
    (work / "databases" / "ckan.dump").write_bytes(b"PGDMP" + bytes(range(256)) * 40)
    with tarfile.open(work / backup.STATE_TAR, "w:gz") as tar:
        note = tmp_path / "note.txt"
        note.write_text("研修生のメモ\n", encoding="utf-8")
        tar.add(note, "hub/note.txt")
    (work / backup.ACCOUNTS).write_text("[]\n")
    backup.seal(
        work,
        {
            "created_at": "2026-12-07T23:40:32+09:00",
            "layout": backup.layout_signature(layout),
            "databases": [{"name": "ckan", "member": "databases/ckan.dump", "tool": "pg_dump -Fc"}],
        },
    )
    return work


def test_name_is_japan_time():
    """Is a backup taken at 14:40:32 UTC named by Japan's clock (23:40:32), and one after 15:00 UTC by the next day?"""
    assert backup.backup_name(datetime(2026, 12, 7, 14, 40, 32, tzinfo=UTC)) == "testbed-backup-20261207-234032"
    assert backup.backup_name(datetime(2026, 12, 31, 15, 0, 1, tzinfo=UTC)) == "testbed-backup-20270101-000001"


def test_manifest_lists_every_member_with_size_and_sha256(tmp_path):
    """Does the manifest hold every file but itself, with its size and sha256, the layout and Japan time?"""
    layout = _layout(tmp_path)
    work = _backup(tmp_path, layout)
    manifest = json.loads((work / backup.MANIFEST).read_text(encoding="utf-8"))
    paths = [m["path"] for m in manifest["members"]]
    assert paths == ["accounts.json", "databases/ckan.dump", "files/state.tar.gz"]
    dump = next(m for m in manifest["members"] if m["path"] == "databases/ckan.dump")
    assert dump["size"] == (work / "databases" / "ckan.dump").stat().st_size
    assert dump["sha256"] == backup.sha256_of(work / "databases" / "ckan.dump")
    assert manifest["state_dir"] == str(tmp_path / "state")
    assert manifest["created_at"].endswith("+09:00")
    assert backup.verify(work)["members"] == manifest["members"]


def test_flipped_byte_is_refused_naming_the_member(tmp_path):
    """Is a backup with one flipped byte refused, in Japanese, naming the damaged member, before anything else?"""
    work = _backup(tmp_path, _layout(tmp_path))
    path = work / "databases" / "ckan.dump"
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(SetupError) as e:
        backup.verify(work)
    assert "databases/ckan.dump のチェックサム (sha256) が合いません" in str(e.value)
    assert "何も変更していません" in str(e.value)


def test_truncated_member_and_missing_member_are_refused(tmp_path):
    """Is a member cut short refused as truncated, and a missing one as missing?"""
    work = _backup(tmp_path, _layout(tmp_path))
    tar = work / backup.STATE_TAR
    tar.write_bytes(tar.read_bytes()[:50])
    with pytest.raises(SetupError, match="files/state.tar.gz の大きさが違います .*途中で切れています"):
        backup.verify(work)
    tar.unlink()
    with pytest.raises(SetupError, match="files/state.tar.gz がありません"):
        backup.verify(work)


def test_edited_manifest_is_refused(tmp_path):
    """Is a manifest changed after sealing (say, a checksum edited to match a damaged file) refused?"""
    work = _backup(tmp_path, _layout(tmp_path))
    text = (work / backup.MANIFEST).read_text(encoding="utf-8")
    (work / backup.MANIFEST).write_text(text.replace("ckan.dump", "ckan.dumq"), encoding="utf-8")
    with pytest.raises(SetupError, match="manifest.json のチェックサムが合いません"):
        backup.verify(work)


def test_other_layout_or_version_needs_force(tmp_path, monkeypatch):
    """Is a backup of another state directory or another project version refused unless --force?"""
    here = _layout(tmp_path)
    manifest = {"layout": backup.layout_signature(here), "testbed_version": "a" * 40}
    assert backup.compatibility_problems(manifest, here, "a" * 40) == []
    elsewhere = {**manifest, "layout": {**manifest["layout"], "state_dir": "/srv/other"}}
    (problem,) = backup.compatibility_problems(elsewhere, here, "a" * 40)
    assert "状態ディレクトリが違います" in problem and "/srv/other" in problem
    (problem,) = backup.compatibility_problems(manifest, here, "b" * 40)
    assert "テストベッドの版が違います" in problem

    work = _backup(tmp_path, _layout(tmp_path / "other"))
    monkeypatch.setattr(backup_restore.os, "geteuid", lambda: 0)
    with pytest.raises(SetupError, match="この環境と合いません"):
        backup_restore.check(here, work)
    assert backup_restore.check(here, work, force=True)["problems"]


def test_sqlite_is_archived_by_the_backup_api(tmp_path):
    """Is a live SQLite database in WAL mode archived with its committed rows (no -wal member), and is an
    uncommitted write left out?"""
    tree = tmp_path / "hub"
    tree.mkdir()
    db = tree / "live.sqlite"
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA journal_mode=wal")
    writer.execute("CREATE TABLE t (x)")
    writer.execute("INSERT INTO t VALUES ('committed')")
    writer.commit()
    writer.execute("INSERT INTO t VALUES ('uncommitted')")  # an open transaction
    (tree / "plain.txt").write_text("x")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    archive = backup_archive.Archive(tmp_path / "a.tar.gz", scratch)
    archive.add_tree(tree, "hub")
    archive.close()
    writer.rollback()
    writer.close()
    assert archive.sqlite_copies == ["hub/live.sqlite"]
    out = tmp_path / "out"
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        assert sorted(tar.getnames()) == ["hub", "hub/live.sqlite", "hub/plain.txt"]
        tar.extractall(out)
    rows = sqlite3.connect(out / "hub" / "live.sqlite").execute("SELECT x FROM t").fetchall()
    assert rows == [("committed",)]


def test_cli_restore_of_a_damaged_backup_exits_1_in_japanese(tmp_path, monkeypatch):
    """Does `./testbed restore` of a damaged backup exit 1 with the Japanese message and never ask to confirm?"""
    from testbed_cli.cli import main

    layout = _layout(tmp_path)
    work = _backup(tmp_path, layout)
    (work / "accounts.json").write_text("[1]\n")
    monkeypatch.setattr(backup_restore.os, "geteuid", lambda: 0)
    config = tmp_path / "testbed.yaml"
    config.write_text(f"state_dir: {tmp_path / 'state'}\nprefix: {tmp_path / 'opt'}\n")
    result = CliRunner().invoke(main, ["--config", str(config), "restore", str(work)])
    assert result.exit_code == 1
    assert "accounts.json の大きさが違います" in result.output
    assert "よろしいですか" not in result.output


def test_damaged_sqlite_and_hard_links_are_archived(tmp_path):
    """Is a file with SQLite's header that SQLite cannot read kept as its bytes (and reported) instead of failing the
    backup, and is a file with two hard links archived with its content under both names?"""
    tree = tmp_path / "home"
    tree.mkdir()
    (tree / "broken.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    (tree / "a.txt").write_text("同じ中身")
    os.link(tree / "a.txt", tree / "b.txt")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    archive = backup_archive.Archive(tmp_path / "a.tar.gz", scratch)
    archive.add_tree(tree, "home")
    archive.close()
    assert archive.sqlite_unreadable == ["home/broken.db"] and archive.sqlite_copies == []
    out = tmp_path / "out"
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        tar.extractall(out)
    assert (out / "home" / "broken.db").read_bytes() == (tree / "broken.db").read_bytes()
    assert (out / "home" / "a.txt").read_text() == (out / "home" / "b.txt").read_text() == "同じ中身"


def test_backup_refuses_non_root_and_a_destination_inside_what_it_saves(tmp_path, monkeypatch):
    """Does `backup` refuse, in Japanese and before writing anything, a non-root operator and a --to folder inside
    the trees it archives (which would archive itself)?"""
    layout = _layout(tmp_path)
    monkeypatch.setattr(backup.os, "geteuid", lambda: 1000)
    with pytest.raises(SetupError, match="root だけが作れます"):
        backup.create(layout, tmp_path / "out")
    monkeypatch.setattr(backup.os, "geteuid", lambda: 0)
    monkeypatch.setattr(backup.postgres, "is_ready", lambda layout: True)
    monkeypatch.setattr(backup, "accounts", lambda layout: [])
    with pytest.raises(SetupError, match="バックアップする範囲 .* の中にあります"):
        backup.create(layout, layout.hub_dir / "backups")
    assert not (layout.hub_dir / "backups").exists()

"""``ckan testbed purge-orphan-files`` (``orphan_files.py``, ``cli.py``): files of resources that have no row any more
are removed, with their empty folders; files of live and deleted-state resources, young files and anything that is
not a resource's file stay.

Each test gets its own empty ``ckan.storage_path`` (a temporary folder removed afterwards).
"""

from __future__ import annotations

import io
import os
import tempfile
import time
import uuid
from pathlib import Path

import ckan.model as model
import pytest
from ckan.cli.cli import ckan
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.testbed import cli as testbed_cli
from click.testing import CliRunner
from werkzeug.datastructures import FileStorage

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]

CSV = "区分,人数\n男,3\n女,4\n".encode()
OLD = time.time() - 3 * 3600  # older than orphan_files.MIN_AGE


@pytest.fixture
def storage(ckan_config, monkeypatch):
    """An empty ``ckan.storage_path`` for this test only; its ``resources/`` folder is where uploads land."""
    with tempfile.TemporaryDirectory(prefix="tb-orphan-files-") as path:
        monkeypatch.setitem(ckan_config, "ckan.storage_path", path)
        yield Path(path)


def upload(dataset: dict, name: str) -> dict:
    file = FileStorage(stream=io.BytesIO(CSV), filename=name, content_type="text/csv")
    sysadmin = factories.Sysadmin()["name"]
    return call_action("resource_create", context={"user": sysadmin}, package_id=dataset["id"], url=name, upload=file)


def path_of(storage: Path, rid: str) -> Path:
    return storage / "resources" / rid[:3] / rid[3:6] / rid[6:]


def put(path: Path, content: bytes = CSV, mtime: float = OLD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))
    return path


def tree(storage: Path) -> dict[str, bytes | None]:
    """Every file (its content) and folder (``None``) under ``resources/``."""
    root = storage / "resources"
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


@pytest.fixture
def disk(storage):
    """A live resource's file, a deleted-state resource's file (dropped from its dataset by an edit, restorable),
    an orphan (no row at all, 3 hours old), a young orphan, and strays that are no resource's file."""
    dataset = factories.Dataset()
    live = upload(dataset, "genzai.csv")
    deleted = upload(dataset, "kyu.csv")
    call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id=dataset["id"],
                resources=[{"id": live["id"], "url": "genzai.csv"}])  # fmt: skip
    assert call_action("resource_show", id=live["id"])  # and the dropped one is deleted-state, its row kept:
    assert [r.state for r in _rows(deleted["id"])] == ["deleted"]
    for rid in (live["id"], deleted["id"]):
        os.utime(path_of(storage, rid), (OLD, OLD))
    orphan = str(uuid.uuid4())
    young = str(uuid.uuid4())
    put(path_of(storage, orphan), b"x" * 2048)
    put(path_of(storage, young), mtime=time.time())
    writing = path_of(storage, str(uuid.uuid4()))
    strays = [
        put(storage / "resources" / "README.txt"),  # not at the layout's depth
        put(storage / "resources" / "abc" / "def" / "not-a-resource-id"),  # no id shape
        put(writing.with_name(writing.name + "~")),  # CKAN's upload being written
        put(storage / "resources" / "abcd" / "ef0" / "12345-1234-1234-1234-123456789012"),  # 4-letter folder
    ]
    link = path_of(storage, str(uuid.uuid4()))
    link.parent.mkdir(parents=True)
    link.symlink_to(storage / "resources" / "README.txt")  # a symlink is never followed nor removed
    return {"live": live["id"], "deleted": deleted["id"], "orphan": orphan, "young": young, "strays": strays}


def _rows(rid: str):
    return model.Session.query(model.Resource).filter(model.Resource.id == rid).all()


def run(*args: str):
    result = CliRunner().invoke(testbed_cli.testbed, ["purge-orphan-files", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_does_a_dry_run_list_only_the_orphan_and_remove_nothing(storage, disk):
    """Does ``--dry-run`` name the orphan alone (count, bytes, its path), in Japanese, and leave every file?"""
    before = tree(storage)
    output = run("--dry-run")
    assert tree(storage) == before
    orphan = disk["orphan"]
    listed = [line.split()[0] for line in output.splitlines() if line.startswith("  ")]
    assert listed == [f"{orphan[:3]}/{orphan[3:6]}/{orphan[6:]}"], output
    assert "ドライラン: ファイルは何も削除していません。" in output
    assert "どのリソースにも属さないファイルが 1 件、合計 2,048 バイト (2.0 KB) あります" in output
    assert "作成から 60 分以内のファイル 1 件は、登録中のリソースのものかもしれないため残しました。" in output
    assert "削除するには --dry-run を付けずに実行してください。" in output


def test_does_the_real_run_remove_only_the_orphan_and_its_folders(storage, disk):
    """Is the orphan gone with its emptied folders, and every other file (live, deleted-state, young, strays,
    symlink) untouched; does a second run find nothing?"""
    before = tree(storage)
    output = run()
    orphan = disk["orphan"]
    gone = {f"{orphan[:3]}/{orphan[3:6]}/{orphan[6:]}", f"{orphan[:3]}/{orphan[3:6]}", orphan[:3]}
    assert gone <= before.keys()
    assert tree(storage) == {key: value for key, value in before.items() if key not in gone}
    for key in ("live", "deleted", "young"):
        assert path_of(storage, disk[key]).is_file(), key
    assert "どのリソースにも属さないファイル 1 件、合計 2,048 バイト (2.0 KB) を削除しました" in output
    assert "空になったフォルダも削除しました。" in output
    assert "ドライラン" not in output

    again = run()
    assert "どのリソースにも属さないファイルはありませんでした" in again
    assert tree(storage) == {key: value for key, value in before.items() if key not in gone}


def test_is_the_command_registered_with_ckan(cli, storage, disk):
    """Does ``ckan testbed purge-orphan-files --dry-run`` (CKAN's own CLI, the plugin's IClick) run it, on the
    storage that CKAN's config names (``CKAN_STORAGE_PATH``)?"""
    result = cli.invoke(ckan, ["testbed", "purge-orphan-files", "--dry-run"], env={"CKAN_STORAGE_PATH": str(storage)})
    assert result.exit_code == 0, result.output
    assert "どのリソースにも属さないファイルが 1 件" in result.output
    assert disk["orphan"][6:] in result.output
    assert path_of(storage, disk["orphan"]).is_file()

"""Uploaded resource files leave CKAN's storage with their resource (``resource_files.py``): on ``dataset_purge`` (the
action, the sysadmin trash) and ``resource_delete``, never on a soft ``package_delete`` nor on a refused action.

Each test gets its own empty ``ckan.storage_path`` (a temporary folder removed afterwards); actions run as the person
who would do them (``ignore_auth`` off) where authorisation matters.
"""

from __future__ import annotations

import io
import logging
import tempfile
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from werkzeug.datastructures import FileStorage

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]

CSV = "区分,人数\n男,3\n女,4\n".encode()


@pytest.fixture
def storage(ckan_config, monkeypatch):
    """An empty ``ckan.storage_path`` for this test only; its ``resources/`` folder is where uploads land."""
    with tempfile.TemporaryDirectory(prefix="tb-resource-files-") as path:
        monkeypatch.setitem(ckan_config, "ckan.storage_path", path)
        yield Path(path)


@pytest.fixture
def file_storage(ckan_config, reset_storages):
    """The same with CKAN 2.12's file storages instead of the classic uploader (``ckan.files.storage.default``,
    type ``ckan:fs``; CKAN then keeps resources in its ``resources/`` folder)."""
    keys = {"ckan.files.storage.default.type": "ckan:fs"}
    with tempfile.TemporaryDirectory(prefix="tb-resource-files-") as path:
        keys["ckan.files.storage.default.path"] = path
        ckan_config.update(keys)
        reset_storages()
        try:
            yield Path(path)
        finally:
            for key in keys:
                ckan_config.pop(key, None)
            reset_storages()


@pytest.fixture
def city():
    """A department (an editor), a sysadmin, and a dataset of the department."""
    editor = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"], title="住民台帳 (抜粋)")
    return {"sysadmin": factories.Sysadmin(), "editor": editor, "dataset": dataset}


def act(action: str, who: dict, /, **data):
    """Call an action as ``who`` with authorisation checked."""
    return call_action(action, context={"user": who["name"], "ignore_auth": False}, **data)


def as_admin(action: str, /, **data):
    """Call an action as a sysadmin, unchecked (CKAN's activity stream needs a user for every change)."""
    return call_action(action, context={"user": factories.Sysadmin()["name"]}, **data)


def upload(dataset: dict, name: str = "meibo.csv", content: bytes = CSV) -> dict:
    file = FileStorage(stream=io.BytesIO(content), filename=name, content_type="text/csv")
    return as_admin("resource_create", package_id=dataset["id"], url=name, upload=file)


def path_of(storage: Path, resource: dict) -> Path:
    rid = resource["id"]
    return storage / "resources" / rid[:3] / rid[3:6] / rid[6:]


def stored(storage: Path) -> list[Path]:
    """Every file and folder under ``resources/`` (empty folders left behind count too)."""
    return sorted((storage / "resources").rglob("*"))


def test_are_the_chained_actions_the_ones_ckan_calls():
    """Do CKAN's ``dataset_purge`` and ``resource_delete`` go through the extension (so the tests below test it)?"""
    for name in ("dataset_purge", "resource_delete"):
        chain = tk.get_action(name).__wrapped__  # CKAN's chain: partial(ours, stock)
        assert chain.func.__module__ == "ckanext.testbed.resource_files", chain
        assert chain.args[0].__module__ == "ckan.logic.action.delete", chain


def test_does_purging_a_dataset_remove_all_its_uploaded_files(storage, city):
    """Are the files of a purged dataset's resources gone, a resource deleted earlier by an edit of the dataset too,
    with their folders, while another dataset's upload stays?"""
    kept = upload(city["dataset"], "genzai.csv")
    dropped = upload(city["dataset"], "kyu.csv")
    other = upload(factories.Dataset(), "betsu.csv")
    as_admin("package_patch", id=city["dataset"]["id"], resources=[{"id": kept["id"], "url": "genzai.csv"}])
    assert call_action("resource_show", id=kept["id"])["url_type"] == "upload"
    assert all(path_of(storage, r).is_file() for r in (kept, dropped, other))  # an edit leaves the file (stock CKAN)

    act("dataset_purge", city["sysadmin"], id=city["dataset"]["name"])

    oid = other["id"]
    assert stored(storage) == [storage / "resources" / oid[:3], storage / "resources" / oid[:3] / oid[3:6],
                               path_of(storage, other)]  # fmt: skip


def test_is_a_file_already_missing_no_error_on_purge(storage, city, caplog):
    """Does a purge succeed, the other file removed and nothing logged as an error, when one file is already gone?"""
    gone = upload(city["dataset"], "a.csv")
    there = upload(city["dataset"], "b.csv")
    path_of(storage, gone).unlink()
    with caplog.at_level(logging.WARNING, logger="ckanext.testbed.resource_files"):
        act("dataset_purge", city["sysadmin"], id=city["dataset"]["id"])
    assert not path_of(storage, there).exists()
    assert stored(storage) == []
    assert [r.getMessage() for r in caplog.records if r.name == "ckanext.testbed.resource_files"] == []


def test_does_deleting_a_resource_remove_its_file_only(storage, city):
    """Is the deleted resource's file gone, the dataset's other upload kept, and a refused delete (a user of no
    department) keeps the file?"""
    deleted = upload(city["dataset"], "a.csv")
    kept = upload(city["dataset"], "b.csv")
    with pytest.raises(tk.NotAuthorized):
        act("resource_delete", factories.User(), id=kept["id"])
    act("resource_delete", city["editor"], id=deleted["id"])
    assert not path_of(storage, deleted).exists()
    assert path_of(storage, kept).read_bytes() == CSV


def test_does_a_soft_delete_keep_the_files_until_the_trash_is_purged(app, storage, city):
    """Does ``package_delete`` (restorable from the trash) keep the file, and the sysadmin trash's "purge all"
    (/ckan-admin/trash, which calls ``dataset_purge``) remove it?"""
    resource = upload(city["dataset"])
    act("package_delete", city["editor"], id=city["dataset"]["id"])
    assert path_of(storage, resource).read_bytes() == CSV

    token = factories.APIToken(user=city["sysadmin"]["id"])["token"]
    app.post("/ckan-admin/trash", data={"action": "all"}, headers={"Authorization": token}, status=200)
    with pytest.raises(tk.ObjectNotFound):
        call_action("package_show", id=city["dataset"]["id"])
    assert stored(storage) == []


def test_does_a_refused_purge_keep_the_files(storage, city):
    """Does a purge by the department's editor (only sysadmins may purge) fail and leave the file, which the
    sysadmin's purge then removes?"""
    resource = upload(city["dataset"])
    with pytest.raises(tk.NotAuthorized):
        act("dataset_purge", city["editor"], id=city["dataset"]["id"])
    assert path_of(storage, resource).read_bytes() == CSV
    act("dataset_purge", city["sysadmin"], id=city["dataset"]["id"])
    assert stored(storage) == []


def test_does_a_new_upload_overwrite_the_old_file(storage, city):
    """Does ``resource_update`` with a new file write it over the old one (the same path), leaving one file, which
    the resource's delete removes?"""
    resource = upload(city["dataset"])
    new = "区分,人数\n計,7\n".encode()
    file = FileStorage(stream=io.BytesIO(new), filename="meibo2.csv", content_type="text/csv")
    as_admin("resource_update", id=resource["id"], url="meibo2.csv", upload=file)
    assert [p for p in stored(storage) if p.is_file()] == [path_of(storage, resource)]
    assert path_of(storage, resource).read_bytes() == new
    act("resource_delete", city["editor"], id=resource["id"])
    assert stored(storage) == []


def test_are_files_removed_from_ckans_file_storages_too(file_storage, city):
    """With ``ckan.files.storage.*`` configured (CKAN 2.12's file storages), are the files of a deleted resource and
    of a purged dataset gone, with their folders?"""
    deleted, purged = upload(city["dataset"], "a.csv"), upload(city["dataset"], "b.csv")
    assert path_of(file_storage, deleted).read_bytes() == CSV  # the layout the tests read is CKAN's
    act("resource_delete", city["editor"], id=deleted["id"])
    assert not path_of(file_storage, deleted).exists() and path_of(file_storage, purged).is_file()
    act("dataset_purge", city["sysadmin"], id=city["dataset"]["id"])
    assert stored(file_storage) == []

"""Uploaded resource files removed from CKAN's storage when their resource is gone for good.

Stock CKAN leaves a resource's uploaded file on disk when the dataset is purged (``dataset_purge``) or the resource
deleted (``resource_delete``): the file of a purged dataset of personal data would stay on the city's server, and in
its backups, with nothing in the catalogue pointing at it. The chained actions here remove the files with CKAN's own
resource uploader (``get_resource_uploader(...).get_path(id)``, the classic ``ckan.storage_path`` layout or CKAN
2.12's file storages), and only after the stock action succeeded: a purge or delete that fails touches no file. A file
already missing is no error, and a file that cannot be removed is logged, never turned into a failed action (the
database change is already committed by then). Empty ``xxx/yyy`` folders left behind are removed up to
``resources/``.

What stays on purpose: ``package_delete`` (the dataset goes to the trash and a sysadmin can restore it, so its files
must stay), and ``resource_update`` with a new upload (CKAN writes it over the same path, the resource's id). The
sysadmin trash (``/ckan-admin/trash``, one type or "purge all") and ``ckan dataset purge`` call ``dataset_purge``
through ``get_action``, so they are covered by the same chain.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import files, uploader

log = logging.getLogger(__name__)


def _snapshot(resource: model.Resource) -> dict[str, Any]:
    """What the uploader needs of a resource, copied before the stock action ends the session."""
    return {"id": resource.id, "package_id": resource.package_id, "url": resource.url, "url_type": resource.url_type}


def upload_resources(package_id: str) -> list[dict[str, Any]]:
    """The dataset's resources with an uploaded file, in every state (deleted ones keep their file too)."""
    rows = (
        model.Session.query(model.Resource)
        .filter(model.Resource.package_id == package_id, model.Resource.url_type == "upload")
        .all()
    )
    return [_snapshot(resource) for resource in rows]


def _prune(directory: str, root: str) -> None:
    """Remove ``directory`` and its parents while they are empty, never ``root`` itself nor anything outside it."""
    root = os.path.realpath(root)
    directory = os.path.realpath(directory)
    while directory != root and directory.startswith(root + os.sep):
        try:
            os.rmdir(directory)  # only an empty folder; a file uploaded meanwhile keeps it
        except OSError:
            return
        directory = os.path.dirname(directory)


def remove_file(resource: dict[str, Any]) -> bool:
    """Remove the uploaded file of ``resource`` (id, url, url_type); ``True`` when a file was there and is gone."""
    upload = uploader.get_resource_uploader(dict(resource))  # it pops keys from the dict it gets
    storage = getattr(upload, "storage", None)  # CKAN 2.12 file storages (``ckan.files.storage.*``)
    try:
        if storage is not None:
            location = files.Location(upload.get_path(resource["id"]))
            removed = bool(storage.remove(files.FileData(location)))  # False: no such file
            root = getattr(storage.settings, "path", "") or ""
            if root and hasattr(storage, "full_path"):  # a folder on this machine
                _prune(os.path.dirname(storage.full_path(location)), root)
            return removed
        root = getattr(upload, "storage_path", None)  # classic uploader: ``<ckan.storage_path>/resources``
        if not root:
            return False  # no storage configured, so no file was ever written
        path = upload.get_path(resource["id"])
        removed = True
        try:
            os.remove(path)
        except FileNotFoundError:
            removed = False
        _prune(os.path.dirname(path), root)
        return removed
    except (OSError, tk.ValidationError, files.exc.FilesError):
        log.exception("could not remove the uploaded file of resource %s", resource["id"])
        return False


@tk.chained_action
def dataset_purge(up_func: Any, context: dict, data_dict: dict) -> Any:
    """CKAN's dataset_purge, then the uploaded files of all the dataset's resources (deleted ones too) removed."""
    package = model.Package.get(str((data_dict or {}).get("id") or ""))
    uploads = upload_resources(package.id) if package is not None else []
    result = up_func(context, data_dict)
    for resource in uploads:
        remove_file(resource)
    return result


@tk.chained_action
def resource_delete(up_func: Any, context: dict, data_dict: dict) -> Any:
    """CKAN's resource_delete, then the resource's uploaded file removed (CKAN's pages cannot restore it)."""
    resource = model.Resource.get(str((data_dict or {}).get("id") or ""))
    upload = _snapshot(resource) if resource is not None and resource.url_type == "upload" else None
    result = up_func(context, data_dict)
    if upload is not None:
        remove_file(upload)
    return result


def get_actions() -> dict[str, Any]:
    return {"dataset_purge": dataset_purge, "resource_delete": resource_delete}

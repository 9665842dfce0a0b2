"""Read an uploaded resource file straight from CKAN's storage (no HTTP round trip).

Works with the classic ``ckan.storage_path`` uploader and with CKAN 2.12's file storages
(``ckan.files.default_storages.resource``), both reached through ``get_resource_uploader``.
"""

from __future__ import annotations

import os
from typing import Any

from ckan.lib import files, uploader

from .messages import FILE_MISSING, FILE_TOO_LARGE, LoadError


def read_upload(resource: dict[str, Any], max_bytes: int) -> bytes:
    """Return the bytes of the uploaded file of ``resource``; refuse files over ``max_bytes``."""
    upload = uploader.get_resource_uploader(dict(resource))  # it pops keys from the dict it gets
    path = upload.get_path(resource["id"])
    storage = getattr(upload, "storage", None)
    try:
        if storage is not None and hasattr(storage, "content"):
            location = files.Location(path)
            size = storage.size(location)
            _check_size(size, max_bytes)
            return storage.content(files.FileData(location, size=size))
        _check_size(os.path.getsize(path), max_bytes)
        with open(path, "rb") as stream:
            return stream.read()
    except (OSError, files.exc.LocationError, files.exc.MissingFileError):
        raise LoadError(FILE_MISSING) from None


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise LoadError(FILE_TOO_LARGE.format(size_mb=size / 1024 / 1024, limit_mb=max_bytes // (1024 * 1024)))

"""A use case's image, kept by CKAN's own uploader (``ckan.lib.uploader.get_uploader``) in its own folder.

The folder is the uploader's object type ``testbed_usecase`` (``<ckan.storage_path>/storage/uploads/
testbed_usecase/``, served by CKAN at ``/uploads/testbed_usecase/<file>``). The uploader checks the type against
``ckan.upload.testbed_usecase.mimetypes`` (declared in ``config_declaration.yaml``: PNG and JPEG), from the
file name, the browser's content type and the bytes themselves; the size limit is
``ckanext.testbed.usecases.max_image_mb``. Its English errors become Japanese ones here.
"""

from __future__ import annotations

import os
from typing import Any

from ckan.lib import uploader
from ckan.plugins import toolkit as tk

from . import messages

OBJECT_TYPE = "testbed_usecase"
FIELD = "image_upload"


def max_mb() -> int:
    return int(tk.config.get("ckanext.testbed.usecases.max_image_mb"))


def url_path(filename: str) -> str:
    """The path CKAN serves the image at (relative to the site's root)."""
    return f"/uploads/{OBJECT_TYPE}/{filename}" if filename else ""


def _size(upload: Any) -> int | None:
    stream = getattr(upload, "stream", None)
    if stream is None or not hasattr(stream, "seek"):
        return None
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


class Pending:
    """An image change prepared before the database is written, stored (or the old file removed) after."""

    def __init__(self, data_dict: dict[str, Any], old: str = "") -> None:
        self.given = data_dict.get(FIELD)
        if not getattr(self.given, "filename", None):
            self.given = None
        clear = tk.asbool(data_dict.get("clear_image", False))
        fields = {"image": old, FIELD: self.given, "clear_image": clear or self.given is not None}
        self.uploader = uploader.get_uploader(OBJECT_TYPE, old_filename=old or None)
        if self.given is not None:
            size = _size(self.given)
            if size is not None and size > max_mb() * 1024 * 1024:
                raise tk.ValidationError({FIELD: [messages.IMAGE_TOO_LARGE.format(limit=max_mb())]})
        try:
            self.uploader.update_data_dict(fields, "image", FIELD, "clear_image")
        except tk.ValidationError:
            found = getattr(self.given, "mimetype", "") or getattr(self.given, "filename", "") or "?"
            raise tk.ValidationError({FIELD: [messages.IMAGE_TYPE.format(found=found)]}) from None
        if self.given is not None and fields.get("image") in ("", old):
            raise tk.ValidationError({FIELD: [messages.IMAGE_NO_STORAGE]})
        self.filename: str = fields.get("image") or ""

    def store(self) -> None:
        """Write the new file and remove the replaced one (after the rows are flushed, before the commit)."""
        try:
            self.uploader.upload(max_mb())
        except tk.ValidationError:
            raise tk.ValidationError({FIELD: [messages.IMAGE_TOO_LARGE.format(limit=max_mb())]}) from None


def remove(filename: str) -> None:
    """Remove a use case's image file (the use case is being deleted)."""
    if filename:
        Pending({"clear_image": True}, old=filename).store()

"""Uploaded files that no resource owns any more ("orphans"), found and removed: ``ckan testbed purge-orphan-files``.

Datasets purged before ``resource_files.py`` chained ``dataset_purge`` left their uploads on disk. An orphan is a file
at CKAN's resource layout (``<resources>/<id[0:3]>/<id[3:6]>/<id[6:]>``) whose rebuilt id has the shape of a resource
id and has no row in the ``resource`` table in any state: the files of deleted-state resources stay, since their
dataset may still be restored from the trash (``dataset_purge`` removes them later). Anything else in the folder (a
symlink, a file at another depth, CKAN's ``<id>~`` of an upload being written, a name that is no id) is left alone.
A file younger than ``MIN_AGE`` is kept too: CKAN writes an upload before its transaction commits the resource row.
Files are removed with ``resource_files.remove_file`` (CKAN's own uploader path, empty folders pruned).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

import ckan.model as model
from ckan.lib import uploader

from .resource_files import remove_file

RESOURCE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
BATCH = 500  # ids per query
MIN_AGE = 3600  # seconds; a younger file may belong to a resource whose row is not committed yet


@dataclass(frozen=True)
class Found:
    """A file at the resource layout: its rebuilt id, absolute path, size in bytes and last change (epoch)."""

    id: str
    path: str
    size: int
    mtime: float


@dataclass
class Sweep:
    """What a run found and did under ``root``."""

    root: str
    orphans: list[Found] = field(default_factory=list)  # removed, or to be removed with a dry run
    recent: list[Found] = field(default_factory=list)  # orphans younger than ``MIN_AGE``, kept
    failed: list[Found] = field(default_factory=list)  # orphans that could not be removed
    skipped: int = 0  # entries that are not a resource's file

    @property
    def size(self) -> int:
        return sum(found.size for found in self.orphans)


def resources_root() -> str | None:
    """The folder on this machine where CKAN's resource uploader writes files; ``None`` when there is none (no
    ``ckan.storage_path``, or a file storage that is not a local folder)."""
    upload = uploader.get_resource_uploader({})
    storage = getattr(upload, "storage", None)  # CKAN 2.12 file storages
    if storage is not None:
        path = getattr(storage.settings, "path", "") or ""
        return path if path and hasattr(storage, "full_path") else None
    return getattr(upload, "storage_path", None) or None


def _entries(path: str) -> list[os.DirEntry]:
    with os.scandir(path) as it:
        return sorted(it, key=lambda entry: entry.name)


def _is_id_folder(entry: os.DirEntry) -> bool:
    return len(entry.name) == 3 and entry.is_dir(follow_symlinks=False)


def scan(root: str) -> tuple[list[Found], int]:
    """Files at the resource layout under ``root`` whose path spells a resource id, and how many entries were not."""
    found: list[Found] = []
    skipped = 0
    for first in _entries(root):
        if not _is_id_folder(first):
            skipped += 1
            continue
        for second in _entries(first.path):
            if not _is_id_folder(second):
                skipped += 1
                continue
            for entry in _entries(second.path):
                rid = first.name + second.name + entry.name
                if not entry.is_file(follow_symlinks=False) or not RESOURCE_ID.fullmatch(rid):
                    skipped += 1
                    continue
                stat = entry.stat(follow_symlinks=False)
                found.append(Found(rid, entry.path, stat.st_size, stat.st_mtime))
    return found, skipped


def known_ids(ids: list[str]) -> set[str]:
    """The ids among ``ids`` that have a row in the ``resource`` table, whatever its state."""
    known: set[str] = set()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        known.update(rid for (rid,) in model.Session.query(model.Resource.id).filter(model.Resource.id.in_(batch)))
    return known


def purge_orphan_files(*, dry_run: bool, min_age: float = MIN_AGE) -> Sweep | None:
    """Find the orphans of the resource storage and, unless ``dry_run``, remove them; ``None`` without a local
    storage folder."""
    root = resources_root()
    if root is None or not os.path.isdir(root):
        return None
    root = os.path.realpath(root)
    found, skipped = scan(root)
    known = known_ids([f.id for f in found])
    sweep = Sweep(root=root, skipped=skipped)
    now = time.time()
    for candidate in found:
        if candidate.id in known:
            continue
        if now - candidate.mtime < min_age:
            sweep.recent.append(candidate)
        elif dry_run or remove_file({"id": candidate.id, "package_id": None, "url": "", "url_type": "upload"}):
            sweep.orphans.append(candidate)
        elif os.path.lexists(candidate.path):
            sweep.failed.append(candidate)  # logged by remove_file
    return sweep

"""Gzip tar archives of file trees for `./testbed backup`, with every SQLite file copied by SQLite's online backup
API (found by its header, whatever its name) instead of the raw bytes of a live database."""

from __future__ import annotations

import io
import os
import sqlite3
import tarfile
import time
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
SIDECARS = ("-wal", "-shm", "-journal")
BIG_FILE = 64 << 20  # larger files are streamed instead of read whole first


def is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def sqlite_snapshot(src: Path, dest: Path) -> None:
    """A consistent copy of a (possibly live) SQLite database by SQLite's online backup API."""
    before = {s: Path(f"{src}{s}").exists() for s in SIDECARS}
    st = src.stat()
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
    try:
        target = sqlite3.connect(dest)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
        for s, existed in before.items():  # a sidecar root had to create stays its owner's
            side = Path(f"{src}{s}")
            if not existed and side.exists():
                try:
                    os.chown(side, st.st_uid, st.st_gid)
                except OSError:
                    pass


class Archive:
    """A gzip tar written with SQLite snapshots in place of live SQLite files; notes what it skipped."""

    def __init__(self, path: Path, scratch: Path, *, skip_suffixes: tuple[str, ...] = ()):
        self.tar = tarfile.open(path, "w:gz", compresslevel=6)
        self.skip_suffixes = skip_suffixes
        self.scratch = scratch
        self.sqlite_copies: list[str] = []
        self.skipped: list[str] = []
        self.sqlite_unreadable: list[str] = []
        self.files = 0

    def close(self) -> None:
        self.tar.close()

    def add_tree(self, root: Path, arcname: str, exclude: set[Path] = frozenset()) -> None:
        if not root.exists():
            return
        self._add(root, arcname)
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if here / d not in exclude)
            rel = here.relative_to(root)
            for d in dirnames:
                self._add(here / d, f"{arcname}/{rel / d}" if str(rel) != "." else f"{arcname}/{d}")
            for f in sorted(filenames):
                path = here / f
                if path in exclude or f.endswith(self.skip_suffixes):
                    continue
                self._add(path, f"{arcname}/{rel / f}" if str(rel) != "." else f"{arcname}/{f}")

    def _add(self, path: Path, arcname: str) -> None:
        if any(arcname.endswith(s) for s in SIDECARS) and is_sqlite(Path(str(path).rsplit("-", 1)[0])):
            return  # the snapshot of its database already holds what it holds
        try:
            info = self.tar.gettarinfo(str(path), arcname)
        except FileNotFoundError:
            return  # gone while we walked
        if info is None:  # sockets and the like
            return
        if not info.isreg():
            self.tar.addfile(info)
            return
        self.files += 1
        if is_sqlite(path):
            snap = self.scratch / "snapshot"
            snap.unlink(missing_ok=True)
            try:
                sqlite_snapshot(path, snap)
            except sqlite3.Error:  # not a database SQLite can read (damaged): kept as its bytes, and reported
                self.sqlite_unreadable.append(arcname)
            else:
                info.size = snap.stat().st_size
                with open(snap, "rb") as f:
                    self.tar.addfile(info, f)
                self.sqlite_copies.append(arcname)
                return
        if info.size > BIG_FILE:  # streamed (a big data file is seldom being written during a backup)
            with open(path, "rb") as f:
                self.tar.addfile(info, f)
            return
        # small files are read whole first, so one that changes meanwhile is still archived in one piece (the
        # header's size is the bytes read); the tarinfo is not asked for again: a second gettarinfo of a file with
        # several hard links would make it a link to itself
        for _attempt in range(2):
            try:
                with open(path, "rb") as f:
                    data = f.read()
                info.size = len(data)
                self.tar.addfile(info, io.BytesIO(data))
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)
        self.skipped.append(arcname)

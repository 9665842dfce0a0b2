"""The stack's record of its last backup, put back after a test or benchmark that backs up or writes the record."""

from __future__ import annotations

import contextlib

from testbed_cli import backup_schedule


@contextlib.contextmanager
def backup_status_kept(layout):
    """On exit, ``<state>/backup-status.json`` and each console's copy are as they were (removed if there was none)."""
    paths = [backup_schedule.status_path(layout)]
    paths += [backup_schedule.console_copy(layout, c.id) for c in layout.cfg.courses]
    saved = {p: (p.read_bytes() if p.exists() else None) for p in paths}
    try:
        yield
    finally:
        for path, data in saved.items():
            if data is None:
                path.unlink(missing_ok=True)
            elif path.parent.is_dir():
                path.write_bytes(data)

"""Backups kept, recorded and taken every day (the ``backup:`` section of the stack config).

- **Retention** (``prune``): after a successful backup, the oldest complete backups beyond ``backup.keep`` in the
  backup folder are deleted. Only folders named like a backup (``testbed-backup-YYYYMMDD-HHMMSS``) that hold a
  manifest count; anything else there, and backups written elsewhere with ``--to``, is never touched.
- **Status** (``record``): every attempt, manual or scheduled, is recorded in ``<state>/backup-status.json``
  (root, 0600) with the last success; a copy goes into each course's grader home for its console, which shows
  the last backup's time to instructors (and warns when it failed or is overdue).
- **Schedule** (``main``, the supervisord program ``backup``, present only with ``backup.daily_at``): sleeps until
  that time of day in Japan time, backs up, prunes, records, and sleeps again. A run missed while the server was
  off (the last attempt is older than the latest scheduled time) is made up at start, like a persistent systemd
  timer. A failed run is recorded and retried at the next scheduled time; the program itself keeps running.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from testbed_cli import system
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config import japan_time, load_config, names

NAME = "backup"  # the supervisord program
STATUS = "backup-status.json"
_BACKUP_RE = re.compile(r"^testbed-backup-\d{8}-\d{6}$")
# how long the sleeping loop waits at most between looks at the clock (follows a changed system clock)
_TICK_SECONDS = 60.0


# ---------------------------------------------------------------------------------------------
# retention


def complete_backups(folder: Path) -> list[Path]:
    """The complete backups in ``folder``, oldest first (by the time in their names, which sorts as text)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = [p for p in entries if _BACKUP_RE.match(p.name) and p.is_dir() and (p / "manifest.json").is_file()]
    return sorted(found, key=lambda p: p.name)


def prune(folder: Path, keep: int, *, log=print) -> list[str]:
    """Delete the oldest complete backups in ``folder`` beyond the newest ``keep`` (0: none); the names deleted."""
    if keep <= 0:
        return []
    backups = complete_backups(folder)
    gone = backups[: max(0, len(backups) - keep)]
    for path in gone:
        shutil.rmtree(path)
        log(f"古いバックアップ {path.name} を消しました (残す数: {keep})")
    return [p.name for p in gone]


# ---------------------------------------------------------------------------------------------
# status


def status_path(layout: Layout) -> Path:
    return layout.state / STATUS


def console_copy(layout: Layout, course: str) -> Path:
    """The copy a course's console reads (its grader's home, 0600, the grader's)."""
    return layout.course_home(course) / names.BACKUP_STATUS_COPY


def read_status(layout: Layout) -> dict:
    try:
        data = json.loads(status_path(layout).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict, owner: str | None = None) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.write("\n")
    if owner:
        system.chown(tmp, owner)
    os.replace(tmp, path)


def record(layout: Layout, *, trigger: str, manifest: dict | None = None, error: str = "",
           at: datetime | None = None) -> dict:  # fmt: skip
    """Record one attempt (``manifest`` when it succeeded, else ``error``); returns the status written."""
    at = japan_time.to_japan(at or japan_time.now())
    data = read_status(layout)
    data["last_attempt"] = {"at": at.isoformat(timespec="seconds"), "ok": manifest is not None, "trigger": trigger}
    if manifest is not None:
        data["last_success"] = {
            "at": manifest.get("created_at") or at.isoformat(timespec="seconds"),
            "name": manifest.get("name", ""),
            "size": manifest.get("size", 0),
            "seconds": manifest.get("total_seconds", 0),
            "trigger": trigger,
        }
    else:
        data["last_attempt"]["error"] = error
    data["daily_at"] = layout.cfg.backup.daily_at
    data["keep"] = layout.cfg.backup.keep
    _write(status_path(layout), data)
    _copy_for_consoles(layout, data)
    return data


def record_quietly(layout: Layout, log=print, **kw) -> None:
    """``record``, logging instead of raising when the status cannot be written (a full disk may be why the backup
    failed in the first place: that reason must not be lost to a second error)."""
    try:
        record(layout, **kw)
    except OSError as e:
        log(f"バックアップの記録 ({status_path(layout)}) を書けませんでした: {e}")


def _copy_for_consoles(layout: Layout, data: dict) -> None:
    for course in layout.cfg.courses:
        copy = console_copy(layout, course.id)
        if copy.parent.is_dir():
            _write(copy, data, layout.grader_account(course.id) if os.geteuid() == 0 else None)


def export_status(layout: Layout) -> None:
    """The recorded status into every course's grader home (``up``: a course added since the last backup)."""
    data = read_status(layout)
    if data:
        _copy_for_consoles(layout, data)


# ---------------------------------------------------------------------------------------------
# schedule


def _at(day: datetime, daily_at: str) -> datetime:
    hour, minute = (int(x) for x in daily_at.split(":"))
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def latest_slot(now: datetime, daily_at: str) -> datetime:
    """The latest scheduled time at or before ``now`` (Japan time)."""
    now = japan_time.to_japan(now)
    today = _at(now, daily_at)
    return today if today <= now else _at(now - timedelta(days=1), daily_at)


def next_slot(now: datetime, daily_at: str) -> datetime:
    """The first scheduled time after ``now`` (Japan time)."""
    return latest_slot(now, daily_at) + timedelta(days=1)


def missed(now: datetime, daily_at: str, last_attempt: datetime | None) -> bool:
    """Was a scheduled run missed (the server off at the time)? Never on the first start: with no attempt on
    record, the first run is the next scheduled one, so `up` on a new server does not start with a backup."""
    return last_attempt is not None and last_attempt < latest_slot(now, daily_at)


def _last_attempt(layout: Layout) -> datetime | None:
    text = (read_status(layout).get("last_attempt") or {}).get("at")
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def run_once(layout: Layout, *, trigger: str, log=print) -> dict | None:
    """Back up into the configured folder, prune, record; the manifest, or None when it failed (recorded)."""
    from testbed_cli import backup

    try:
        manifest = backup.create(layout, backup.default_dir(layout), log=log)
    except (SetupError, OSError, RuntimeError) as e:
        log(f"バックアップに失敗しました: {e}")
        record_quietly(layout, log, trigger=trigger, error=str(e))
        return None
    record_quietly(layout, log, trigger=trigger, manifest=manifest)
    try:
        prune(backup.default_dir(layout), layout.cfg.backup.keep, log=log)
    except OSError as e:
        log(f"古いバックアップを消せませんでした: {e}")
    log(f"バックアップを作りました: {manifest['path']} ({manifest['total_seconds']} 秒)")
    return manifest


def loop(layout: Layout, *, clock=japan_time.now, sleep=time.sleep, log=print, rounds: int | None = None) -> None:
    """Back up at ``backup.daily_at`` every day (a missed run first); ``rounds`` backups, then return (tests)."""
    daily_at = layout.cfg.backup.daily_at
    done = 0
    if missed(clock(), daily_at, _last_attempt(layout)):
        log(f"前回の予定時刻 ({daily_at}) のバックアップが行われていなかったので、いま作ります")
        run_once(layout, trigger="schedule", log=log)
        done += 1
    while rounds is None or done < rounds:
        due = next_slot(clock(), daily_at)
        log(f"次のバックアップ: {japan_time.stamp(due, seconds=False)}")
        while (left := (due - clock()).total_seconds()) > 0:
            sleep(min(left, _TICK_SECONDS))
        run_once(layout, trigger="schedule", log=log)
        done += 1


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--stack", required=True)
    a = p.parse_args(argv)
    layout = Layout(load_config(a.stack))
    if not layout.cfg.backup.daily_at:
        sys.exit("backup.daily_at が設定されていません")

    def log(msg: str) -> None:
        print(f"{japan_time.stamp(japan_time.now())} {msg}", flush=True)

    def stop(signum, frame):  # supervisord's stop: a backup in progress removes its .partial folder on the way out
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    loop(layout, log=log)


if __name__ == "__main__":
    main()

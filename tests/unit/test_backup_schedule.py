"""Backups kept, recorded and taken daily (testbed_cli/backup_schedule.py), the config that drives them, and the
console's note of the last backup (classroom/backup_note.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from classroom import backup_note
from testbed_cli import backup, backup_schedule, stack
from testbed_cli.errors import SetupError
from testbed_config import StackConfig
from testbed_config.japan_time import JST
from testbed_config.layout import Layout

pytestmark = pytest.mark.unit


def _layout(tmp_path: Path, **backup_cfg) -> Layout:
    layout = Layout(StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt", backup=backup_cfg))
    layout.state.mkdir(parents=True)
    return layout


def _jst(*args) -> datetime:
    return datetime(*args, tzinfo=JST)


# --- config -----------------------------------------------------------------------------------


def test_backup_config_defaults_keep_a_week_and_no_schedule():
    cfg = StackConfig().backup
    assert (cfg.dir, cfg.keep, cfg.daily_at) == (None, 7, "")


@pytest.mark.parametrize("text", ["daily_at: 12:30", "daily_at: '2:30'", "daily_at: '25:00'", "dir: backups"])
def test_bad_backup_settings_are_refused_in_japanese(text):
    """An unquoted time (YAML reads 12:30 as 750), a time without its leading zero or out of range, a relative
    folder: each refused with a Japanese sentence saying how to write it."""
    with pytest.raises(ValidationError) as e:
        StackConfig(backup=yaml.safe_load(text))
    message = str(e.value)
    assert any(word in message for word in ("引用符", "HH:MM", "絶対パス")), message


def test_a_quoted_time_is_taken():
    assert StackConfig(backup=yaml.safe_load('daily_at: "02:30"')).backup.daily_at == "02:30"


# --- schedule ---------------------------------------------------------------------------------


def test_slots_are_in_japan_time():
    """17:00 UTC on 7 December is 02:00 JST on the 8th: the latest 02:30 slot is the 7th's, the next the 8th's."""
    now = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    assert backup_schedule.latest_slot(now, "02:30") == _jst(2026, 12, 7, 2, 30)
    assert backup_schedule.next_slot(now, "02:30") == _jst(2026, 12, 8, 2, 30)
    at_slot = _jst(2026, 12, 8, 2, 30)
    assert backup_schedule.latest_slot(at_slot, "02:30") == at_slot
    assert backup_schedule.next_slot(at_slot, "02:30") == _jst(2026, 12, 9, 2, 30)


def test_missed_run_only_when_a_slot_passed_since_the_last_attempt():
    now = _jst(2026, 12, 8, 9, 0)
    assert not backup_schedule.missed(now, "02:30", None)  # a new server does not start with a backup
    assert backup_schedule.missed(now, "02:30", _jst(2026, 12, 7, 2, 30))  # off at 02:30 on the 8th
    assert not backup_schedule.missed(now, "02:30", _jst(2026, 12, 8, 2, 30, 5))


class _Clock:
    def __init__(self, start: datetime):
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def _fake_create(made: list[datetime], clock: _Clock, fail_first: bool = False):
    def create(layout, dest_dir=None, *, log=print):
        made.append(clock.now)
        if fail_first and len(made) == 1:
            raise SetupError("PostgreSQL が動いていません。")
        dest = Path(dest_dir) / backup.backup_name(clock.now)
        dest.mkdir(parents=True)
        (dest / "manifest.json").write_text("{}")
        return {"created_at": clock.now.isoformat(), "name": dest.name, "path": str(dest), "size": 10,
                "total_seconds": 1.0}  # fmt: skip

    return create


def test_loop_backs_up_at_the_time_each_day_and_prunes(tmp_path, monkeypatch):
    """From 23:00 JST with daily_at 02:30 and keep 2: three runs at 02:30 on three days (not before), the oldest
    deleted, each recorded; the loop wakes at least every minute (a changed clock is followed)."""
    layout = _layout(tmp_path, daily_at="02:30", keep=2)
    clock = _Clock(_jst(2026, 12, 7, 23, 0))
    made: list[datetime] = []
    monkeypatch.setattr(backup, "create", _fake_create(made, clock))
    backup_schedule.loop(layout, clock=clock, sleep=clock.sleep, log=lambda m: None, rounds=3)
    assert made == [_jst(2026, 12, d, 2, 30) for d in (8, 9, 10)]
    assert max(clock.slept) <= 60
    kept = [p.name for p in backup_schedule.complete_backups(backup.default_dir(layout))]
    assert kept == ["testbed-backup-20261209-023000", "testbed-backup-20261210-023000"]
    status = backup_schedule.read_status(layout)
    assert status["last_success"]["name"] == "testbed-backup-20261210-023000"
    assert status["last_attempt"]["ok"] and status["last_attempt"]["trigger"] == "schedule"


def test_a_missed_run_is_made_up_at_start_and_a_failure_is_recorded(tmp_path, monkeypatch):
    """The last attempt was before yesterday's slot: a backup at once (which fails: recorded with its reason, the
    loop goes on), then the next at 02:30."""
    layout = _layout(tmp_path, daily_at="02:30")
    clock = _Clock(_jst(2026, 12, 8, 9, 0))
    backup_schedule.record(layout, trigger="manual", error="x", at=_jst(2026, 12, 6, 12, 0))
    made: list[datetime] = []
    monkeypatch.setattr(backup, "create", _fake_create(made, clock, fail_first=True))
    seen = []
    backup_schedule.loop(layout, clock=clock, sleep=clock.sleep, log=seen.append, rounds=1)
    assert made == [_jst(2026, 12, 8, 9, 0)]
    status = backup_schedule.read_status(layout)
    assert not status["last_attempt"]["ok"] and "PostgreSQL" in status["last_attempt"]["error"]
    assert "last_success" not in status
    backup_schedule.loop(layout, clock=clock, sleep=clock.sleep, log=seen.append, rounds=1)
    assert made[-1] == _jst(2026, 12, 9, 2, 30)
    assert backup_schedule.read_status(layout)["last_attempt"]["ok"]


# --- retention --------------------------------------------------------------------------------


def _complete(folder: Path, name: str) -> Path:
    (folder / name).mkdir(parents=True)
    (folder / name / "manifest.json").write_text("{}")
    return folder / name


def test_prune_deletes_only_the_oldest_complete_backups(tmp_path):
    """keep 2 of 4: the two oldest go; a half-written one, a backup-named folder without a manifest, another
    folder and a file stay; keep 0 deletes nothing."""
    names = [f"testbed-backup-2026120{d}-023000" for d in (4, 5, 6, 7)]
    for name in names:
        _complete(tmp_path, name)
    (tmp_path / ".testbed-backup-20261201-023000.partial").mkdir()
    (tmp_path / "testbed-backup-20261202-023000").mkdir()
    (tmp_path / "my-archive").mkdir()
    (tmp_path / "notes.txt").write_text("keep me")
    assert backup_schedule.prune(tmp_path, 0, log=lambda m: None) == []
    assert backup_schedule.prune(tmp_path, 2, log=lambda m: None) == names[:2]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*names[2:], ".testbed-backup-20261201-023000.partial", "testbed-backup-20261202-023000",
                           "my-archive", "notes.txt"])  # fmt: skip


def test_status_is_root_only_and_copied_for_each_console(tmp_path):
    layout = _layout(tmp_path, daily_at="02:30")
    home = layout.course_home(layout.cfg.courses[0].id)
    home.mkdir(parents=True)
    backup_schedule.record(layout, trigger="manual", manifest={"name": "testbed-backup-20261208-023000"})
    copy = backup_schedule.console_copy(layout, layout.cfg.courses[0].id)
    for path in (backup_schedule.status_path(layout), copy):
        assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(copy.read_text())["last_success"]["name"] == "testbed-backup-20261208-023000"


def test_the_daily_program_runs_only_with_a_schedule(tmp_path):
    assert "backup" not in {p.name for p in stack.programs(_layout(tmp_path / "a"))}
    scheduled = _layout(tmp_path / "b", daily_at="02:30")
    program = next(p for p in stack.programs(scheduled) if p.name == "backup")
    assert program.command[-3:] == ["testbed_cli.backup_schedule", "--stack", str(scheduled.stack_yaml)][-3:]
    assert "backup" in stack.checks(scheduled)


# --- the console's note -----------------------------------------------------------------------

NOW = _jst(2026, 12, 8, 9, 0)


def _ok(at: datetime) -> dict:
    return {"at": at.isoformat(), "ok": True, "trigger": "schedule"}


@pytest.mark.parametrize(
    ("status", "level", "words"),
    [
        ({}, "warn", "まだありません"),
        (
            {
                "last_success": _ok(_jst(2026, 12, 8, 2, 30)),
                "last_attempt": _ok(_jst(2026, 12, 8, 2, 30)),
                "daily_at": "02:30",
            },
            "ok",
            "2026年12月8日(火) 02:30",
        ),  # fmt: skip
        # a failure after an older success is an error, never the old success's ✓
        (
            {
                "last_success": _ok(_jst(2026, 12, 7, 2, 30)),
                "last_attempt": {
                    "at": _jst(2026, 12, 8, 2, 30).isoformat(),
                    "ok": False,
                    "error": "ディスクがいっぱい",
                },
                "daily_at": "02:30",
            },
            "error",
            "ディスクがいっぱい",
        ),  # fmt: skip
        # daily, but the last one is two days old: overdue
        (
            {
                "last_success": _ok(_jst(2026, 12, 6, 2, 30)),
                "last_attempt": _ok(_jst(2026, 12, 6, 2, 30)),
                "daily_at": "02:30",
            },
            "warn",
            "できていません",
        ),  # fmt: skip
        # no schedule: two days old is fine, eight days is not
        (
            {"last_success": _ok(_jst(2026, 12, 6, 2, 30)), "last_attempt": _ok(_jst(2026, 12, 6, 2, 30))},
            "ok",
            "最終バックアップ",
        ),  # fmt: skip
        (
            {"last_success": _ok(_jst(2026, 11, 30, 2, 30)), "last_attempt": _ok(_jst(2026, 11, 30, 2, 30))},
            "warn",
            "8 日以上",
        ),  # fmt: skip
    ],
    ids=["none", "ok", "failed-after-success", "daily-overdue", "manual-recent", "manual-old"],
)
def test_console_note(status, level, words):
    got_level, text = backup_note.note(status, NOW)
    assert (got_level, words in text) == (level, True), text


def test_console_note_escapes_the_error_and_is_empty_without_a_status_path(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"last_attempt": {"at": NOW.isoformat(), "ok": False, "error": "<script>x</script>"}}))
    html = backup_note.html(path, NOW)
    assert "<script>" not in html and "&lt;script&gt;" in html and "backup-error" in html
    assert backup_note.html(None, NOW) == ""
    assert "まだありません" in backup_note.html(tmp_path / "missing.json", NOW)


def test_a_status_that_cannot_be_written_does_not_hide_why_the_backup_failed(tmp_path):
    """A full disk may be why the backup failed: writing its status fails too, and that is logged, not raised over
    the first error."""
    layout = Layout(StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt"))
    (tmp_path / "state").write_text("not a folder")  # every write under it fails
    seen: list[str] = []
    backup_schedule.record_quietly(layout, seen.append, trigger="manual", error="No space left on device")
    assert len(seen) == 1 and "書けませんでした" in seen[0], seen
    with pytest.raises(OSError):
        backup_schedule.record(layout, trigger="manual", error="No space left on device")


def test_only_the_one_machine_consoles_show_the_backup_note(tmp_path):
    """The console on one machine is told where the backup status is; a container's is not (./testbed backup is the
    one-machine stack's, so 'no backup yet' would be a false alarm there)."""
    from testbed_cli import container, progress

    layout = _layout(tmp_path)
    one_machine = progress.progress_program(layout, 0).command
    assert any(a.startswith("--backup-status=") for a in one_machine)
    in_container = next(p for p in container.service_programs(layout) if p["name"].startswith("progress-"))
    assert not any(a.startswith("--backup-status=") for a in in_container["command"])

"""The last backup, as the console shows it to instructors: read from the copy of the stack's backup status that
every ``./testbed backup`` and every scheduled one writes into the grader's home (testbed_cli/backup_schedule.py).

A failed last attempt is an error; no backup at all, or one older than the schedule allows (a day and a bit with
``backup.daily_at``, a week without), is a warning; otherwise the time of the last backup, in Japan time.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from testbed_config import japan_time

DAILY_GRACE = timedelta(hours=26)  # a daily backup a little late is not overdue yet
MANUAL_GRACE = timedelta(days=7)
ERROR_CHARS = 200


def read(path: Path | None) -> dict | None:
    """The status, {} when there is none yet, None when the console was not told where it is."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _time(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def note(status: dict, now: datetime) -> tuple[str, str]:
    """(level, Japanese sentence): level is ``ok``, ``warn`` or ``error``."""
    success = status.get("last_success") or {}
    attempt = status.get("last_attempt") or {}
    done = _time(success.get("at"))
    daily_at = status.get("daily_at") or ""
    when = japan_time.japanese(done) if done else ""
    if attempt and not attempt.get("ok"):
        tried = _time(attempt.get("at"))
        error = str(attempt.get("error") or "理由は記録されていません")[:ERROR_CHARS]
        before = f"最後に成功したのは {when}" if when else "成功したバックアップはまだありません"
        at = japan_time.japanese(tried) if tried else "日時不明"
        return "error", f"バックアップが失敗しました ({at}): {error}。{before}。運用担当者に連絡してください"
    if done is None:
        return "warn", "バックアップはまだありません (運用担当者が ./testbed backup で作れます)"
    grace = DAILY_GRACE if daily_at else MANUAL_GRACE
    if now - done > grace:
        plan = f"毎日 {daily_at} の予定ですが、" if daily_at else ""
        days = (now - done).days
        return "warn", f"最終バックアップ {when} ({plan}{days} 日以上できていません)"
    plan = f" ・ 毎日 {daily_at} に自動" if daily_at else ""
    return "ok", f"最終バックアップ {when}{plan}"


def html(path: Path | None, now: datetime) -> str:
    """The console bar's item ("" when the console was not told where the status is)."""
    status = read(path)
    if status is None:
        return ""
    level, text = note(status, now)
    return f'<span class="backup backup-{level}" id="backup-note">{escape(text)}</span>'

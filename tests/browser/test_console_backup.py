"""The last backup on the instructor's console (研修コンソール): none yet (orange), a failed last attempt (red, with
its reason, even after an earlier success), then a successful one (its time in Japan time). The status is written
by the same code every `./testbed backup` and scheduled backup use (testbed_cli/backup_schedule.py); the stack's
own status is put back afterwards."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from helpers.backups import backup_status_kept

from testbed_cli import backup, backup_schedule
from testbed_config import japan_time

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.geteuid() != 0, reason="the status is written as root into the grader's home"),
]


def test_the_instructor_sees_the_last_backup_and_a_failure_in_red(page, hub, layout, stack_config, screenshots):
    course = stack_config.courses[0].id
    user = stack_config.courses[0].instructors[0]
    password = (layout.secrets / "instructor-password").read_text().strip()
    status = backup_schedule.status_path(layout)
    copy = backup_schedule.console_copy(layout, course)
    url = f"{hub.public}/services/progress-{course}/"
    note = page.locator("#backup-note")
    with backup_status_kept(layout):
        status.unlink(missing_ok=True)
        copy.unlink(missing_ok=True)
        page.goto(f"{hub.public}/hub/login?next=/services/progress-{course}/")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", password)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(f"**/services/progress-{course}/**")
        assert "バックアップはまだありません" in note.inner_text()
        assert "backup-warn" in note.get_attribute("class")
        page.screenshot(path=str(screenshots / "console-backup-none.png"))

        earlier = japan_time.now() - timedelta(hours=20)
        made = {"created_at": earlier.isoformat(), "name": backup.backup_name(earlier)}
        backup_schedule.record(layout, trigger="schedule", manifest=made)
        reason = "保存先 /mnt/backup に書き込めません (ディスクがいっぱいです) <b>"
        backup_schedule.record(layout, trigger="schedule", error=reason)
        page.goto(url)
        text = note.inner_text()
        assert "バックアップが失敗しました" in text and reason in text, text  # the reason as text, not markup
        assert f"最後に成功したのは {japan_time.japanese(earlier)}" in text, text
        assert "backup-error" in note.get_attribute("class")
        assert note.evaluate("e => getComputedStyle(e).color") == "rgb(176, 0, 32)"
        page.screenshot(path=str(screenshots / "console-backup-failed.png"))

        now = japan_time.now()
        backup_schedule.record(
            layout, trigger="manual", manifest={"created_at": now.isoformat(), "name": backup.backup_name(now)}
        )
        page.goto(url)
        text = note.inner_text()
        assert text.startswith(f"最終バックアップ {japan_time.japanese(now)}"), text
        assert "backup-ok" in note.get_attribute("class")
        page.screenshot(path=str(screenshots / "console-backup-ok.png"))
        assert page.external_requests == []

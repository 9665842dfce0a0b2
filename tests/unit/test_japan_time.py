"""Japan time everywhere a person reads a time: the helper in testbed_config, nbgrader's exchange and feedback
settings, the feedback's status note, and which JupyterLab plugins are off (no services)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from traitlets.config import Config

from classroom import completion, deadlines, stamps
from grader import nbgrader_settings
from grader.feedback_text import status_note
from testbed_config import japan_time

pytestmark = pytest.mark.unit


def test_does_a_naive_gradebook_time_read_as_utc_and_show_in_japan_time():
    """Is nbgrader's naive UTC time shown 9 hours later, and an aware one kept as the same instant?"""
    assert japan_time.stamp(datetime(2026, 12, 6, 9, 47)) == "2026-12-06 18:47:00"
    aware = datetime(2026, 12, 6, 18, 47, tzinfo=japan_time.JST)
    assert japan_time.to_japan(aware.astimezone(UTC)) == aware
    assert japan_time.japanese(datetime(2026, 12, 6, 9, 47)) == "2026年12月6日(日) 18:47"
    assert japan_time.parse_utc_text("2026-12-06 09:47:00") == aware


@pytest.mark.parametrize("text", ["2026-12-06 09:47:00.123456 UTC", "2026-12-06 18:47:00.123456 JST"])
def test_do_old_utc_and_new_jst_submission_stamps_name_the_same_instant(text):
    """Do deadlines.py and stamps.py read nbgrader's old UTC and new JST folder names as one instant?"""
    want = datetime(2026, 12, 6, 18, 47, 0, 123456, tzinfo=japan_time.JST)
    assert deadlines.parse_submission_time(text) == want
    assert stamps.parse(text) == want


def test_are_gradebook_times_read_as_utc_by_the_completion_rule():
    """Does completion.py read the gradebook's naive UTC (and an aware) time as the same Japan-time instant?"""
    want = datetime(2026, 12, 6, 18, 47, tzinfo=japan_time.JST)
    assert completion.parse_gradebook_time("2026-12-06 09:47:00") == want
    assert completion.parse_gradebook_time("2026-12-06 18:47:00+09:00") == want


def test_does_every_account_and_the_course_stamp_submissions_in_japan_time():
    """Is nbgrader's Exchange.timezone Japan time in the course config (and the status note in the feedback)?"""
    c = Config()
    nbgrader_settings.apply(c, nbgrader_settings.course_settings("/srv/course", "odtb"))
    assert c.Exchange.timezone == japan_time.ZONE_NAME
    assert "grader.feedback.StatusNote" in c.GenerateFeedback.preprocessors


def test_is_the_formgrader_menu_plugin_disabled_for_everyone():
    """Is JupyterLab's nbgrader formgrader plugin (an iframe the hub's CSP refuses) off?"""
    from testbed_cli.hub import DISABLED_LAB_PLUGINS

    assert "@jupyter/nbgrader:formgrader" in DISABLED_LAB_PLUGINS


def test_does_the_shared_nbgrader_config_stamp_in_japan_time(tmp_path):
    """Does the nbgrader config every account reads set Exchange.timezone to Japan time?"""
    from testbed_cli import hub
    from testbed_cli.layout import Layout
    from testbed_config import StackConfig

    layout = Layout(StackConfig(prefix=tmp_path / "opt", state_dir=tmp_path / "state"))
    hub.ensure_singleuser_defaults(layout)
    text = (layout.hub_venv / "etc/jupyter/nbgrader_config.py").read_text()
    c = Config()
    text = text.replace("from nbgrader.auth import JupyterHubAuthPlugin", "JupyterHubAuthPlugin = 0")
    exec(compile(text, "nbgrader_config.py", "exec"), {"get_config": lambda: c})
    assert c.Exchange.timezone == japan_time.ZONE_NAME


def test_does_the_feedback_say_when_a_score_is_not_final():
    """Does the feedback's note say 手採点待ち while manual grading is pending, and 反映済み after it?"""
    pending = status_note(score=7, max_score=10, needs_manual=True, manually_graded=False,
                          submitted="2026年12月6日(日) 18:47", generated="2026年12月6日(日) 19:00")  # fmt: skip
    assert "7 / 10" in pending and "手採点待ち" in pending and "作り直されます" in pending and "日本時間" in pending
    done = status_note(score=10, max_score=10, needs_manual=False, manually_graded=True, submitted="", generated="x")
    assert "10 / 10 (講師の採点を反映済み)" in done and "手採点待ち" not in done

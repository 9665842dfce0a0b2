"""Remote mode's autograder wakes up for a new submission (grader/auto.py wait_for_submissions) instead of waiting
for its next round, and not for one it has handled or is retrying at its own pace."""

from __future__ import annotations

import threading
import time

import pytest

from grader import auto
from testbed_config import StackConfig
from testbed_config.layout import Layout

pytestmark = pytest.mark.unit


@pytest.fixture
def layout(tmp_path):
    layout = Layout(StackConfig(state_dir=tmp_path / "state", mode="remote"))
    (layout.exchange / "odtb" / "inbound").mkdir(parents=True)
    layout.run.mkdir(parents=True)
    return layout


def _submit(layout, name: str, after: float = 0.0) -> None:
    def later():
        time.sleep(after)
        (layout.exchange / "odtb" / "inbound" / name).mkdir()

    threading.Thread(target=later, daemon=True).start()


def test_a_new_submission_wakes_the_autograder_within_a_scan(layout):
    """Does a submission arriving 0.3 s into a 30 s wait end the wait within about one scan?"""
    _submit(layout, "yamada+01_kokai+2026-12-07 10:00:00.000000 UTC", after=0.3)
    started = time.monotonic()
    assert auto.wait_for_submissions(layout, ["odtb"], interval=30, scan=0.1) is True
    assert time.monotonic() - started < 3


def test_handled_retried_and_other_assignments_do_not_wake_it(layout):
    """Do a handled submission, one being retried, and (with --assignment) another assignment's leave the wait
    to its interval?"""
    state = auto.State(seen={"a+01_kokai+t1"}, attempts={"b+01_kokai+t2": 1})
    state.save(auto.state_path(layout, "odtb"))
    for name in ("a+01_kokai+t1", "b+01_kokai+t2", "c+02_sagasu+t3"):
        (layout.exchange / "odtb" / "inbound" / name).mkdir()
    started = time.monotonic()
    assert auto.wait_for_submissions(layout, ["odtb"], interval=0.6, only={"01_kokai"}, scan=0.1) is False
    assert time.monotonic() - started >= 0.6

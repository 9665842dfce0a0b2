"""grader.auto: which submissions are new, and how failures are retried then given up."""

from __future__ import annotations

import pytest

from grader.auto import MAX_ATTEMPTS, State, inbound
from testbed_cli.layout import Layout
from testbed_cli.stack import autograder_program, programs
from testbed_config import StackConfig

pytestmark = pytest.mark.unit


def test_inbound_groups_submissions_by_assignment(tmp_path):
    """Are nbgrader's inbound folders grouped per assignment, stray names ignored?"""
    box = tmp_path / "inbound"
    for name in ("jupyter-a+01_kokai+2026-12-01 10:00:00.1 UTC+x1", "jupyter-b+01_kokai+2026-12-01 10:00:05.1 UTC",
                 "jupyter-a+02_sagasu+2026-12-01 11:00:00.1 UTC", "junk", "a++b"):  # fmt: skip
        (box / name).mkdir(parents=True)
    (box / "jupyter-c+01_kokai+file").write_text("")  # not a folder
    found = inbound(tmp_path)
    assert sorted(found) == ["01_kokai", "02_sagasu"]
    assert len(found["01_kokai"]) == 2


def test_a_failing_submission_is_retried_then_given_up(tmp_path):
    """Is a failing submission tried MAX_ATTEMPTS times, then left alone, and the state persisted?"""
    state = State()
    for _ in range(MAX_ATTEMPTS - 1):
        assert state.failed("e") is False
        assert "e" not in state.seen
    assert state.failed("e") is True
    assert "e" in state.seen and "e" not in state.attempts
    state.done("f")
    state.save(tmp_path / "s.json")
    again = State.load(tmp_path / "s.json")
    assert again.seen == {"e", "f"}
    assert State.load(tmp_path / "missing.json").seen == set()


def test_only_remote_mode_supervises_the_autograder(tmp_path):
    """Is the autograder a supervised program in remote mode only, run as root from the hub venv?"""
    onsite = Layout(StackConfig(state_dir=tmp_path, prefix=tmp_path / "opt"))
    remote = Layout(StackConfig(mode="remote", state_dir=tmp_path, prefix=tmp_path / "opt"))
    assert "autograder" not in [p.name for p in programs(onsite)]
    prog = next(p for p in programs(remote) if p.name == "autograder")
    assert prog == autograder_program(remote)
    assert prog.user is None
    assert prog.command[:3] == [str(remote.hub_venv / "bin" / "python"), "-m", "grader.auto"]
    assert prog.command[-2:] == ["--stack", str(remote.stack_yaml)]

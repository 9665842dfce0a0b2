"""Feedback text and grading bookkeeping (pure functions of grader/)."""

import pytest

from grader.feedback_text import explain, strip_hidden
from grader.layout import done_marker, pending_students

pytestmark = pytest.mark.unit


def test_are_hidden_tests_removed_from_a_test_cell():
    """Is every hidden-test region replaced by a note while visible tests stay?"""
    src = "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(9) == 10  # secret\n### END HIDDEN TESTS\nassert True\n"
    out = strip_hidden(src)
    assert "secret" not in out and "assert f(1) == 2" in out and "assert True" in out
    assert "非公開" in out


def test_does_a_failing_check_say_what_was_expected():
    """Does an AssertionError's message become the Japanese explanation (no traceback)?"""
    assert explain({"ename": "AssertionError", "evalue": "合計は 3 のはずです"}) == "不合格: 合計は 3 のはずです"
    assert "期待" in explain({"ename": "AssertionError", "evalue": ""})
    assert "NameError" in explain({"ename": "NameError", "evalue": "name 'f' is not defined"})


def test_is_a_submission_pending_until_marked_for_its_current_version(tmp_path):
    """Is a submission pending without a marker, done with one, and pending again when resubmitted?"""
    sub = tmp_path / "submitted" / "taro" / "a1"
    sub.mkdir(parents=True)
    (sub / "timestamp.txt").write_text("2026-11-25 09:00:00")
    assert pending_students(tmp_path, "a1") == ["taro"]
    m = done_marker(tmp_path, "a1", "taro")
    m.parent.mkdir(parents=True)
    m.write_text("2026-11-25 09:00:00")
    assert pending_students(tmp_path, "a1") == []
    (sub / "timestamp.txt").write_text("2026-11-25 10:00:00")
    assert pending_students(tmp_path, "a1") == ["taro"]
    assert pending_students(tmp_path, "a1", force=False) == ["taro"]

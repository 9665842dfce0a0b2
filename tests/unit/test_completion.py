"""Unit tests of the completion rule (修了判定), certificate numbers, and how the board shows completion."""

from __future__ import annotations

import json
from datetime import date

import pytest

from classroom import board, completion, page, sources
from classroom.completion import Rule
from classroom.sources import Facts, Score

pytestmark = pytest.mark.unit

KEY = b"unit-test-key"
RULE = Rule(pass_ratio=0.6, key=KEY)
REQUIRED = ["00_hajimeni", "01_kokai", "02_sagasu"]


def _passed(score=5.0, max_score=5.0, at="2026-11-20 01:00:00.000000", manual=False):
    return Score(score, max_score, manual, at)


def test_a_trainee_who_passes_every_assignment_has_completed():
    """Is a trainee with a passing, fully graded submission for every assignment completed, and dated?"""
    scores = {a: _passed() for a in REQUIRED}
    done = completion.evaluate(REQUIRED, scores, set(REQUIRED), 0.6)
    assert done.completed and done.pending == ()
    assert done.completed_on == date(2026, 11, 20)


def test_exactly_the_pass_ratio_passes_despite_floating_point():
    """Does 3 of 5 points pass at 0.6 (0.6 x 5 is 3.0000000000000004 in floating point), and 2.99 not?"""
    assert completion.passes(Score(3, 5, False), 0.6)
    assert completion.passes(Score(5.4, 9, False), 0.6)
    assert not completion.passes(Score(2.99, 5, False), 0.6)
    assert completion.needed_points(9, 0.6) == 5.4


def test_what_is_left_is_named_with_its_reason():
    """Are unsubmitted, ungraded, manually ungraded and failing assignments each listed with their reason?"""
    required = [*REQUIRED, "03_totonoeru", "04_anzen"]
    scores = {
        "00_hajimeni": _passed(),
        "02_sagasu": _passed(9, 9, manual=True),
        "03_totonoeru": _passed(5, 10),
    }
    done = completion.evaluate(required, scores, {"00_hajimeni", "01_kokai", "02_sagasu", "03_totonoeru"}, 0.6)
    assert not done.completed and done.completed_at is None
    assert [(p.assignment, p.reason) for p in done.pending] == [
        ("01_kokai", completion.NOT_GRADED),
        ("02_sagasu", completion.NEEDS_MANUAL),
        ("03_totonoeru", completion.BELOW_PASS),
        ("04_anzen", completion.NOT_SUBMITTED),
    ]
    below = done.pending[2]
    assert (below.score, below.max_score, below.needed) == (5, 10, 6)


def test_completion_date_is_the_latest_graded_submission_in_japan_time():
    """Is the completion date the latest graded submission's timestamp (UTC in nbgrader) as a Japanese date?"""
    scores = {
        "00_hajimeni": _passed(at="2026-11-01 09:00:00.000000"),
        "01_kokai": _passed(at="2026-11-30 15:30:00.123456"),  # 00:30 on 1 December in Japan
        "02_sagasu": _passed(at="2026-11-15 09:00:00"),
    }
    done = completion.evaluate(REQUIRED, scores, set(REQUIRED), 0.6)
    assert done.completed_on == date(2026, 12, 1)
    assert done.completed_at.utcoffset().total_seconds() == 9 * 3600


def test_a_course_without_assignments_certifies_nobody():
    """Is nobody completed when the course's assignment list is empty (e.g. its source/ is unreadable)?"""
    assert not completion.evaluate([], {}, set(), 0.6).completed


def test_a_graded_submission_without_a_timestamp_does_not_complete():
    """Is a passing submission without a recorded submission time held back (no undated certificate)?"""
    scores = {a: _passed() for a in REQUIRED} | {"01_kokai": _passed(at=None)}
    done = completion.evaluate(REQUIRED, scores, set(REQUIRED), 0.6)
    assert not done.completed and [p.reason for p in done.pending] == [completion.NO_TIMESTAMP]


def test_certificate_numbers_are_stable_distinct_and_checkable_only_with_the_key():
    """Is a number the same on every call, different per trainee, date and key, and verifiable with the key?"""
    day = date(2026, 12, 1)
    number = completion.certificate_number(KEY, "odtb", "alice", day)
    assert number == completion.certificate_number(KEY, "odtb", "alice", day)
    assert number.startswith("ODTB-20261201-") and len(number.split("-")[2]) == 10
    others = {
        completion.certificate_number(KEY, "odtb", "bob", day),
        completion.certificate_number(KEY, "odtb", "alice", date(2026, 12, 2)),
        completion.certificate_number(b"another key", "odtb", "alice", day),
    }
    assert number not in others and len(others) == 3
    assert completion.is_genuine(number.lower(), KEY, "odtb", "alice", day)
    assert not completion.is_genuine(number, KEY, "odtb", "bob", day)


def _notebook(heading: str, graded: bool) -> str:
    meta = {"nbgrader": {"grade": True, "points": 1}} if graded else {}
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# {heading}\n", "\n", "本文"]},
        {"cell_type": "code", "metadata": meta, "source": "x = 1", "outputs": [], "execution_count": None},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, ensure_ascii=False)


def test_course_assignments_are_source_folders_with_notebooks_and_titled_by_the_graded_one(tmp_path):
    """Are the course's assignments its source folders holding a notebook, titled by the graded notebook?"""
    src = tmp_path / "source"
    (src / "01_kokai").mkdir(parents=True)
    (src / "01_kokai" / "a_kyozai.ipynb").write_text(_notebook("第1回 データを公開する", False), encoding="utf-8")
    (src / "01_kokai" / "b_kadai.ipynb").write_text(_notebook("課題1 公開する", True), encoding="utf-8")
    (src / "00_hajimeni").mkdir()
    (src / "00_hajimeni" / "kadai.ipynb").write_text(_notebook("課題0 はじめての提出", False), encoding="utf-8")
    (src / "07_empty").mkdir()  # no notebook (yet): not an assignment
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "x.ipynb").write_text("{}")
    (src / "broken").mkdir()
    (src / "broken" / "x.ipynb").write_text("{not json")
    assert sources.course_assignments(src) == ["00_hajimeni", "01_kokai", "broken"]
    assert sources.assignment_title(src / "01_kokai") == "課題1 公開する"
    assert sources.assignment_title(src / "00_hajimeni") == "課題0 はじめての提出"
    assert sources.assignment_title(src / "broken") == ""
    assert sources.course_assignments(tmp_path / "missing") == []


def _facts() -> Facts:
    return Facts(
        required=["kadai01", "kadai02"],
        released=["kadai01", "kadai02"],
        submitted={("alice", "kadai01"): "t", ("alice", "kadai02"): "t", ("bob", "kadai01"): "t"},
        scores={
            ("alice", "kadai01"): Score(4, 5, False, "2026-11-30 01:00:00.000000"),
            ("alice", "kadai02"): Score(9, 10, False, "2026-12-01 01:00:00.000000"),
            ("bob", "kadai01"): Score(1, 5, False, "2026-11-30 01:00:00.000000"),
        },
        graded_assignments=["kadai01", "kadai02"],
        names={"alice": ("山田 花子", "企画課"), "bob": ("<b>佐藤</b>", "")},
    )


def test_board_rows_carry_completion_and_the_certificate_number():
    """Does each row say whether the trainee completed, when, with which number, or what is left?"""
    b = board.build(_facts(), ["alice", "bob"], "odtb", RULE)
    rows = {r["username"]: r for r in b["trainees"]}
    alice, bob = rows["alice"]["completion"], rows["bob"]["completion"]
    assert alice["completed"] and alice["completed_on"] == "2026-12-01"
    assert alice["certificate_number"] == completion.certificate_number(KEY, "odtb", "alice", date(2026, 12, 1))
    assert not bob["completed"] and bob["certificate_number"] is None
    assert [(p["assignment"], p["reason"]) for p in bob["pending"]] == [
        ("kadai01", completion.BELOW_PASS),
        ("kadai02", completion.NOT_SUBMITTED),
    ]
    assert b["required"] == ["kadai01", "kadai02"] and b["pass_ratio"] == 0.6


def test_a_trainee_who_completed_sees_the_download_button():
    """Does a trainee who passed everything see 「修了証をダウンロード (PDF)」 linking to their certificate?"""
    view = board.visible_to(board.build(_facts(), ["alice", "bob"], "odtb", RULE), "alice", instructor=False)
    html = page.render(view, "2026-12-01 10:00:00")
    assert "修了証をダウンロード (PDF)" in html and 'href="certificate.pdf"' in html
    assert "2026年12月1日" in html and "修了しました" in html
    assert "certificate.pdf?user=" not in html  # no link to anyone else's


def test_a_trainee_not_yet_done_sees_what_is_left_in_japanese():
    """Does a trainee not yet completed see how many and which assignments are left, and why, without a button?"""
    view = board.visible_to(board.build(_facts(), ["alice", "bob"], "odtb", RULE), "bob", instructor=False)
    html = page.render(view, "2026-12-01 10:00:00")
    assert "修了証をダウンロード" not in html
    assert "あと 2 課題" in html and "kadai02 (未提出)" in html
    assert "1 / 5 点、合格は 3 点以上" in html and "満点の 60% 以上" in html


def test_instructor_sees_who_completed_with_links_to_their_certificates():
    """Does the instructor's table have a 修了 column: date and certificate link, or how many are left?"""
    view = board.visible_to(board.build(_facts(), ["alice", "bob"], "odtb", RULE), "teacher", instructor=True)
    html = page.render(view, "2026-12-01 10:00:00")
    assert '<th rowspan="2">修了</th>' in html
    assert 'href="certificate.pdf?user=alice"' in html and "修了 2026年12月1日" in html
    assert "あと 2 課題" in html and "certificate.pdf?user=bob" not in html
    assert "<b>佐藤</b>" not in html


def test_no_assignments_yet_is_said_plainly():
    """Does a trainee of a course with no assignments yet get a plain sentence instead of a list?"""
    facts = Facts(names={"alice": ("山田 花子", "")})
    view = board.visible_to(board.build(facts, ["alice"], "odtb", RULE), "alice", instructor=False)
    assert "修了の判定に使う課題がまだありません" in page.render(view, "2026-12-01 10:00:00")


def test_certificate_refusals_are_japanese_and_escaped():
    """Is a refused certificate explained in Japanese, with any echoed name escaped?"""
    html = page.error(403, "<x> さんはまだこのコースを修了していません。")
    assert "修了していません" in html and "<x>" not in html and "&lt;x&gt;" in html

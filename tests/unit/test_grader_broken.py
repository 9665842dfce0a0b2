"""Unreadable submissions (grader/broken.py, grader/layout.py): each kind named in Japanese, the state kept per
submission timestamp, the feedback page escaped and ready for nbgrader's release_feedback, the export marked."""

from __future__ import annotations

import json

import pytest

from grader import broken
from grader.layout import broken_problems, broken_students, pending_students

pytestmark = pytest.mark.unit

GOOD = json.dumps({"cells": [{"cell_type": "code", "source": "x = 1"}], "metadata": {}, "nbformat": 4})


def _course(tmp_path, text: str | None, student: str = "jupyter-taro"):
    (tmp_path / "source" / "a1").mkdir(parents=True)
    (tmp_path / "source" / "a1" / "kadai.ipynb").write_text(GOOD, encoding="utf-8")
    sub = tmp_path / "submitted" / student / "a1"
    sub.mkdir(parents=True)
    (sub / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 JST", encoding="utf-8")
    (sub / "submission_secret.txt").write_text("s3cret", encoding="utf-8")
    if text is not None:
        (sub / "kadai.ipynb").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        (GOOD[: len(GOOD) // 2], "JSON が途中で切れています"),
        ('{"cells": [], "nbformat": 4,, }', "JSON の書式が 1 行目で正しくありません"),
        ("", "中身が空です"),
        ('{"hello": "world"}', "ノートブックではないファイルです"),
        ("[1, 2, 3]", "ノートブックではないファイルです"),
        (GOOD.replace('"nbformat": 4', '"nbformat": 3'), "形式が nbformat 3 で、採点できる nbformat 4 ではありません"),
        ('{"cells": ["x"], "nbformat": 4}', "セルの情報が壊れています"),
    ],
)
def test_is_each_kind_of_broken_notebook_named(tmp_path, text, cause):
    """Is a truncated, malformed, empty, non-notebook or other-nbformat submission named with its cause?"""
    root = _course(tmp_path, text)
    assert broken.problems(root, "a1", "jupyter-taro") == [
        f"提出されたノートブック kadai.ipynb が壊れています ({cause})"
    ]


def test_are_a_missing_notebook_and_a_good_one_told_apart(tmp_path):
    """Is a missing notebook reported as missing, and a readable one not at all?"""
    root = _course(tmp_path, None)
    assert broken.problems(root, "a1", "jupyter-taro") == [
        "提出にノートブック kadai.ipynb がありません (ファイル名が変わったか、消えています)"
    ]
    (root / "submitted" / "jupyter-taro" / "a1" / "kadai.ipynb").write_text(GOOD, encoding="utf-8")
    assert broken.problems(root, "a1", "jupyter-taro") == []


def test_does_the_instructor_message_say_what_to_do(tmp_path):
    """Does the command's report say what happened and that the trainee should submit again, in Japanese?"""
    msg = broken.instructor_message(["提出されたノートブック kadai.ipynb が壊れています (JSON が途中で切れています)"])
    assert msg == (
        "提出されたノートブック kadai.ipynb が壊れています (JSON が途中で切れています)。"
        "研修生に、課題を取り直して提出し直すよう伝えてください。"
    )


def test_is_the_broken_state_kept_for_this_submission_only(tmp_path):
    """Is a broken submission left out of the pending list until the trainee submits again, with a feedback
    page (escaped) and the files release_feedback needs beside it?"""
    root = _course(tmp_path, "{")
    found = broken.problems(root, "a1", "jupyter-taro") + ["<script>alert(1)</script>"]
    broken.write_feedback(root, "a1", "jupyter-taro", found)
    assert broken_problems(root, "a1", "jupyter-taro") == found
    assert broken_students(root, "a1") == {"jupyter-taro": found}
    assert pending_students(root, "a1") == [] and pending_students(root, "a1", force=True) == ["jupyter-taro"]
    feedback = root / "feedback" / "jupyter-taro" / "a1"
    page = (feedback / "kadai.html").read_text(encoding="utf-8")
    assert "採点できませんでした" in page and "JSON が途中で切れています" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert (feedback / "submission_secret.txt").read_text() == "s3cret" and (feedback / "timestamp.txt").is_file()

    # submitted again: a new timestamp, so the old finding no longer applies and it is graded
    (root / "submitted" / "jupyter-taro" / "a1" / "timestamp.txt").write_text("2026-12-02 09:00:00.000000 JST")
    assert broken_problems(root, "a1", "jupyter-taro") is None
    assert pending_students(root, "a1") == ["jupyter-taro"]


def test_does_the_export_show_broken_instead_of_a_score():
    """Is a broken submission's cell and 備考 in the grade-book export marked as broken, not 未採点 or a score?"""
    head = ["研修生", "氏名", "所属", "期", "a1", "a2", "合計", "満点", "完了", "修了日", "備考"]
    rows = [
        ["taro", "山田 太郎", "", "", "未採点", 2.0, 2.0, 4.0, "未", "", "a1: 未採点"],
        ["hana", "佐藤 花子", "", "", 2.0, 2.0, 4.0, 4.0, "済", "2026-12-01", ""],
    ]
    broken.mark_in_export(head, rows, {("taro", "a1")})
    assert rows[0][4] == broken.BROKEN_LABEL and rows[0][-1] == f"a1: {broken.BROKEN_LABEL}"
    assert rows[1][4] == 2.0 and rows[1][-1] == ""

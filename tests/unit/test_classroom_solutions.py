"""Model answers for ``q.solution()`` (classroom/solutions.py): found in the instructor's notebooks by question, given
only in remote mode, for a released assignment, after enough failed self-checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from classroom import solutions

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "courses" / "odtb" / "source"

pytestmark = pytest.mark.unit


def test_each_question_gets_the_answer_cell_before_its_check():
    """Are 課題0's q2 (``q2.check()``) and 課題2's q1/q3 (``start()`` cells) given their own solution cells, without
    nbgrader's BEGIN/END SOLUTION lines?"""
    nb0 = json.loads((SOURCE / "00_hajimeni" / "kadai_00_hajimeni.ipynb").read_text(encoding="utf-8"))
    nb2 = json.loads((SOURCE / "02_sagasu" / "kadai_02_sagasu.ipynb").read_text(encoding="utf-8"))
    a0, a2 = solutions.answers_in(nb0), solutions.answers_in(nb2)
    assert a0["q2"].strip() == 'total_capacity = shelters["想定収容人数"].sum()'
    assert set(a2) == {"q1", "q2", "q3", "q4"}
    assert "package_search" in a2["q1"] and "datastore_search" in a2["q3"] and "SOLUTION" not in a2["q3"]


def test_model_answer_reads_the_source_folder_and_refuses_odd_names(tmp_path):
    """Does model_answer find a question in an assignment folder, and nothing for ../ or a made-up question?"""
    shutil.copytree(SOURCE / "02_sagasu", tmp_path / "02_sagasu")
    assert "package_search" in solutions.model_answer(tmp_path, "02_sagasu", "q1")
    assert solutions.model_answer(tmp_path, "02_sagasu", "q9") is None
    assert solutions.model_answer(tmp_path, "../02_sagasu", "q1") is None
    assert solutions.model_answer(tmp_path, "02_sagasu", "q1; rm") is None


@pytest.mark.parametrize(
    "after, failures, released, answer, status",
    [
        (0, 9, True, "x = 1", 403),  # on-site: never
        (3, 2, True, "x = 1", 403),  # not yet
        (3, 3, False, "x = 1", 404),  # not released
        (3, 3, True, None, 404),  # no such question
        (3, 3, True, "x = 1", 200),
    ],
)
def test_decide(after, failures, released, answer, status):
    """Is a model answer given only in remote mode, for a released assignment, after N failures, with a Japanese
    reason otherwise?"""
    got, body = solutions.decide(after, failures, released, answer)
    assert got == status
    if status == 200:
        assert body == {"answer": "x = 1"}
    else:
        assert body["message"] and "answer" not in body
    if status == 403 and after:
        assert f"あと {after - failures} 回" in body["message"]

"""The wrong-answer catalogue's files and the harness's pure parts (courses/odtb/catalogue.py), no kernel.

Executing the entries is tests/integration/test_wrong_answers.py; here: every file is well formed and
names cells that exist, the hidden block is split as nbgrader releases it, and the verdict rules report
what they should.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "courses" / "odtb"))

import catalogue  # noqa: E402

pytestmark = pytest.mark.unit

FILES = catalogue.files()


def test_there_is_a_catalogue():
    """Does the catalogue folder hold files for the first assignments?"""
    stems = {p.stem for p in FILES}
    assert {"kadai_01", "kadai_02", "kadai_03"} <= stems, stems


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_names_existing_answer_and_tests_cells(path):
    """Does every question of the file name an answer cell and, after it, a tests cell of its notebook?"""
    data = catalogue.load(path)
    module = catalogue.SOURCE / data["module"]
    nb_path = module / data["notebook"] if data.get("notebook") else next(module.glob("kadai_*.ipynb"))
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in cells]
    for q in data["questions"]:
        assert q["answer"] in ids, (path.name, q["answer"])
        assert q["tests"] in ids, (path.name, q["tests"])
        assert ids.index(q["answer"]) < ids.index(q["tests"]), (path.name, q["answer"])
        assert cells[ids.index(q["tests"])]["metadata"]["nbgrader"].get("grade"), (path.name, q["tests"])


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_entry_differs_from_the_others(path):
    """Is no entry's code a copy of another entry of the same question (a copy proves nothing)?"""
    for q in catalogue.load(path)["questions"]:
        codes = [e["code"].strip() for kind in catalogue.KINDS for e in q.get(kind) or []]
        assert len(set(codes)) == len(codes), (path.name, q["answer"])


def test_load_rejects_an_entry_without_a_reason(tmp_path):
    """Is an entry without its one-line reason refused?"""
    bad = tmp_path / "kadai_99.yaml"
    lines = ["module: 99_x", "questions:", "  - answer: a", "    tests: t", "    wrong:"]
    bad.write_text("\n".join([*lines, "      - name: n", "        code: x = 1"]) + "\n")
    with pytest.raises(ValueError, match="name, why and code"):
        catalogue.load(bad)


def test_split_tests_strips_the_hidden_block_as_released():
    """Does the self-check keep the visible lines (before and after) and drop the hidden block?"""
    source = "check(a, 'p', 'f')\n### BEGIN HIDDEN TESTS\ncheck(b, 'p', 'f')\n### END HIDDEN TESTS\nprint('ok')"
    released, visible, hidden = catalogue.split_tests(source)
    assert released == "check(a, 'p', 'f')\nprint('ok')"
    assert visible == "check(a, 'p', 'f')\n"
    assert hidden == "check(b, 'p', 'f')\n"
    assert catalogue.split_tests("check(a, 'p', 'f')") == ("check(a, 'p', 'f')", "check(a, 'p', 'f')", "")


def _result(kind, self_ok, hidden_ok, answer_error=None, crashes=False):
    return {
        "module": "99_x",
        "answer": "a",
        "tests": "t",
        "kind": kind,
        "name": f"{kind}-{self_ok}-{hidden_ok}",
        "why": "理由",
        "crashes": crashes,
        "setup_error": None,
        "answer_error": answer_error,
        "self_error": None if self_ok else "AssertionError",
        "hidden_error": None if hidden_ok else "AssertionError",
        "self_ok": self_ok,
        "hidden_ok": hidden_ok,
    }


def test_problems_name_the_check_that_let_a_wrong_answer_through():
    """Is a wrong answer accepted by one check reported naming that check, and a refused right variant too?"""
    found = catalogue.problems(
        [
            _result("wrong", True, False),
            _result("wrong", False, True),
            _result("wrong", False, False),
            _result("wrong", False, False, answer_error="NameError: x", crashes=True),
            _result("right", True, False),
        ]
    )
    assert len(found) == 3, found
    assert "the self-check (t, hidden tests stripped) accepts" in found[0]
    assert "the hidden tests of t accept" in found[1]
    assert "the hidden tests of t refuse this right variant" in found[2]


def test_figures_count_rejections_per_check():
    """Are the published figures counted per check?"""
    results = [_result("wrong", True, False), _result("wrong", False, False), _result("right", True, True)]
    assert catalogue.figures(results) == {"self": (1, 2), "hidden": (2, 2), "right": (1, 1)}
    assert "self-check alone: 1 / 2; by hidden tests: 2 / 2; right variants accepted: 1 / 1" in (
        catalogue.figure_line(results)
    )

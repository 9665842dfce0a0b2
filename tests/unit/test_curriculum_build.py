"""The course odtb as committed: built from its sources, without outputs, with well-formed nbgrader cells."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "courses" / "odtb"
sys.path.insert(0, str(COURSE))

import build  # noqa: E402

from datasets.layouts import LAYOUTS  # noqa: E402

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
MODULES = sorted(p.name for p in (COURSE / "source").iterdir() if p.is_dir())
NOTEBOOKS = sorted((COURSE / "source").glob("*/*.ipynb"))
ASSIGNMENTS = [p for p in NOTEBOOKS if p.name.startswith("kadai_")]


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def test_committed_notebooks_match_their_sources():
    """Is courses/odtb/source/ exactly what build.py makes from src/ (nothing stale or extra)?"""
    assert build.main(["--check"]) == 0


def test_course_has_nine_modules_each_with_lesson_and_assignment():
    """Does every one of the nine modules hold lesson notebook(s) and one graded assignment?"""
    assert MODULES == [
        "00_hajimeni",
        "01_kokai",
        "02_sagasu",
        "03_totonoeru",
        "04_anzen",
        "05_ebpm",
        "06_mieruka",
        "07_sogo",
        "08_yobo",
    ]
    for module in MODULES:
        folder = COURSE / "source" / module
        assert list(folder.glob("kyozai_*.ipynb")), module
        assert len(list(folder.glob("kadai_*.ipynb"))) == 1, module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    """Is every notebook nbformat 4 with no outputs, no execution counts and unique cell ids?"""
    nb = _nb(path)
    assert nb["nbformat"] == 4 and nb["nbformat_minor"] >= 5
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    ids = [c["id"] for c in nb["cells"]]
    assert len(ids) == len(set(ids))
    for cell in nb["cells"]:
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", cell["id"])
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_text_is_japanese(path):
    """Is every markdown cell written in Japanese for the trainees?"""
    for cell in _nb(path)["cells"]:
        if cell["cell_type"] == "markdown":
            assert JAPANESE.search(_source(cell)), _source(cell)[:80]


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name.startswith("kyozai_")], ids=lambda p: p.name)
def test_lessons_are_ungraded(path):
    """Are lesson notebooks plain teaching notebooks without nbgrader cells?"""
    assert not any("nbgrader" in c["metadata"] for c in _nb(path)["cells"])


@pytest.mark.parametrize("path", ASSIGNMENTS, ids=lambda p: p.name)
def test_assignment_cells_are_well_formed(path):
    """Does each assignment have unique grade ids, a solution region per answer, hidden tests and hints?"""
    cells = [c for c in _nb(path)["cells"] if "nbgrader" in c["metadata"]]
    grade_ids = [c["metadata"]["nbgrader"]["grade_id"] for c in cells]
    assert len(grade_ids) == len(set(grade_ids))
    tests = [c for c in cells if c["metadata"]["nbgrader"]["grade"] and c["cell_type"] == "code"]
    answers = [c for c in cells if c["metadata"]["nbgrader"]["solution"]]
    assert tests and answers
    for cell in answers:
        assert "### BEGIN SOLUTION" in _source(cell) and "### END SOLUTION" in _source(cell)
    for cell in tests:
        text = _source(cell)
        assert cell["metadata"]["nbgrader"]["points"] > 0 and cell["metadata"]["nbgrader"]["locked"]
        assert "### BEGIN HIDDEN TESTS" in text and "### END HIDDEN TESTS" in text
        assert "check(" in text  # tiered hints: what is wrong, then how to fix it


def test_course_has_manually_graded_answers():
    """Is there at least one manually graded (markdown) answer with points in the course?"""
    manual = [
        c
        for p in ASSIGNMENTS
        for c in _nb(p)["cells"]
        if c["cell_type"] == "markdown" and c["metadata"].get("nbgrader", {}).get("grade")
    ]
    assert manual and all(c["metadata"]["nbgrader"]["points"] > 0 for c in manual)


def test_exercise_layout_is_the_standard_aed_layout():
    """Is the column list the AED exercise asks for exactly the standard layout in datasets/layouts.py?"""
    nb = _nb(COURSE / "source" / "01_kokai" / "kadai_01_kokai.ipynb")
    text = next(_source(c) for c in nb["cells"] if "AED_COLUMNS = [" in _source(c))
    block = text[text.index("AED_COLUMNS = [") : text.index("]", text.index("AED_COLUMNS = ["))]
    assert re.findall(r'"([^"]+)"', block) == list(LAYOUTS["aed"].columns)


def test_internal_files_are_copied_byte_for_byte():
    """Are the internal CSVs an assignment needs identical to datasets/internal/?"""
    for module, files in build.DATA_FILES.items():
        for rel, dest in files.items():
            assert (COURSE / "source" / module / dest).read_bytes() == (REPO / "datasets" / rel).read_bytes()


def test_every_module_has_instructor_notes_and_a_syllabus_entry():
    """Does each module have Japanese instructor notes with timing, and a line in the syllabus?"""
    syllabus = (COURSE / "README.md").read_text(encoding="utf-8")
    for module in MODULES:
        notes = (COURSE / "instructor_notes" / f"{module}.md").read_text(encoding="utf-8")
        for heading in ("時間配分", "よくあるつまずき", "話し合いの問い", "所要時間"):
            assert heading in notes, (module, heading)
        assert module in syllabus


def test_parser_rejects_graded_cells_in_lessons():
    """Does the builder refuse nbgrader cells in a lesson, with a message naming the file?"""
    with pytest.raises(ValueError, match="kyozai_x"):
        build.parse("%% solution q1\nx = 1\n", "kyozai_x", graded=False)


def test_parser_rejects_unknown_markers():
    """Does the builder stop on a misspelt cell marker instead of building a wrong notebook?"""
    with pytest.raises(ValueError, match="unknown cell marker"):
        build.parse("%% soluton q1\nx = 1\n", "kadai_x", graded=True)

"""`./testbed grade` end to end on the live hub, for a curriculum assignment that reads CKAN.

A fresh trainee fetches a released copy of 02_sagasu (under a unique assignment name, so the real
course's gradebook and exchange entries are untouched), submits the instructor's solution from
their own kernel, and `./testbed grade` must give full marks (the sandboxed kernel reads the
catalogue through the assignment's opt-in) and release feedback without the hidden tests.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
from pathlib import Path

import pytest
from helpers.course import enrol, live_assignment, on_roster, run_testbed, submit_code

from classroom.export import FIRST

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="`./testbed grade` drops kernels to other uids only as root"),
]

REPO = Path(__file__).resolve().parents[2]
MODULE = "02_sagasu"
NOTEBOOK = "kadai_02_sagasu"
FULL_MARKS = 9.0


def _hidden_lines(nb_path: Path) -> list[str]:
    """The non-blank lines inside the hidden-test regions of a source notebook that appear nowhere outside them (a
    message line both parts share, like `"収容定員の合計が違います。",`, gives nothing away)."""
    hidden, shown = [], set()
    for cell in json.loads(nb_path.read_text(encoding="utf-8"))["cells"]:
        inside = False
        for line in "".join(cell["source"]).splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) > 12:
                hidden.append(line.strip())
            else:
                shown.add(line.strip())
    return [line for line in hidden if line not in shown]


@pytest.fixture
def assignment(layout, unique):
    """A unique copy of the CKAN-reading module in the live course, removed with all its traces."""
    with live_assignment(layout, MODULE, f"e2e_sagasu_{unique()}") as made:
        yield made


def test_does_testbed_grade_give_full_marks_to_a_ckan_reading_solution(layout, hub, trainee, assignment, tmp_path):
    """Fetched, solved and submitted by a trainee, is a CKAN-reading assignment graded full marks, with
    feedback released into the exchange that holds no hidden test?"""
    course, name = assignment
    res = run_testbed("course", "release", name, "--course", course)
    assert res.returncode == 0, res.stdout + res.stderr

    enrol(hub, course, trainee)
    solution = (REPO / "courses" / course / "source" / MODULE / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
    code = submit_code(course, name, NOTEBOOK, solution)
    out = hub.run_code(trainee, code, timeout=90)
    assert out["error"] is None, out
    stamp_before = set((layout.exchange / course).rglob("*.html"))

    res = run_testbed("grade", name, "--course", course)
    assert res.returncode == 0, res.stdout + res.stderr
    assert trainee in res.stdout

    csv_path = tmp_path / "seiseki.csv"
    with on_roster(layout, course, trainee, "試験 太郎"):
        res = run_testbed("grade", "export", "--course", course, "-o", str(csv_path))
    assert res.returncode == 0, res.stdout + res.stderr
    rows = list(csv.reader(csv_path.read_bytes().decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == FIRST and name in rows[0]
    mine = [r for r in rows[1:] if r[0] == trainee]
    assert len(mine) == 1, rows
    assert mine[0][1] == "試験 太郎" and float(mine[0][rows[0].index(name)]) == FULL_MARKS

    # one page per notebook of the assignment (the module's lesson notebooks are part of it too)
    new_pages = [p for p in (layout.exchange / course).rglob("*.html") if p not in stamp_before]
    assert new_pages
    texts = [html.unescape(re.sub(r"<[^>]+>", "", p.read_text(encoding="utf-8"))) for p in new_pages]  # highlight spans
    answer = [t for t in texts if "n_kosodate = ckan.action.package_search" in t]  # the trainee's own answer
    assert len(answer) == 1, [p.name for p in new_pages]
    hidden = _hidden_lines(REPO / "courses" / course / "source" / MODULE / f"{NOTEBOOK}.ipynb")
    assert hidden, "the module has hidden tests to check"
    for text in texts:
        assert "HIDDEN TESTS" not in text
        assert not [line for line in hidden if line in text]

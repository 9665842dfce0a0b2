"""One grading definition: the formgrader's Autograde button and `./testbed grade` give the same grades.

An assignment with an ordinary test cell and two CKAN check cells (one the trainee's publication passes,
one it fails) is submitted by a trainee, graded by `./testbed grade`, then graded again through the
formgrader's autograde API as the instructor. Every cell's score must be the same both ways; before the
CKAN checks became a step of nbgrader's chain (grader/ckan_step.py) the button scored a failing CKAN
check as passed.
"""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
from helpers.course import enrol, instructor_session, live_assignment, run_testbed, submit_code

from grader.courses import course_root

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="grading drops kernels to other uids only as root"),
]

NOTEBOOK = "kadai"


def _cell(kind: str, source: str, **nbg) -> dict:
    meta = {"nbgrader": {"schema_version": 3, "locked": False, "solution": False, "grade": False, **nbg}}
    cell = {"cell_type": kind, "metadata": meta, "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def _source_notebook() -> dict:
    check = '# testbed-ckan-check\n# {"dataset": "{student}-hinanjo", %s}\n'
    cells = [
        _cell("markdown", "# 避難所の公開", grade_id="intro", locked=True),
        _cell("code", "### BEGIN SOLUTION\nkotae = 3\n### END SOLUTION\n", grade_id="kotae", solution=True),
        _cell(
            "code", 'assert kotae == 3, "3 になるはずです"\n', grade_id="test_kotae", grade=True, points=1, locked=True
        ),
        _cell(
            "code",
            check % '"formats": ["CSV"], "required": ["title"]',
            grade_id="ckan_ok",
            grade=True,
            points=2,
            locked=True,
        ),
        _cell("code", check % '"datastore_columns": ["住所"]', grade_id="ckan_ng", grade=True, points=3, locked=True),
    ]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}


def _scores(layout, course: str, assignment: str, student: str) -> dict[str, float]:
    with sqlite3.connect(course_root(layout, course) / "gradebook.db") as conn:
        rows = conn.execute(
            "SELECT bc.name, g.auto_score FROM grade g JOIN base_cell bc ON g.cell_id = bc.id"
            " JOIN submitted_notebook sn ON g.notebook_id = sn.id"
            " JOIN submitted_assignment sa ON sn.assignment_id = sa.id JOIN assignment a ON sa.assignment_id = a.id"
            " WHERE a.name = ? AND sa.student_id = ?",
            (assignment, student),
        ).fetchall()
    return dict(rows)


@pytest.fixture
def hinanjo(ckan_admin, trainee, tmp_path):
    """The trainee's publication '<trainee>-hinanjo': a CSV in the DataStore without a 住所 column."""
    org = ckan_admin.action.organization_create(name=f"org-{trainee}", title="テスト組織")
    pkg = ckan_admin.action.package_create(
        name=f"{trainee}-hinanjo", title="避難所一覧", notes="テスト", license_id="cc-by", owner_org=org["id"]
    )
    csv = tmp_path / "hinanjo.csv"
    csv.write_text("名称,収容人数\n第一小学校,300\n", encoding="utf-8")
    with open(csv, "rb") as f:
        res = ckan_admin.action.resource_create(package_id=pkg["id"], name="避難所", format="CSV", upload=f)
    ckan_admin.action.testbed_datastore_load(resource_id=res["id"], sync=True)
    try:
        yield pkg
    finally:
        ckan_admin.action.dataset_purge(id=pkg["id"])
        ckan_admin.action.organization_purge(id=org["id"])


def test_do_the_formgrader_button_and_testbed_grade_give_the_same_grades(
    hub, layout, trainee, hinanjo, unique, tmp_path
):
    """Graded by `./testbed grade` and then by the formgrader's Autograde, is every cell scored the same,
    with the passing CKAN check at full points and the failing one at 0?"""
    src = tmp_path / "src"
    src.mkdir()
    (src / f"{NOTEBOOK}.ipynb").write_text(json.dumps(_source_notebook(), ensure_ascii=False), encoding="utf-8")
    with live_assignment(layout, src, f"both_{unique()}") as (course, name):
        res = run_testbed("course", "release", name, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        enrol(hub, course, trainee)
        solved = json.dumps(_source_notebook(), ensure_ascii=False)
        out = hub.run_code(trainee, submit_code(course, name, NOTEBOOK, solved), timeout=120)
        assert out["error"] is None, out

        res = run_testbed("grade", name, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        student = layout.cfg.unix_user_prefix + trainee  # nbgrader knows trainees by Unix account
        by_cli = _scores(layout, course, name, student)
        assert by_cli == {"test_kotae": 1.0, "ckan_ok": 2.0, "ckan_ng": 0.0}

        s = instructor_session(hub, layout, course)
        api = f"{hub.public}/services/formgrader-{course}/formgrader/api/submission/{name}/{student}/autograde"
        xsrf = next(c.value for c in s.cookies if c.name == "_xsrf" and c.path.startswith("/services/"))
        r = s.post(api, headers={"X-XSRFToken": xsrf}, timeout=300)
        assert r.status_code == 200, r.text
        assert r.json().get("success"), r.text
        assert _scores(layout, course, name, student) == by_cli

"""A corrupt submission among good ones: `./testbed grade` grades the good ones, reports the bad one in
Japanese, gives its trainee a feedback page saying so, and the export shows the state, not a score.

Submissions are planted in the live course's exchange as nbgrader's submit leaves them (inbound folder
with the notebook, ``timestamp.txt`` and ``submission_secret.txt``), for students without an account
(their kernels run under the anonymous sandbox uid), under a unique assignment name.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import secrets
import shutil
import subprocess

import nbformat
import pytest
from helpers.course import live_assignment, on_roster, run_testbed

from grader.broken import BROKEN_LABEL
from grader.coursebuilder import NOTEBOOK, SOLUTION, source_notebook
from grader.courses import CourseError, course_root, run_nbgrader

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="`./testbed grade` drops kernels to other uids only as root"),
]

STAMP = "2026-12-01 10:00:00.000000 JST"
WRONG = "def goukei(xs):\n    return 0\n"


@pytest.fixture
def assignment(layout, unique, tmp_path):
    """A unique one-notebook assignment (solution + 2-point test) in the live course, released."""
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(source_notebook(), src / NOTEBOOK)
    with live_assignment(layout, src, f"broken_{unique()}") as (course, name):
        res = run_testbed("course", "release", name, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        yield course, name


def _submit(layout, course: str, name: str, student: str, text: str) -> str:
    """An inbound submission of ``student`` holding ``text`` as the notebook; returns its secret."""
    account = layout.grader_account(course)
    folder = layout.exchange / course / "inbound" / f"{student}+{name}+{STAMP}"
    folder.mkdir()
    secret = secrets.token_hex(16)
    (folder / NOTEBOOK).write_text(text, encoding="utf-8")
    (folder / "timestamp.txt").write_text(STAMP, encoding="utf-8")
    (folder / "submission_secret.txt").write_text(secret, encoding="utf-8")
    subprocess.run(["chown", "-R", f"{account}:{account}", str(folder)], check=True)
    return secret


def _feedback_page(layout, course: str, secret: str):
    """Where nbgrader's release_feedback puts the submission's page (``nbgrader.utils.notebook_hash``)."""
    digest = hashlib.md5((secret + NOTEBOOK.removesuffix(".ipynb")).encode()).hexdigest()
    return layout.exchange / course / "feedback" / f"{digest}.html"


def _answered(layout, course: str, name: str, answer: str) -> str:
    nb = nbformat.read(course_root(layout, course) / "release" / name / NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answer
    return nbformat.writes(nb)


def test_is_a_truncated_submission_reported_while_the_others_are_graded(layout, assignment, unique, tmp_path):
    """With a truncated-JSON notebook among two good submissions, does `./testbed grade` exit 0, grade the good
    ones right, name the bad one's cause and what to do in Japanese, release a feedback page saying so to its
    trainee, skip it on the next run, and does the export show it as broken instead of a score?"""
    course, name = assignment
    prefix = layout.cfg.unix_user_prefix
    good, wrong, bad = (f"{prefix}{who}{unique()}" for who in ("good", "wrong", "bad"))
    full = _answered(layout, course, name, SOLUTION)
    texts = {good: full, wrong: _answered(layout, course, name, WRONG), bad: full[: len(full) // 2]}
    pages = {s: _feedback_page(layout, course, _submit(layout, course, name, s, t)) for s, t in texts.items()}
    page = pages[bad]
    try:
        res = run_testbed("grade", name, "--course", course)
        out = res.stdout + res.stderr
        assert res.returncode == 0, out  # documented: 0 when everything gradable was graded
        lines = {line.split()[0]: line for line in res.stdout.splitlines() if line.strip()}
        assert "2 / 2" in lines[good] and "0 / 2" in lines[wrong], out
        report = next(line for line in res.stdout.splitlines() if line.strip().startswith(f"{bad}:"))
        assert f"提出されたノートブック {NOTEBOOK} が壊れています (JSON が途中で切れています)" in report
        assert "課題を取り直して提出し直す" in report
        assert "Traceback" not in out and "NbGraderException" not in out

        assert page.is_file(), "the broken submission's feedback was not released"
        text = page.read_text(encoding="utf-8")
        assert "採点できませんでした" in text and "JSON が途中で切れています" in text

        again = run_testbed("grade", name, "--course", course)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "採点しました: 0 件" in again.stdout and bad in again.stdout

        csv_path = tmp_path / "seiseki.csv"
        with on_roster(layout, course, bad.removeprefix(prefix), "破損 花子"):
            res = run_testbed("grade", "export", "--course", course, "-o", str(csv_path))
        assert res.returncode == 0, res.stdout + res.stderr
        rows = list(csv.reader(csv_path.read_bytes().decode("utf-8-sig").splitlines()))
        mine = next(r for r in rows[1:] if r[0] == bad.removeprefix(prefix))
        assert mine[rows[0].index(name)] == BROKEN_LABEL
        assert mine[rows[0].index("完了")] == "未" and f"{name}: {BROKEN_LABEL}" in mine[-1]
    finally:
        root = course_root(layout, course)
        for student, released in pages.items():
            released.unlink(missing_ok=True)
            with contextlib.suppress(CourseError):  # a broken submission never made it into the gradebook
                run_nbgrader(layout, course, ["db", "student", "remove", student, "--force"])
            for step in ("submitted", "autograded", "feedback"):
                shutil.rmtree(root / step / student, ignore_errors=True)

"""Attack suite: hostile submissions graded in ONE sandboxed parallel batch together with honest ones, once
with warm kernels (forked from a template, the default) and once with cold ones (a new bwrap each)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from grader.batch import REPO, grade_assignment

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox drops to another account only as root"),
]

SUBMISSIONS = Path(__file__).parent / "submissions"
ATTACKS = sorted(p.stem for p in SUBMISSIONS.glob("*.py"))
CORRECT = "def goukei(xs):\n    return sum(xs)\n"
WRONG = "def goukei(xs):\n    return 0\n"
HIDDEN_MARK = "HIDDEN-CHECK-7f3a"  # grader.coursebuilder.HIDDEN_MARK
SPOOL = Path("/run/testbed-warm")  # grader.warm.SPOOL_ROOT


def _tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(path)).encode() + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module", params=["warm", "cold"])
def batch(request, layout, tmp_path_factory):
    """The course, its submissions (attacks + honest) and the result of grading them in one batch."""
    base = tmp_path_factory.mktemp("attacks")
    os.chmod(base, 0o700)
    root = base / "course"
    (base / "canary").write_text("keep me")
    answers = base / "answers"
    answers.mkdir()
    specs = []
    for name in ATTACKS:
        (answers / name).write_text((SUBMISSIONS / f"{name}.py").read_text().replace("__ROOT__", str(root)))
        specs.append(f"atk-{name.replace('_', '-')}={answers / name}")
    for student, code in {"alice": CORRECT, "bob": WRONG, "carol": CORRECT}.items():
        (answers / student).write_text(code)
        specs.append(f"{student}={answers / student}")
    hub_bin = layout.hub_venv / "bin"
    subprocess.run(
        [
            str(hub_bin / "python"),
            "-m",
            "grader.coursebuilder",
            str(root),
            "atk",
            "a1",
            str(hub_bin / "nbgrader"),
            *specs,
        ],
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(base)},
    )
    # the network opt-in counts only in the course's source notebook, never in a submission's own metadata
    spoofed = root / "submitted" / "atk-network-optin" / "a1" / "kadai.ipynb"
    nb = json.loads(spoofed.read_text())
    nb["metadata"]["testbed"] = {"network": "ckan"}
    spoofed.write_text(json.dumps(nb))
    before = {"source": _tree_digest(root / "source"), "submitted": _tree_digest(root / "submitted")}
    spools = set(SPOOL.iterdir()) if SPOOL.exists() else set()
    started = time.monotonic()
    result = grade_assignment(
        root=root,
        course="atk",
        assignment="a1",
        python=hub_bin / "python",
        workers=2,
        timeout=4,
        notebook_timeout=10,
        log_path=base / "grading.log",
        warm=request.param == "warm",
    )
    seconds = time.monotonic() - started
    new_spools = (set(SPOOL.iterdir()) if SPOOL.exists() else set()) - spools
    if request.param == "warm":
        assert "warm kernels unavailable" not in (base / "grading.log").read_text()
    return {
        "root": root,
        "base": base,
        "result": result,
        "before": before,
        "seconds": seconds,
        "new_spools": {p.name for p in new_spools},
    }


def _outputs(root: Path, student: str) -> str:
    """Outputs of the trainee's own cells (test cells quote the tests in tracebacks, by design)."""
    nb = json.loads((root / "autograded" / student / "a1" / "kadai.ipynb").read_text())
    cells = [c for c in nb["cells"] if not c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    return json.dumps([c.get("outputs", []) for c in cells], ensure_ascii=False)


def test_is_every_submission_graded_within_the_limits(batch):
    """Is every submission (hostile or honest) graded, none failing, in bounded time?"""
    r = batch["result"]
    assert not r.failed
    assert len(r.graded) == len(ATTACKS) + 3
    # 2 workers, each notebook bounded by 10 s of wall time plus start-up
    assert batch["seconds"] < 10 * len(r.graded)


def test_are_honest_submissions_scored_correctly(batch):
    """Are the honest submissions in the same batch scored exactly as they deserve?"""
    g = batch["result"].graded
    assert (g["alice"]["score"], g["bob"]["score"], g["carol"]["score"]) == (2, 0, 2)


@pytest.mark.parametrize("attack", ATTACKS)
def test_does_an_attack_get_its_honest_score_and_no_success(batch, attack):
    """Does each attack score 0 (it answers nothing) and report no success from inside the sandbox?"""
    student = f"atk-{attack.replace('_', '-')}"
    assert batch["result"].graded[student]["score"] == 0
    out = _outputs(batch["root"], student)
    assert "ATTACK-SUCCEEDED" not in out
    assert HIDDEN_MARK not in out


def test_is_the_gradebook_untouched_by_the_kernel(batch):
    """Did no kernel write the gradebook (no manual scores, no foreign table)?"""
    db = sqlite3.connect(batch["root"] / "gradebook.db")
    assert db.execute("select count(*) from grade where manual_score is not null").fetchone() == (0,)
    assert not db.execute("select name from sqlite_master where name = 'pwned'").fetchall()


def test_are_course_files_and_other_submissions_intact(batch):
    """Are the course source, every submission and files beside the course unchanged?"""
    root = batch["root"]
    assert _tree_digest(root / "source") == batch["before"]["source"]
    assert _tree_digest(root / "submitted") == batch["before"]["submitted"]
    assert (batch["base"] / "canary").read_text() == "keep me"


def test_is_huge_output_cut_down(batch):
    """Is 100 MB of output cut to the limit in the graded notebook?"""
    size = (batch["root"] / "autograded" / "atk-output" / "a1" / "kadai.ipynb").stat().st_size
    assert size < 3_000_000


def test_does_feedback_hide_the_hidden_tests(batch):
    """Does no feedback page contain a hidden test, while failing checks say what was expected?"""
    pages = {p.parent.parent.name: p.read_text() for p in (batch["root"] / "feedback").glob("*/a1/kadai.html")}
    assert len(pages) == len(ATTACKS) + 3
    assert not [s for s, html in pages.items() if HIDDEN_MARK in html]
    assert "goukei([1, 2]) は 3 になるはずです" in pages["bob"]


def test_are_no_sandboxed_processes_left(batch):
    """Has every kernel (and every forked child) gone when the batch ends?"""
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", "testbed-kernel-"], capture_output=True, text=True).stdout
    assert left.strip() == ""
    # warm: this batch's templates (their command names their spool) and spools
    warm = subprocess.run(["pgrep", "-af", "testbed-warm"], capture_output=True, text=True).stdout
    assert not [line for line in warm.splitlines() if any(s in line for s in batch["new_spools"])]
    assert not batch["new_spools"] & ({p.name for p in SPOOL.iterdir()} if SPOOL.exists() else set())

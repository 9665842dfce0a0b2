"""Warm kernels: one worker grades a submission that tries to leave something behind, then one that looks
for it (files, a daemon, an abstract socket, SysV shared memory, modules changed in the template's
memory or on disk, the previous kernel's memory). Nothing may reach the second one."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from grader.batch import REPO, grade_assignment

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="warm kernels are started by root only"),
]

HERE = Path(__file__).parent / "leave_behind"
SPOOL = Path("/run/testbed-warm")  # grader.warm.SPOOL_ROOT


@pytest.fixture(scope="module")
def graded(layout, tmp_path_factory):
    base = tmp_path_factory.mktemp("leave-behind")
    os.chmod(base, 0o700)
    root = base / "course"
    hub_bin = layout.hub_venv / "bin"
    # graded in name order by the one worker: the leaver first, then the looker, then the leaver's twin
    # again so the looker is also run after a kernel that was itself run after one
    specs = [f"lb1-leave={HERE / 'leave.py'}", f"lb2-look={HERE / 'look.py'}", f"lb3-look={HERE / 'look.py'}"]
    subprocess.run(
        [str(hub_bin / "python"), "-m", "grader.coursebuilder", str(root), "lb", "a1", str(hub_bin / "nbgrader")]
        + specs,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(base)},
    )
    spools = set(SPOOL.iterdir()) if SPOOL.exists() else set()
    result = grade_assignment(
        root=root,
        course="lb",
        assignment="a1",
        python=hub_bin / "python",
        workers=1,
        timeout=10,
        notebook_timeout=20,
        log_path=base / "grading.log",
    )
    new = (set(SPOOL.iterdir()) if SPOOL.exists() else set()) - spools
    return {"root": root, "result": result, "log": base / "grading.log", "new_spools": new}


def _outputs(root: Path, student: str) -> str:
    nb = json.loads((root / "autograded" / student / "a1" / "kadai.ipynb").read_text())
    return json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)


def test_was_the_batch_graded_with_warm_kernels(graded):
    """Were the three submissions graded, by kernels forked from a template (not cold ones)?"""
    assert not graded["result"].failed, graded["log"].read_text()[-3000:]
    assert len(graded["result"].graded) == 3
    assert "warm kernels unavailable" not in graded["log"].read_text()


def test_did_the_leaver_run_and_get_blocked_where_it_should(graded):
    """Did the leaver run (it wrote its files in its own /tmp and home), and fail to write module files?"""
    out = _outputs(graded["root"], "lb1-leave")
    assert "wrote /tmp/odtb-left" in out and "shm " in out
    assert "ATTACK-SUCCEEDED" not in out


@pytest.mark.parametrize("looker", ["lb2-look", "lb3-look"])
def test_does_the_next_kernel_find_nothing_left_behind(graded, looker):
    """Does the next submission's kernel see no file, process, socket, shared memory, changed module or
    memory of the one before?"""
    out = _outputs(graded["root"], looker)
    assert "LOOKED" in out, out
    assert "ATTACK-SUCCEEDED" not in out, out


def test_are_templates_and_their_kernels_gone(graded):
    """When the batch ends, is no template or forked kernel of it left running, and its spool gone?
    (Other batches, like the stack's autograder, may have their own templates meanwhile.)"""
    time.sleep(0.5)
    procs = subprocess.run(["pgrep", "-af", "testbed-warm"], capture_output=True, text=True).stdout
    spools = {p.name for p in SPOOL.iterdir()} if SPOOL.exists() else set()
    for line in procs.splitlines():
        assert not any(s.name in line for s in graded["new_spools"]), line
    assert not spools & {s.name for s in graded["new_spools"]}

"""Grading throughput: sandboxed parallel grading (grader.batch) vs stock serial `nbgrader autograde`,
in the same run, on the same 40 submissions; plus the sandbox's overhead per notebook.

Run as root (the sandbox drops to other uids):
    /opt/testbed/venvs/cli/bin/python benchmarks/bench_grading.py [--n 40] [--workers N]

Prints a comparison table. Stock = `nbgrader autograde A` then `nbgrader generate_feedback A`, one
process each for all submissions (stock kernels, no sandbox): the same job as `./testbed grade`.
Cold = a new bwrap and Python per notebook; warm = kernels forked from a pre-imported template
(grader.warm). Sandbox overhead = the warm path (1 worker) with and without the sandbox (bwrap and the
per-kernel namespaces): the same forked kernels either way.
For the real curriculum see bench_grading_course.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader import batch  # noqa: E402

SOLUTION = "def goukei(xs):\n    return sum(xs)\n"  # grader.coursebuilder.SOLUTION (needs nbformat)

HUB = Path("/opt/testbed/venvs/hub/bin")
ENV = {"PATH": f"{HUB}:/usr/bin:/bin", "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"}


def make_course(base: Path, n: int) -> Path:
    answers = base / "answers"
    answers.mkdir()
    specs = []
    for i in range(n):
        f = answers / f"s{i:02d}"
        f.write_text(SOLUTION if i % 3 else "def goukei(xs):\n    return 0\n")
        specs.append(f"s{i:02d}={f}")
    root = base / "course"
    subprocess.run(
        [str(HUB / "python"), "-m", "grader.coursebuilder", str(root), "bench", "a1", str(HUB / "nbgrader"), *specs],
        check=True,
        capture_output=True,
        env={**ENV, "HOME": str(base)},
    )
    return root


def fresh(template: Path, base: Path, name: str) -> Path:
    root = base / name
    shutil.copytree(template, root)
    return root


def stock_serial(root: Path) -> float:
    """Stock nbgrader doing the same job: autograde + generate_feedback, one process each, serial."""
    t = time.perf_counter()
    for args in (["autograde", "a1", "--force", "--create"], ["generate_feedback", "a1", "--force"]):
        subprocess.run(
            [str(HUB / "nbgrader"), *args], cwd=root, check=True, capture_output=True, env={**ENV, "HOME": str(root)}
        )
    return time.perf_counter() - t


def sandboxed(root: Path, workers: int, sandbox: bool = True, warm: bool = True) -> float:
    t = time.perf_counter()
    r = batch.grade_assignment(
        root=root,
        course="bench",
        assignment="a1",
        python=HUB / "python",
        workers=workers,
        log_path=root.parent / f"{root.name}.log",
        sandbox=sandbox,
        warm=warm,
    )
    assert not r.failed, r.failed
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=40)
    p.add_argument("--workers", type=int, default=os.cpu_count())
    a = p.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        template = make_course(base, a.n)
        rows = []
        stock = stock_serial(fresh(template, base, "stock"))
        rows.append(("stock nbgrader autograde + generate_feedback (serial)", stock))
        cold_plain = sandboxed(fresh(template, base, "cplain1"), 1, sandbox=False, warm=False)
        rows.append(("cold kernels x1, no sandbox (the formgrader's button)", cold_plain))
        cold = sandboxed(fresh(template, base, "cold1"), 1, warm=False)
        rows.append(("cold kernels x1, sandboxed", cold))
        warm_plain = sandboxed(fresh(template, base, "wplain1"), 1, sandbox=False)
        rows.append(("warm kernels x1, no sandbox", warm_plain))
        warm_sb = sandboxed(fresh(template, base, "warm1"), 1)
        rows.append(("warm kernels x1, sandboxed", warm_sb))
        cold_par = sandboxed(fresh(template, base, "coldN"), a.workers, warm=False)
        rows.append((f"cold kernels x{a.workers}, sandboxed", cold_par))
        par = sandboxed(fresh(template, base, "warmN"), a.workers)
        rows.append((f"warm kernels x{a.workers}, sandboxed (./testbed grade)", par))
        print(f"\n{a.n} submissions, {os.cpu_count()} cores\n")
        print(f"| {'path':<56} | {'total s':>8} | {'s/nb':>6} | {'vs stock':>9} |")
        print(f"|{'-' * 58}|{'-' * 10}|{'-' * 8}|{'-' * 11}|")
        for name, sec in rows:
            print(f"| {name:<56} | {sec:8.1f} | {sec / a.n:6.2f} | {stock / sec:8.2f}x |")
        print(f"\nwarm vs cold, {a.workers} workers: {cold_par / par:.2f}x")
        print(f"sandbox overhead per notebook (warm, 1 worker): {(warm_sb - warm_plain) / warm_plain * 100:+.1f} %")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Parallel autograding of one assignment: N warm workers (grader.worker), one submission at a time each.

Every submission is graded on its own, so the result does not depend on the number of workers or
the order. A worker that dies mid-batch loses only its in-flight submission (no done-marker is
written), which is retried once on a fresh worker here and otherwise left for the next run. A
submission whose notebooks cannot be read is reported in ``broken`` (this run's and earlier runs' finds
while the trainee has not submitted again), never as a failure: re-running would not change it.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from grader.broken import instructor_message
from grader.layout import broken_students, pending_students, submitted_students
from testbed_config import japan_time

REPO = Path(__file__).resolve().parent.parent


@dataclass
class BatchResult:
    graded: dict[str, dict] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    # submissions whose notebooks cannot be read, in their current version (not graded; the trainee's
    # feedback says so): student -> what happened and what to do (Japanese)
    broken: dict[str, str] = field(default_factory=dict)
    skipped: int = 0
    refreshed: list[str] = field(default_factory=list)  # feedback regenerated after the instructor's grading
    waiting: list[str] = field(default_factory=list)  # graded, but manual grading is pending (手採点待ち)


# anonymous uids of sandboxed kernels, one per worker slot (see grader.sandbox.sandbox_account)
SANDBOX_UID_BASE = 61000


@dataclass
class _Worker:
    proc: subprocess.Popen
    slot: int
    student: str | None = None


def _spawn(python: Path, root: Path, course: str, assignment: str, opts: dict, stderr, slot: int) -> _Worker:
    cmd = [str(python), "-m", "grader.worker", "--root", str(root), "--course", course, "--assignment", assignment]
    for k, v in {**opts, "sandbox_uid": SANDBOX_UID_BASE + slot}.items():
        cmd += [f"--{k.replace('_', '-')}", str(v)]
    env = {
        "PATH": f"{python.parent}:/usr/bin:/bin",
        "HOME": str(root.parent),
        "LANG": "C.UTF-8",
        "TZ": japan_time.ZONE_NAME,  # nbgrader reads the submissions' "… JST" timestamps in the local zone
        "PYTHONPATH": str(REPO),
    }
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, cwd=root, env=env, text=True, bufsize=1
    )
    return _Worker(proc, slot)


def grade_assignment(
    *,
    root: Path,
    course: str,
    assignment: str,
    python: Path,
    workers: int | None = None,
    force: bool = False,
    timeout: int = 30,
    notebook_timeout: int = 120,
    max_output: int = 1_000_000,
    log_path: Path | None = None,
    on_done=None,
    sandbox: bool = True,
    warm: bool = True,
    ckan_url: str = "",
    pool: Pool | None = None,
) -> BatchResult:
    """Grade every submission of ``assignment`` not yet graded in its current version (with ``pool``'s workers,
    kept for the next call, or with workers started for this call only)."""
    root = Path(root)
    todo = pending_students(root, assignment, force=force)
    before = {} if force else broken_students(root, assignment)  # found earlier, not submitted again since
    result = BatchResult(skipped=len(submitted_students(root, assignment)) - len(todo) - len(before))
    result.broken = {s: instructor_message(p) for s, p in before.items()}
    if not todo:
        return result
    own = pool is None
    if pool is None:
        pool = Pool(
            root=root,
            course=course,
            assignment=assignment,
            python=python,
            workers=max(1, min(workers or os.cpu_count() or 1, len(todo))),
            timeout=timeout,
            notebook_timeout=notebook_timeout,
            max_output=max_output,
            log_path=log_path,
            sandbox=sandbox,
            warm=warm,
            ckan_url=ckan_url,
        )
    try:
        pool.grade(todo, result, on_done)
    finally:
        if own:
            pool.close()
    return result


class Pool:
    """N grading workers of one assignment (each with its warm kernel template), kept between batches.

    ``./testbed grade`` uses one per run; remote mode's autograder keeps one per assignment between its rounds,
    so a new submission is graded without starting Python, nbgrader and a template first. ``release_to``
    (the course's exchange folder): each worker releases the feedback it made at once (grader.release)."""

    def __init__(
        self,
        *,
        root: Path,
        course: str,
        assignment: str,
        python: Path,
        workers: int | None = None,
        timeout: int = 30,
        notebook_timeout: int = 120,
        max_output: int = 1_000_000,
        log_path: Path | None = None,
        sandbox: bool = True,
        warm: bool = True,
        ckan_url: str = "",
        release_to: Path | None = None,
    ):
        self.root, self.course, self.assignment, self.python = Path(root), course, assignment, python
        self.n = max(1, workers or os.cpu_count() or 1)
        self.opts: dict = {"timeout": timeout, "notebook_timeout": notebook_timeout, "max_output": max_output}
        if ckan_url:
            self.opts["ckan_url"] = ckan_url
        if not sandbox:  # benchmarks only: stock kernels, to measure the sandbox's cost
            self.opts["sandbox"] = 0
        if not warm or os.environ.get("TESTBED_GRADER_WARM") == "0":
            # cold sandboxed kernels (a fresh bwrap and Python per notebook): benchmarks, comparisons
            self.opts["warm"] = 0
        if release_to is not None:
            self.opts["release_to"] = str(release_to)
        self.log_path = log_path
        self.stderr = subprocess.DEVNULL
        self.workers: dict[int, _Worker] = {}
        self.used = time.monotonic()

    def _worker(self, slot: int) -> _Worker:
        w = self.workers.get(slot)
        if w is None or w.proc.poll() is not None:
            if self.log_path and self.stderr is subprocess.DEVNULL:  # opened again after a close
                self.stderr = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
            w = self.workers[slot] = _spawn(
                self.python, self.root, self.course, self.assignment, self.opts, self.stderr, slot
            )
        return w

    def grade(self, todo: list[str], result: BatchResult, on_done=None) -> None:
        """Grade ``todo`` (one submission per worker at a time) into ``result``; a worker that dies loses only its
        submission, which is retried once on a fresh worker."""
        self.used = time.monotonic()
        queue: deque[str] = deque(todo)
        retried: set[str] = set()
        sel = selectors.DefaultSelector()

        def feed(w: _Worker) -> bool:
            if not queue:
                w.student = None
                return False
            w.student = queue.popleft()
            try:
                w.proc.stdin.write(json.dumps({"student": w.student}) + "\n")
                w.proc.stdin.flush()
            except OSError:  # died while idle: its EOF comes next, and the submission is retried
                pass
            return True

        def start(slot: int) -> None:
            w = self._worker(slot)
            sel.register(w.proc.stdout, selectors.EVENT_READ, w)
            if not feed(w):
                sel.unregister(w.proc.stdout)

        try:
            for slot in range(min(self.n, len(queue))):
                start(slot)
            while sel.get_map():
                for key, _ in sel.select():
                    w: _Worker = key.data
                    line = w.proc.stdout.readline()
                    if line:
                        r = json.loads(line)
                        if r["ok"]:
                            result.graded[r["student"]] = r
                        elif r.get("broken"):
                            result.broken[r["student"]] = r["broken"]
                        else:
                            result.failed[r["student"]] = r["error"]
                        if on_done:
                            on_done(r)
                        if not feed(w):
                            sel.unregister(w.proc.stdout)
                        continue
                    # EOF: the worker died
                    sel.unregister(w.proc.stdout)
                    w.proc.wait()
                    if w.student is not None:
                        if w.student in retried:
                            why = f"採点プロセスが異常終了しました (終了コード {w.proc.returncode})"
                            result.failed[w.student] = why
                            if on_done:
                                on_done({"student": w.student, "ok": False})
                        else:
                            retried.add(w.student)
                            queue.appendleft(w.student)
                        if queue:
                            start(w.slot)
        except BaseException:
            self.close()  # a worker may be mid-submission: never hand it the next batch
            raise
        finally:
            sel.close()
        self.used = time.monotonic()

    def close(self) -> None:
        """End the workers (each closes its template first when its input ends)."""
        for w in self.workers.values():
            if w.proc.poll() is None:
                try:
                    w.proc.stdin.close()
                except OSError:
                    pass
        for w in self.workers.values():
            try:
                w.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait()
        self.workers.clear()
        if self.stderr is not subprocess.DEVNULL:
            self.stderr.close()
            self.stderr = subprocess.DEVNULL

"""Collect → sandboxed parallel autograde → feedback release of one assignment on the live stack.

The one sequence behind `./testbed grade ASSIGNMENT` (instructor) and the remote-mode autograder
(grader.auto, no instructor action). Runs as root: nbgrader steps as the course's grader account,
kernels as each trainee's own account (grader/README.md).
"""

from __future__ import annotations

import fcntl
import json
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from grader.batch import REPO, BatchResult, Pool, grade_assignment
from grader.courses import CourseError, course_root, give_back, run_nbgrader
from grader.layout import pending_students
from testbed_config import japan_time
from testbed_config.layout import Layout
from testbed_config.names import ROSTER_EXPORT


def log_path(layout: Layout, course: str) -> Path:
    return layout.logs / f"grading-{course}.log"


@contextmanager
def course_lock(layout: Layout, course: str, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One grading run per course at a time (the instructor's command and the remote autograder
    would otherwise both write the gradebook)."""
    layout.run.mkdir(parents=True, exist_ok=True)
    with open(layout.run / f"grading-{course}.lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(f, fcntl.LOCK_EX)
        yield


def grade_and_release(
    layout: Layout,
    course: str,
    assignment: str,
    *,
    workers: int | None = None,
    force: bool = False,
    on_todo: Callable[[int], None] | None = None,
    on_done: Callable[[dict], None] | None = None,
    on_wait: Callable[[], None] | None = None,
    pool: Pool | None = None,
    fast: bool = False,
) -> BatchResult:
    """Grade every submission of ``assignment`` not yet graded in its current version, then release
    the feedback of everything graded. ``on_todo(n)`` is called once with the number to grade,
    ``on_wait()`` when another grading run of the course must finish first. ``pool``: workers kept between
    calls (remote mode's autograder). ``fast``: the pool's workers release each feedback as they make it, and
    the refresh after manual grading (with its ``release_feedback``) is left to the next full round."""
    with course_lock(layout, course, on_wait):
        return _grade_and_release(layout, course, assignment, workers, force, on_todo, on_done, pool, fast)


def new_pool(layout: Layout, course: str, assignment: str, workers: int | None = None) -> Pool:
    """Workers for ``assignment`` that stay between grading runs and release each feedback at once."""
    return Pool(
        root=course_root(layout, course),
        course=course,
        assignment=assignment,
        python=layout.hub_venv / "bin" / "python",
        workers=workers,
        log_path=log_path(layout, course),
        ckan_url=layout.cfg.ckan_internal_url,
        release_to=layout.exchange / course,
    )


def _grade_and_release(layout, course, assignment, workers, force, on_todo, on_done, pool, fast) -> BatchResult:
    root = course_root(layout, course)
    if not (root / "source" / assignment).is_dir():
        raise CourseError(
            f"課題 {assignment!r} はコース {course} にありません。./testbed course list で確認してください。"
        )
    run_nbgrader(layout, course, ["collect", assignment, "--update"])
    todo = pending_students(root, assignment, force=force)
    if on_todo:
        on_todo(len(todo))
    result = grade_assignment(
        root=root,
        course=course,
        assignment=assignment,
        python=layout.hub_venv / "bin" / "python",
        workers=workers,
        force=force,
        log_path=log_path(layout, course),
        ckan_url=layout.cfg.ckan_internal_url,
        on_done=on_done,
        pool=pool,
    )
    give_back(layout, course)
    if fast and pool is not None and "release_to" in pool.opts:
        return result  # released by the workers; refreshed at the next full round
    fresh = _refresh(layout, course, assignment)
    result.refreshed = fresh.refreshed.get(assignment, [])
    result.waiting = fresh.waiting.get(assignment, [])
    if result.graded or result.refreshed or result.broken:  # a broken submission's feedback says so
        run_nbgrader(layout, course, ["release_feedback", assignment])
    return result


@dataclass
class Refresh:
    """What one feedback refresh did: names written, feedback regenerated and still waiting, per assignment."""

    names: int = 0
    refreshed: dict[str, list[str]] = field(default_factory=dict)
    waiting: dict[str, list[str]] = field(default_factory=dict)


def refresh_feedback(layout: Layout, course: str, *, on_wait: Callable[[], None] | None = None) -> Refresh:
    """Regenerate and release the feedback of every submission the instructor graded (or commented) by hand
    since its feedback was made, and write the roster's 氏名 into the gradebook (grader.refresh)."""
    with course_lock(layout, course, on_wait):
        fresh = _refresh(layout, course, None)
        for assignment in sorted(fresh.refreshed):
            run_nbgrader(layout, course, ["release_feedback", assignment])
        return fresh


def _refresh(layout: Layout, course: str, assignment: str | None) -> Refresh:
    root = course_root(layout, course)
    python = layout.hub_venv / "bin" / "python"
    cmd = [str(python), "-m", "grader.refresh", "--root", str(root), "--course", course]
    cmd += ["--roster", str(layout.course_home(course) / ROSTER_EXPORT), "--prefix", layout.cfg.unix_user_prefix]
    if assignment:
        cmd += ["--assignment", assignment]
    env = {
        "PATH": f"{python.parent}:/usr/bin:/bin",
        "HOME": str(root.parent),
        "LANG": "C.UTF-8",
        "TZ": japan_time.ZONE_NAME,
        "PYTHONPATH": str(REPO),
    }
    with open(log_path(layout, course), "a", encoding="utf-8") as log:
        proc = subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    give_back(layout, course)
    if proc.returncode != 0:
        raise CourseError(
            f"フィードバックの更新に失敗しました (終了コード {proc.returncode})。ログ: {log_path(layout, course)}"
        )
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return Refresh(data["names"], data["refreshed"], data["waiting"])

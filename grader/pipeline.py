"""Collect → sandboxed parallel autograde → feedback release of one assignment on the live stack.

The one sequence behind `./testbed grade ASSIGNMENT` (instructor) and the remote-mode autograder
(grader.auto, no instructor action). Runs as root: nbgrader steps as the course's grader account,
kernels as each trainee's own account (grader/README.md).
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from grader.batch import BatchResult, grade_assignment
from grader.courses import CourseError, course_root, give_back, run_nbgrader
from grader.layout import pending_students
from testbed_config.layout import Layout


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
) -> BatchResult:
    """Grade every submission of ``assignment`` not yet graded in its current version, then release
    the feedback of everything graded. ``on_todo(n)`` is called once with the number to grade,
    ``on_wait()`` when another grading run of the course must finish first."""
    with course_lock(layout, course, on_wait):
        return _grade_and_release(layout, course, assignment, workers, force, on_todo, on_done)


def _grade_and_release(layout, course, assignment, workers, force, on_todo, on_done) -> BatchResult:
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
    )
    give_back(layout, course)
    if result.graded:
        run_nbgrader(layout, course, ["release_feedback", assignment])
    return result

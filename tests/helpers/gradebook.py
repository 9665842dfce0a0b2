"""Test-data builder for a course's gradebook: a trainee's graded submissions, as autograding leaves them.

Rows go straight into the live ``gradebook.db`` (the progress board reads nothing else for scores), each
with a fresh id, and are deleted again on exit; an assignment row is added only when the course has none of
that name yet (and then removed too). The gradebook is first created by nbgrader itself, as the course's
grader account, in case no assignment was ever generated on this stack.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid

from grader.courses import course_root, run_nbgrader


def _id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def graded(layout, course: str, user: str, scores: dict[str, tuple[float, float]], *, timestamp: str):
    """``user`` (hub name) holds a graded submission of each assignment: ``{name: (score, max_score)}``, all
    submitted at ``timestamp`` (nbgrader's form: naive UTC, ``2026-11-30 15:30:00.000000``), none waiting
    for manual grading."""
    run_nbgrader(layout, course, ["db", "student", "list"])  # creates gradebook.db and its tables if missing
    db = course_root(layout, course) / "gradebook.db"
    student = layout.cfg.unix_user_prefix + user
    added: list[tuple[str, str]] = []  # (table, id), deleted in reverse order on exit
    conn = sqlite3.connect(db, timeout=30)
    try:
        with conn:
            if conn.execute("SELECT 1 FROM student WHERE id = ?", (student,)).fetchone() is None:
                conn.execute("INSERT INTO student (id) VALUES (?)", (student,))
                added.append(("student", student))
            for name, (score, max_score) in scores.items():
                row = conn.execute("SELECT id FROM assignment WHERE name = ?", (name,)).fetchone()
                if row is None:
                    assignment_id = _id()
                    conn.execute(
                        "INSERT INTO assignment (id, name, course_id) VALUES (?, ?, ?)", (assignment_id, name, course)
                    )
                    added.append(("assignment", assignment_id))
                else:
                    assignment_id = row[0]
                sub, nb, cell, grade = _id(), _id(), _id(), _id()
                conn.execute(
                    "INSERT INTO submitted_assignment (id, assignment_id, student_id, timestamp) VALUES (?, ?, ?, ?)",
                    (sub, assignment_id, student, timestamp),
                )
                conn.execute(
                    "INSERT INTO submitted_notebook (id, assignment_id, notebook_id, flagged) VALUES (?, ?, ?, 0)",
                    (nb, sub, _id()),
                )
                conn.execute(
                    "INSERT INTO grade_cells (id, max_score, cell_type) VALUES (?, ?, 'code')", (cell, max_score)
                )
                conn.execute(
                    "INSERT INTO grade (id, notebook_id, cell_id, auto_score, needs_manual_grade)"
                    " VALUES (?, ?, ?, ?, 0)",
                    (grade, nb, cell, score),
                )
                added += [("submitted_assignment", sub), ("submitted_notebook", nb)]
                added += [("grade_cells", cell), ("grade", grade)]
        yield student
    finally:
        with conn:
            for table, row_id in reversed(added):
                conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))  # table names are ours, not input
        conn.close()

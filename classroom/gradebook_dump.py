"""Prints a course's gradebook as JSON rows (runs in the hub's Python environment, which has nbgrader).

python -m classroom.gradebook_dump COURSE_ROOT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry


def rows(root: Path) -> list[dict]:
    """One row per (student, assignment): score, max, submission time, completed (no manual grading left)."""
    out = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for student in gb.students:
                row = {"trainee": student.id, "assignment": assignment.name, "max": assignment.max_score}
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    out.append({**row, "score": None, "submitted_at": None, "completed": False})
                    continue
                out.append(
                    {
                        **row,
                        "score": sub.score,
                        "submitted_at": sub.timestamp.isoformat(sep=" ", timespec="seconds") if sub.timestamp else None,
                        "completed": not sub.needs_manual_grade,
                    }
                )
    return out


if __name__ == "__main__":
    json.dump(rows(Path(sys.argv[1])), sys.stdout, ensure_ascii=False)

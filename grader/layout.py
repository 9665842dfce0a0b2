"""Where nbgrader keeps things in a course directory, and which submissions still need grading.

Pure file-system helpers (no nbgrader import), shared by the CLI side and the grading worker."""

from __future__ import annotations

from pathlib import Path

MARKER = ".testbed-graded"


def submission_stamp(root: Path, assignment: str, student: str) -> str:
    """nbgrader's timestamp of a collected submission ('' when it has none)."""
    p = Path(root) / "submitted" / student / assignment / "timestamp.txt"
    return p.read_text(encoding="utf-8").strip() if p.exists() else ""


def done_marker(root: Path, assignment: str, student: str) -> Path:
    """Written last, after the grade is in the gradebook and the feedback exists."""
    return Path(root) / "autograded" / student / assignment / MARKER


def submitted_students(root: Path, assignment: str) -> list[str]:
    base = Path(root) / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


def pending_students(root: Path, assignment: str, *, force: bool = False) -> list[str]:
    """Submissions not yet graded in their current version (a crashed run leaves them here)."""
    out = []
    for s in submitted_students(root, assignment):
        m = done_marker(root, assignment, s)
        if force or not m.exists() or m.read_text(encoding="utf-8") != submission_stamp(root, assignment, s):
            out.append(s)
    return out

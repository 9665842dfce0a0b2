"""Where nbgrader keeps things in a course directory, and which submissions still need grading.

Pure file-system helpers (no nbgrader import), shared by the CLI side and the grading worker."""

from __future__ import annotations

import json
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
    """Submissions not yet graded in their current version (a crashed run leaves them here); a submission
    found broken (``broken_problems``) waits for the trainee to submit again, unless ``force``."""
    out = []
    for s in submitted_students(root, assignment):
        m = done_marker(root, assignment, s)
        if force or not m.exists() or m.read_text(encoding="utf-8") != submission_stamp(root, assignment, s):
            if force or broken_problems(root, assignment, s) is None:
                out.append(s)
    return out


BROKEN_MARKER = ".testbed-broken"


def broken_marker(root: Path, assignment: str, student: str) -> Path:
    """Written instead of a grade when the submission cannot be read (JSON: ``stamp``, ``problems``)."""
    return Path(root) / "autograded" / student / assignment / BROKEN_MARKER


def broken_problems(root: Path, assignment: str, student: str) -> list[str] | None:
    """What is wrong with the submission's current version (Japanese), or None when it was not found broken."""
    try:
        data = json.loads(broken_marker(root, assignment, student).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("stamp") != submission_stamp(root, assignment, student):
        return None
    return [str(p) for p in data.get("problems", [])]


def broken_students(root: Path, assignment: str) -> dict[str, list[str]]:
    """Every submission of ``assignment`` whose current version is broken, with its problems."""
    found = {s: broken_problems(root, assignment, s) for s in submitted_students(root, assignment)}
    return {s: p for s, p in found.items() if p is not None}


FEEDBACK_MARKER = ".testbed-feedback"


def feedback_marker(root: Path, assignment: str, student: str) -> Path:
    """What the submission's current feedback was generated from (JSON: ``stamp``, ``grades``)."""
    return Path(root) / "autograded" / student / assignment / FEEDBACK_MARKER


def is_graded(root: Path, assignment: str, student: str) -> bool:
    """Is the submission's current version autograded (its done-marker matches its timestamp)?"""
    m = done_marker(root, assignment, student)
    return m.exists() and m.read_text(encoding="utf-8") == submission_stamp(root, assignment, student)

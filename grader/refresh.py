"""Feedback that stays fresh, and trainees' names in the gradebook (trusted side, hub environment).

After an instructor grades by hand (or edits a comment) in the formgrader, the gradebook no longer matches
what the trainee's feedback was generated from. For every autograded submission this compares the
gradebook's grades and comments with the record written beside the feedback (``grader.layout.feedback_marker``)
and regenerates the feedback of those that differ; the caller (``grader.pipeline.refresh_feedback``, as root)
then releases it. It also writes the roster's 氏名 into nbgrader's student records, so the formgrader shows
real names instead of "None, None".

    python -m grader.refresh --root COURSE_ROOT --course ID [--assignment A] [--roster JSON --prefix jupyter-]

Prints one JSON line: ``{"names": n, "refreshed": {assignment: [student]}, "waiting": {assignment: [student]}}``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory

from grader.layout import feedback_marker, is_graded, submission_stamp
from testbed_config.names import GRADEBOOK


def grades_signature(sub) -> str:
    """A digest of everything of a submission its feedback shows: scores (auto, manual, extra credit) and
    comments, per notebook and cell, plus whether manual grading is still pending."""
    items = [bool(sub.needs_manual_grade)]
    for nb in sorted(sub.notebooks, key=lambda n: n.name):
        items += [(nb.name, g.name, g.auto_score, g.manual_score, g.extra_credit) for g in nb.grades]
        items += [(nb.name, c.name, c.auto_comment, c.manual_comment) for c in nb.comments]
    return hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()


def record_feedback(root: Path, gb: Gradebook, assignment: str, student: str) -> None:
    """Note what the feedback just generated for this submission was made from."""
    sub = gb.find_submission(assignment, student)
    data = {"stamp": submission_stamp(root, assignment, student), "grades": grades_signature(sub)}
    feedback_marker(root, assignment, student).write_text(json.dumps(data), encoding="utf-8")


def is_stale(root: Path, gb: Gradebook, assignment: str, student: str) -> bool:
    """Does the gradebook differ from what this (autograded) submission's feedback was generated from?"""
    try:
        data = json.loads(feedback_marker(root, assignment, student).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    sub = gb.find_submission(assignment, student)
    return data.get("stamp") != submission_stamp(root, assignment, student) or data.get("grades") != grades_signature(
        sub
    )


def split_name(fullname: str) -> tuple[str, str]:
    """``山田 太郎`` -> (姓 ``山田``, 名 ``太郎``); a name without a space is all 姓."""
    parts = fullname.split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1] if len(parts) > 1 else ""


def sync_names(gb: Gradebook, roster: Path, prefix: str) -> int:
    """Write every roster member's 氏名 into the gradebook (student id = Unix account); the number changed."""
    try:
        members = json.loads(roster.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    members = members.get("members", []) if isinstance(members, dict) else []
    changed = 0
    for m in members:
        if not m.get("username") or not m.get("fullname"):
            continue
        last, first = split_name(m["fullname"])
        sid = prefix + m["username"]
        try:
            s = gb.find_student(sid)
            if (s.last_name, s.first_name) == (last, first):
                continue
        except MissingEntry:
            pass
        gb.update_or_create_student(sid, last_name=last, first_name=first)
        changed += 1
    return changed


def refresh(cfg, root: Path, assignment: str | None = None) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Regenerate stale feedback; (refreshed, waiting for manual grading), each {assignment: [student]}."""
    refreshed: dict[str, list[str]] = {}
    waiting: dict[str, list[str]] = {}
    log = logging.getLogger("grader.refresh")
    with Gradebook(f"sqlite:///{root / GRADEBOOK}") as gb:
        names = [assignment] if assignment else [a.name for a in gb.assignments]
        for name in names:
            try:
                subs = gb.assignment_submissions(name)
            except MissingEntry:
                continue
            for sub in subs:
                student = sub.student.id
                if not is_graded(root, name, student):
                    continue  # not autograded in its current version yet: `grade` or the autograder will
                if sub.needs_manual_grade:
                    waiting.setdefault(name, []).append(student)
                if not is_stale(root, gb, name, student):
                    continue
                cd = CourseDirectory(config=cfg)
                cd.assignment_id, cd.student_id = name, student
                app = GenerateFeedback(coursedir=cd, config=cfg, log=log)
                app.force = True
                try:
                    app.start()
                except Exception:  # e.g. the assignment is being removed right now; the others go on
                    log.exception("feedback of %s/%s not regenerated (tried again next round)", name, student)
                    continue
                record_feedback(root, gb, name, student)
                refreshed.setdefault(name, []).append(student)
    return refreshed, waiting


def main(argv: list[str] | None = None) -> int:
    from grader.worker import grading_config

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--root", required=True)
    p.add_argument("--course", required=True)
    p.add_argument("--assignment")
    p.add_argument("--roster", help="the roster export written by ./testbed (氏名 go into the gradebook)")
    p.add_argument("--prefix", default="", help="Unix account prefix of trainees (jupyter-)")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    root = Path(a.root)
    cfg = grading_config(a.root, a.course, timeout=30, notebook_timeout=120, max_output=1_000_000)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # nbgrader's own prints must not mix with the result line
    names = 0
    if a.roster:
        with Gradebook(f"sqlite:///{root / GRADEBOOK}") as gb:
            names = sync_names(gb, Path(a.roster), a.prefix)
    refreshed, waiting = refresh(cfg, root, a.assignment)
    out.write(json.dumps({"names": names, "refreshed": refreshed, "waiting": waiting}, ensure_ascii=False) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

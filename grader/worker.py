"""A warm grading worker (trusted; runs in the hub's Python environment, as root or the grader account).

Reads one JSON task per line on stdin (``{"student": ...}``), autogrades that submission with the
sandboxed Execute, generates its feedback without hidden tests, marks it done and answers one JSON
line on stdout. A submission whose notebooks cannot be read is not graded: its feedback says so
(grader.broken) and the answer carries ``broken``, the Japanese report for the instructor. One process
grades many submissions, so nbgrader's import cost is paid once.

    python -m grader.worker --root COURSE_ROOT --course ID --assignment NAME [--timeout S ...]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from pathlib import Path

import jinja2
import jinja2.bccache
import nbformat
from nbconvert.exporters.templateexporter import TemplateExporter
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets.config import Config

from grader import broken, nbgrader_settings, warm
from grader.layout import done_marker, submission_stamp
from grader.refresh import record_feedback
from grader.release import release_one
from grader.sandbox import SandboxKernelManager
from testbed_config import names


class _CompiledTemplates(jinja2.BytecodeCache):
    """jinja2's bytecode cache, in this process's memory: nbconvert compiles its templates again for every
    exporter it makes, i.e. for every submission's feedback page, and one worker makes many. jinja2 checks each
    template's source against the cached code's checksum, so a changed template is compiled again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def keep_compiled_templates() -> None:
    """Give every nbconvert template environment of this process one shared ``_CompiledTemplates``."""
    cache = _CompiledTemplates()
    create = TemplateExporter._create_environment
    if getattr(create, "keeps_compiled", False):
        return

    def _create_environment(self):
        env = create(self)
        env.bytecode_cache = cache
        return env

    _create_environment.keeps_compiled = True
    TemplateExporter._create_environment = _create_environment


def grading_config(root: str, course: str, *, timeout: int, notebook_timeout: int, max_output: int) -> Config:
    """nbgrader settings of a sandboxed grading run (the formgrader's config file holds the same)."""
    c = Config()
    nbgrader_settings.apply(c, nbgrader_settings.course_settings(root, course))
    c.Execute.timeout = timeout
    c.SandboxedExecute.notebook_timeout = notebook_timeout
    c.SandboxedExecute.max_output_bytes = max_output
    return c


def grade_one(cfg: Config, assignment: str, student: str) -> dict:
    """Autograde (CKAN check cells included) + feedback of one submission; only this trusted side writes
    the gradebook."""
    root = Path(cfg.CourseDirectory.root)
    log = logging.getLogger("grader.worker")
    found = broken.problems(root, assignment, student)
    if found:
        return _broken(root, assignment, student, found)
    try:
        for cls in (Autograde, GenerateFeedback):
            cd = CourseDirectory(config=cfg)
            cd.assignment_id = assignment
            cd.student_id = student
            app = cls(coursedir=cd, config=cfg, log=log)
            app.force = True
            if cls is Autograde:
                app.create_student = True
            app.start()
    except Exception:
        found = _invalid(root, assignment, student)
        if not found:
            raise
        log.exception("%s/%s: the submission does not follow the notebook format", assignment, student)
        return _broken(root, assignment, student, found)
    with Gradebook(f"sqlite:///{root / names.GRADEBOOK}") as gb:
        sub = gb.find_submission(assignment, student)
        score, max_score, needs_manual = sub.score, sub.max_score, bool(sub.needs_manual_grade)
        record_feedback(root, gb, assignment, student)
    done_marker(root, assignment, student).write_text(submission_stamp(root, assignment, student), encoding="utf-8")
    return {"student": student, "ok": True, "score": score, "max_score": max_score, "needs_manual": needs_manual}


def _invalid(root: Path, assignment: str, student: str) -> list[str]:
    """Notebooks of the submission that are JSON notebooks but break nbformat's schema (checked only after
    nbgrader failed on them: a notebook nbgrader can grade is never refused for a schema detail)."""
    out = []
    for path in sorted((root / "submitted" / student / assignment).glob("*.ipynb")):
        try:
            nbformat.validate(nbformat.read(path, as_version=broken.NBFORMAT))
        except Exception:
            why = "ノートブックの形式に合わない箇所があります"
            out.append(f"提出されたノートブック {path.name} が壊れています ({why})")
    return out


def _broken(root: Path, assignment: str, student: str, found: list[str]) -> dict:
    """Not graded: the trainee's feedback says why, and the submission is marked broken in its current version."""
    broken.write_feedback(root, assignment, student, found)
    return {"student": student, "ok": False, "broken": broken.instructor_message(found)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--course", required=True)
    p.add_argument("--assignment", required=True)
    p.add_argument("--timeout", type=int, default=30)
    p.add_argument("--notebook-timeout", type=int, default=120)
    p.add_argument("--max-output", type=int, default=1_000_000)
    p.add_argument("--ckan-url", default="", help="CKAN for CKAN check cells (read-only, anonymous)")
    p.add_argument("--sandbox", type=int, default=1, help="0: stock kernels (benchmarks only)")
    p.add_argument("--sandbox-uid", type=int, default=0, help="anonymous uid of this worker's kernels (root only)")
    p.add_argument("--warm", type=int, default=1, help="1: kernels forked from a warm template (root, sandbox)")
    p.add_argument("--release-to", default="", help="the course's exchange folder: release each feedback at once")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    keep_compiled_templates()
    cfg = grading_config(
        a.root, a.course, timeout=a.timeout, notebook_timeout=a.notebook_timeout, max_output=a.max_output
    )
    cfg.SandboxedExecute.fallback_uid = a.sandbox_uid
    if a.ckan_url:  # CKAN check cells, and the CKAN_URL of kernels whose assignment opts in to reading CKAN
        cfg.SandboxedExecute.ckan_url = a.ckan_url
        cfg.CkanChecks.ckan_url = a.ckan_url
    if a.warm and a.sandbox_uid > 0 and os.geteuid() == 0:
        # sandbox 0 with warm: benchmarks only, the same forked kernels without bwrap and namespaces
        limits = SandboxKernelManager(config=cfg).limits  # the configured ones, as a cold kernel gets them
        warm.activate(a.sandbox_uid, warm.course_imports(a.root, a.assignment), limits, sandbox=bool(a.sandbox))
    elif not a.sandbox:
        cfg.Autograde.autograde_preprocessors = [Execute, *cfg.Autograde.autograde_preprocessors[1:]]
    # nothing but result lines on the real stdout: kernels and nbgrader inherit fd 1, so point it at stderr
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    for line in sys.stdin:
        if not line.strip():
            continue
        student = json.loads(line)["student"]
        try:
            result = grade_one(cfg, a.assignment, student)
            if a.release_to and (result["ok"] or result.get("broken")):
                try:
                    result["released"] = len(release_one(Path(a.root), Path(a.release_to), a.assignment, student))
                except OSError:  # graded all the same: the round's release_feedback releases it
                    traceback.print_exc(file=sys.stderr)
                    result["released"] = 0
        except Exception as e:  # reported to the parent, which decides; the batch goes on
            traceback.print_exc(file=sys.stderr)
            result = {"student": student, "ok": False, "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    warm.deactivate()
    return 0


if __name__ == "__main__":
    sys.exit(main())

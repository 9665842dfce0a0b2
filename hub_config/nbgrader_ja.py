"""nbgrader's Assignment List and Validate handlers with Japanese answers (trainees' servers).

nbgrader's own handler classes and manager, with Japanese where a trainee reads: a failed check says why (the
check's own message, as the feedback does: ``不合格: …``) instead of a Python traceback, and a failed list,
receive or submit says what happened and what to do (``hub_config.nbgrader_text``) while the traceback
goes to the server's log; submission times read ``2026年12月7日(月) 08:20:05`` (Japan time).
Imported on first use by ``hub_config.nbgrader_lazy``, which serves its routes.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from nbgrader import utils
from nbgrader.nbgraderformat import SchemaTooNewError, SchemaTooOldError
from nbgrader.server_extensions.assignment_list.handlers import (
    AssignmentActionHandler,
    AssignmentList,
    AssignmentListHandler,
    CourseListHandler,
)
from nbgrader.server_extensions.validate_assignment.handlers import ValidateAssignmentHandler
from nbgrader.validator import Validator
from tornado import web

from hub_config import nbgrader_text as text

__all__ = [
    "AssignmentActionHandler",
    "AssignmentListHandler",
    "CourseListHandler",
    "JapaneseAssignmentList",
    "JapaneseValidateHandler",
    "JapaneseValidator",
]


class JapaneseValidator(Validator):
    """nbgrader's Validator whose reasons for a failed cell are Japanese (no tracebacks)."""

    def _extract_error(self, cell) -> str:
        errors = []
        if cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type == "error":
                    errors.append(text.explain_error(output.get("ename", ""), output.get("evalue", "")))
                if output.output_type == "stream" and output.name == "stderr":
                    errors.append(text.STDERR.format(text=output.text))
            if not errors:
                if utils.is_grade(cell):
                    score, max_score = utils.determine_grade(cell, self.log)
                    if score < max_score:
                        errors.append(text.PARTIAL)
                else:
                    errors.append(text.NO_RESPONSE)
        else:
            errors.append(text.NO_RESPONSE)
        return "\n".join(errors)


class JapaneseValidateHandler(ValidateAssignmentHandler):
    """nbgrader's ``/assignments/validate`` (same path check), run by ``JapaneseValidator``."""

    def validate_notebook(self, path):
        root = Path(self.root_dir).resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root):
            raise web.HTTPError(403, "Access denied: path outside allowed directory")
        try:
            result = JapaneseValidator(config=self.load_config()).validate(str(target))
        except SchemaTooOldError:
            self.log.error(traceback.format_exc())
            return {"success": False, "value": text.SCHEMA_TOO_OLD.format(path=path)}
        except SchemaTooNewError:
            self.log.error(traceback.format_exc())
            return {"success": False, "value": text.SCHEMA_TOO_NEW.format(path=path)}
        except Exception:
            self.log.error(traceback.format_exc())
            return {"success": False, "value": text.explain_failure("validate", traceback.format_exc())}
        return {"success": True, "value": result}


def _japanese(action: str, answer: dict) -> dict:
    if answer.get("success") or not isinstance(answer.get("value"), str):
        return answer
    value = answer["value"]
    if "The exchange directory does not exist" in value:
        return {"success": False, "value": text.LEADS[action] + "\n" + text.EXCHANGE_MISSING}
    return {"success": False, "value": text.explain_failure(action, value)}


class JapaneseAssignmentList(AssignmentList):
    """nbgrader's manager of the Assignment List; failures explained in Japanese (tracebacks in the log)."""

    def list_released_assignments(self, course_id=None):
        return _japanese("list", super().list_released_assignments(course_id=course_id))

    def list_submitted_assignments(self, course_id=None):
        answer = _japanese("list", super().list_submitted_assignments(course_id=course_id))
        for assignment in answer["value"] if answer.get("success") else []:
            for submission in assignment.get("submissions", []):  # shown as is: Japan time, in Japanese
                submission["timestamp"] = text.submitted_at(submission.get("timestamp") or "")
        return answer

    def fetch_assignment(self, course_id, assignment_id):
        return _japanese("fetch", super().fetch_assignment(course_id, assignment_id))

    def fetch_feedback(self, course_id, assignment_id):
        return _japanese("fetch_feedback", super().fetch_feedback(course_id, assignment_id))

    def submit_assignment(self, course_id, assignment_id):
        return _japanese("submit", super().submit_assignment(course_id, assignment_id))

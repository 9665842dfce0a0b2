"""Feedback without hidden tests: test cells keep only their visible part, and a failing check shows
its message (what was expected) in Japanese, never the traceback (which would quote hidden lines)."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from grader.feedback_text import explain, status_note, strip_hidden
from testbed_config import japan_time


class StripHiddenTests(NbGraderPreprocessor):
    """GenerateFeedback step: removes hidden tests from sources and tracebacks of graded test cells."""

    def preprocess_cell(self, cell, resources, index):
        nbg = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not (nbg.get("grade") and not nbg.get("solution")):
            return cell, resources
        cell.source = strip_hidden(cell.source)
        outputs = []
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                text = explain(out)
                outputs.append(NotebookNode(output_type="stream", name="stderr", text=text + "\n"))
            elif out.output_type == "stream" or "BEGIN HIDDEN" not in str(out):
                outputs.append(out)
        cell.outputs = outputs
        return cell, resources


class StatusNote(NbGraderPreprocessor):
    """GenerateFeedback step: a note at the top saying when this feedback was made (Japan time) and whether
    its score is final or still waits for the instructor's manual grading (手採点待ち)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            sub = gb.find_submission(info["assignment"], info["student"])
            manually = any(g.manual_score is not None for n in sub.notebooks for g in n.grades)
            note = status_note(
                score=sub.score,
                max_score=sub.max_score,
                needs_manual=bool(sub.needs_manual_grade),
                manually_graded=manually,
                submitted=japan_time.japanese(sub.timestamp) if sub.timestamp else "",
                generated=japan_time.japanese(japan_time.now()),
            )
        cell = new_markdown_cell(note)
        cell.metadata["testbed"] = {"status_note": True}
        nb.cells.insert(0, cell)
        return nb, resources

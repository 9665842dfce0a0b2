"""Feedback without hidden tests: test cells keep only their visible part, and a failing check shows
its message (what was expected) in Japanese, never the traceback (which would quote hidden lines)."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from grader.feedback_text import explain, strip_hidden


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

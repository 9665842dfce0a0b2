"""``CkanChecks``: the CKAN check cells of a submission, scored inside nbgrader's autograde chain.

Runs in the trusted grading process after the sandboxed execution and before ``SaveAutoGrades``, so the
formgrader's Autograde button and ``./testbed grade`` score these cells the same way (both run the chain
of ``grader/nbgrader_settings.py``). A check cell (``# testbed-ckan-check`` + JSON, see grader/README.md)
is only comments in the sandbox; here it gets its outcome as outputs: a passing check a short Japanese
line, a failing one an ``AssertionError`` output naming each problem, which nbgrader scores 0 like any
failing test cell and the feedback shows as 「不合格: …」.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from grader.ckan_checks import ReadOnlyCkan, check, parse_spec
from testbed_config.ckan_client import CkanError

PASSED = "合格: CKAN の公開内容を確認しました。"


class CkanChecks(NbGraderPreprocessor):
    """Evaluates CKAN check cells against CKAN's read-only API, as an anonymous visitor."""

    ckan_url = Unicode("", help="CKAN read by the checks (anonymously); empty: every check fails, saying so").tag(
        config=True
    )
    user_prefix = Unicode("jupyter-", help="Unix account prefix of trainees (nbgrader knows PREFIX+NAME)").tag(
        config=True
    )

    def preprocess(self, nb, resources):
        # a spec's {student} is the hub user name, which the trainee's CKAN names derive from
        self._student = resources.get("nbgrader", {}).get("student", "").removeprefix(self.user_prefix)
        self._ckan = ReadOnlyCkan(self.ckan_url) if self.ckan_url else None
        return super().preprocess(nb, resources)

    def problems(self, spec) -> list[str]:
        if self._ckan is None:
            return ["CKAN の URL が設定されていないため確認できません。"]
        try:
            return check(self._ckan, spec, self._student)
        except CkanError as e:  # the trainee reads this: what went wrong, not the operator's fix
            return [f"CKAN で確認できませんでした: {e.problem}"]
        except Exception as e:  # unreachable, timed out, refused: the check cannot pass, and says why
            return [f"CKAN に接続できないため確認できません ({type(e).__name__}: {e})。"]

    def preprocess_cell(self, cell, resources, index):
        nbg = cell.metadata.get("nbgrader", {})
        spec = parse_spec(cell.source) if cell.cell_type == "code" and nbg.get("grade") else None
        if spec is None:
            return cell, resources
        problems = self.problems(spec)
        if problems:
            message = "\n".join(problems)
            cell.outputs = [NotebookNode(output_type="error", ename="AssertionError", evalue=message, traceback=[])]
        else:
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=PASSED + "\n")]
        return cell, resources

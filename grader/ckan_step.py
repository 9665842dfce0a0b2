"""``CkanChecks``: the CKAN check cells of a submission, scored inside nbgrader's autograde chain.

Runs in the trusted grading process after the sandboxed execution and before ``SaveAutoGrades``, so the
formgrader's Autograde button and ``./testbed grade`` score these cells the same way (both run the chain
of ``grader/nbgrader_settings.py``). A check cell (``# testbed-ckan-check`` + JSON, see grader/README.md)
is only comments in the sandbox (or the trainee's own self-check, whose outcome does not count); here it
gets its outcome as outputs: a passing check a short Japanese
line, a failing one an ``AssertionError`` output naming each problem, which nbgrader scores 0 like any
failing test cell and the feedback shows as 「不合格: …」.
"""

from __future__ import annotations

from pathlib import Path

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode, default

from grader.ckan_checks import READER_TOKEN_FILE, ReadOnlyCkan, RequestSpec, parse_spec, run
from testbed_config.ckan_client import CkanError

PASSED = "合格: CKAN の公開内容を確認しました。"
PASSED_REQUEST = "合格: CKAN で、要望への対応を確認しました。"


class CkanChecks(NbGraderPreprocessor):
    """Evaluates CKAN check cells against CKAN's read-only API, as the grader's read-only account (or anonymously)."""

    ckan_url = Unicode("", help="CKAN read by the checks (anonymously); empty: every check fails, saying so").tag(
        config=True
    )
    token_file = Unicode(
        help="File holding the API token of the grader's read-only CKAN account (a member of every sandbox, no "
        "sysadmin); unreadable or empty: anonymous, and training copies of requests cannot be checked"
    ).tag(config=True)
    user_prefix = Unicode("jupyter-", help="Unix account prefix of trainees (nbgrader knows PREFIX+NAME)").tag(
        config=True
    )

    @default("token_file")
    def _default_token_file(self) -> str:
        try:
            from testbed_config import load_config

            return str(Path(load_config().state_dir) / "secrets" / READER_TOKEN_FILE)
        except Exception:  # the formgrader's account may not read the stack config
            return ""

    def _token(self) -> str | None:
        if not self.token_file:
            return None
        try:
            return Path(self.token_file).read_text(encoding="utf-8").strip() or None
        except OSError:  # only the trusted grader (root) reads the secrets directory
            return None

    def preprocess(self, nb, resources):
        # a spec's {student} is the hub user name, which the trainee's CKAN names derive from
        self._student = resources.get("nbgrader", {}).get("student", "").removeprefix(self.user_prefix)
        self._ckan = ReadOnlyCkan(self.ckan_url, self._token()) if self.ckan_url else None
        return super().preprocess(nb, resources)

    def problems(self, spec) -> list[str]:
        if self._ckan is None:
            return ["CKAN の URL が設定されていないため確認できません。"]
        try:
            return run(self._ckan, spec, self._student)
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
            text = PASSED_REQUEST if isinstance(spec, RequestSpec) else PASSED
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=text + "\n")]
        return cell, resources

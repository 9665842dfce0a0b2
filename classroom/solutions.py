"""Model answers for ``qN.solution()`` in remote mode, given out by the classroom service, never shipped to trainees.

A trainee's kernel runs as the trainee, so anything it could read they could read: the model answers therefore stay
in the instructor's notebooks (``<course home>/source``, readable by the grader account this service runs as). In
remote mode a trainee alone with a task may see its model answer after ``remote.solution_after_failures`` failed
self-checks of it (``courses/odtb/odtbcheck/questions.py``); the kernel asks this service with its server's hub token,
and the service decides from the failures the trainee's own tries marks record (``marks.read_tries``), for a released
assignment only. On-site (the policy is "off") nothing is given out: the instructor is in the room.

The answer of question ``qN`` is the solution cell (nbgrader ``solution: true``) before the first tests cell that
calls ``qN.start()`` or ``qN.check()``, without nbgrader's ``### BEGIN/END SOLUTION`` lines.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

QUESTION = re.compile(r"^[ \t]*(q\d+)\.(?:start|check)\(\)", re.M)
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

OFF = (
    "この研修では解答例を表示しません。.hint() のヒントを試し、それでも分からないときは講師に聞いてください"
    "（メニュー「ヘルプ」→「講師を呼ぶ」）。"
)

NOT_FOUND = "この問いの解答例は見つかりません。課題のフォルダーのノートブックから実行してください。"


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def answers_in(notebook: dict) -> dict[str, str]:
    """{question: its model answer} of one instructor notebook (nbformat 4 as a dict)."""
    found: dict[str, str] = {}
    last = None
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code":
            continue
        if meta.get("solution"):
            last = _source(cell)
        elif meta.get("grade") and last is not None:
            for question in QUESTION.findall(_source(cell)):
                found.setdefault(question, last)
    return {q: _without_markers(text) for q, text in found.items()}


def _without_markers(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.strip() not in MARKERS)


def model_answer(source: Path, assignment: str, question: str) -> str | None:
    """The model answer of ``question`` in ``assignment`` of the course's source folder, or None."""
    if not SAFE_NAME.match(assignment) or not re.fullmatch(r"q\d+", question):
        return None
    for path in sorted((source / assignment).glob("*.ipynb")):
        try:
            answers = answers_in(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
        if question in answers:
            return answers[question]
    return None


def decide(after: int, failures: int, released: bool, answer: str | None) -> tuple[int, dict]:
    """(HTTP status, JSON body) of a trainee's request for a model answer; ``after`` 0 means never (on-site)."""
    if after <= 0:
        return 403, {"message": OFF}
    if not released or answer is None:
        return 404, {"message": NOT_FOUND}
    if failures < after:
        left = after - failures
        return 403, {
            "message": f"解答例は、自己チェックを {after} 回試したあとで見られます（あと {left} 回）。"
            "まず .hint() のヒントを試してください。",
            "left": left,
        }
    return 200, {"answer": answer}

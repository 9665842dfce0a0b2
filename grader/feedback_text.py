"""Feedback text without hidden tests (pure functions, no nbgrader import; used by grader.feedback)."""

from __future__ import annotations

import re

HIDDEN = re.compile(r"^[ \t]*#+[ \t]*BEGIN HIDDEN TESTS.*?^[ \t]*#+[ \t]*END HIDDEN TESTS[^\n]*\n?", re.M | re.S)
HIDDEN_NOTE = "# (採点用の非公開テストがここにあります)\n"
FAILED = "不合格: {detail}"
NO_DETAIL = "このチェックに合格しませんでした (期待される結果と違いました)。"
ERROR_DETAIL = "エラーが起きました ({ename}): {evalue}"


def strip_hidden(source: str) -> str:
    """The source with every hidden-test region replaced by a one-line note."""
    return HIDDEN.sub(HIDDEN_NOTE, source)


def explain(output: dict) -> str:
    """A Japanese explanation of an error output: the check's own message when it has one."""
    if output.get("ename") == "AssertionError":
        return FAILED.format(detail=output.get("evalue") or NO_DETAIL)
    if output.get("ename") == "TimeLimitExceeded":
        return output.get("evalue", "")
    return FAILED.format(detail=ERROR_DETAIL.format(ename=output.get("ename", ""), evalue=output.get("evalue", "")))

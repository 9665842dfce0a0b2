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


MANUAL_PENDING = "手採点待ち"


def status_note(
    *,
    score: float,
    max_score: float,
    needs_manual: bool,
    manually_graded: bool,
    submitted: str,
    generated: str,
) -> str:
    """The markdown note at the top of a feedback page: when it was made and whether the score is final.

    ``submitted`` and ``generated`` are already formatted in Japan time."""
    lines = [f"**採点結果** (このフィードバックの作成: {generated}、日本時間)", ""]
    if submitted:
        lines.append(f"- 提出: {submitted}")
    if needs_manual:
        lines.append(f"- 得点: {score:g} / {max_score:g} (**{MANUAL_PENDING}**: 確定した得点ではありません)")
        lines += [
            "",
            "講師がまだ採点していない解答があります。上の得点は自動採点の分だけです。"
            "講師の採点が終わると、このフィードバックは作り直されます。",
        ]
    else:
        done = " (講師の採点を反映済み)" if manually_graded else ""
        lines.append(f"- 得点: {score:g} / {max_score:g}{done}")
    return "\n".join(lines) + "\n"

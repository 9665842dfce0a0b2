"""``check(ok, problem, fix)`` and the Japanese box a failed check shows instead of a traceback.

The failure is a plain ``AssertionError`` (its name is what nbgrader's validate, the feedback and the
grader key on) carrying ``_render_traceback_``: IPython shows what that returns in place of the
traceback, and the cell's execute_reply still has status ``error``, so autograde scores the cell 0.
"""

from __future__ import annotations

from typing import Any

PROBLEM = "【どこが違うか】"
FIX = "【直し方のヒント】"
WHERE = "【見るところ】"
TITLE = "自己チェック：まだ合格していません"
AGAIN = "答えのセルを直して実行してから、このチェックのセルをもう一度実行してください。"
RULE = "━" * 30
_RED, _BOLD, _RESET = "\x1b[1;31m", "\x1b[1m", "\x1b[0m"

# The question whose written-out check cell is running (``Question.start()`` … ``passed()``), or None.
ACTIVE: Any = None


def message(problem: str, fix: str, where: str | None = None) -> str:
    """The exception's text (kept in the notebook, shown by nbgrader's feedback and validate)."""
    text = f"\n{PROBLEM}{problem}\n{FIX}{fix}"
    return text + (f"\n{WHERE}{where}" if where else "")


def box_lines(problem: str, fix: str, where: str | None = None, title: str | None = None) -> list[str]:
    """The box as plain-text lines (no right border: Japanese widths differ between fonts)."""
    lines = [RULE, f"❌ {title or TITLE}", RULE, f"{PROBLEM}{problem}", f"{FIX}{fix}"]
    if where:
        lines.append(f"{WHERE}{where}")
    return [*lines, "", AGAIN]


def failure(problem: str, fix: str, where: str | None = None, title: str | None = None) -> AssertionError:
    """An AssertionError that IPython shows as the Japanese box instead of a traceback."""
    exc = AssertionError(message(problem, fix, where))
    lines = box_lines(problem, fix, where, title)
    coloured = [f"{_RED}{line}{_RESET}" if i == 1 else line for i, line in enumerate(lines)]
    coloured = [f"{_BOLD}{line}{_RESET}" if line.startswith("【") else line for line in coloured]
    exc._render_traceback_ = lambda: coloured  # type: ignore[attr-defined]
    exc.odtbcheck = True  # type: ignore[attr-defined]  # the error hook leaves such boxes alone
    return exc


def truth(ok: Any) -> bool:
    """``ok`` as a boolean; a callable is called first. Anything that cannot be judged counts as not passed
    (a Series compared with ``==`` would otherwise crash with "truth value ... is ambiguous")."""
    try:
        if callable(ok):
            ok = ok()
        return bool(ok)
    except Exception:  # noqa: BLE001 - an answer of the wrong kind is a failed check, not a crash
        return False


def record_pass() -> bool:
    """Leave the self-checked mark on the progress board (classroom.selfcheck); never raises."""
    try:
        from classroom.selfcheck import record
    except Exception:  # noqa: BLE001 - the grading sandbox and other places have no board
        return False
    return record()


def check(ok: Any, problem: str, fix: str, *, where: str | None = None) -> None:
    """ok が偽のとき「どこが違うか」「直し方のヒント」（と「見るところ」）の枠を表示して止めます。

    ``ok`` may be a callable (evaluated here, so an answer of the wrong type fails the check instead of
    crashing it). A pass is recorded on the progress board."""
    if not truth(ok):
        question, title = ACTIVE, None
        if question is not None:
            title = f"{question.title}：まだ合格していません"
            question.failed()
        raise failure(problem, fix, where, title)
    record_pass()

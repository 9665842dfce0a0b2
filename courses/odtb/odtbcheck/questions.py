"""``Question``: one graded task's self-check, hints and the misconceptions it names.

A notebook imports ready-made questions (``from odtbcheck.kadai_00 import q1``) and calls
``q1.check()``: the answer variables are read from the notebook's namespace, each known wrong answer
(a ``Rule``) is tried in order and named when it matches, and the value is compared last. The
expected values stay in this package, never in the notebook.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from odtbcheck.checks import failure, record_pass, truth

# After how many failed checks of a task solution() shows its model answer: "off" (on-site, the grading
# sandbox, anywhere without the variable) or a number (remote mode). Set by the spawner from the stack config
# (remote.solution_after_failures; hub_config/configurer.py).
SOLUTION_ENV = "TESTBED_SOLUTION_AFTER"


def solution_after(value: str | None) -> int | None:
    """The number of failures after which a model answer may be shown, or None when never."""
    try:
        n = int(value or "")
    except ValueError:
        return None
    return n if n > 0 else None


def record_tries(question: str, attempts: int, failures: int, hints: int, solution: bool) -> bool:
    """Tell the progress board how this task went in this kernel (classroom.selfcheck); never raises."""
    try:
        from classroom.selfcheck import record_tries as record
    except Exception:  # noqa: BLE001 - no board in the grading sandbox and elsewhere
        return False
    return record(question, attempts, failures, hints, solution)


@dataclass(frozen=True)
class Rule:
    """A recognisable wrong answer: ``matches(values)`` is true for it; ``problem`` names the misconception."""

    matches: Callable[[dict[str, Any]], Any]
    problem: str
    fix: str


@dataclass
class Question:
    """A graded task: its answer variables, the known wrong answers, the right value, tiered hints."""

    title: str  # 問2
    variables: Sequence[str]
    correct: Callable[[dict[str, Any]], Any]
    problem: str  # said when the value is wrong but no rule names why
    fix: str
    rules: Sequence[Rule] = ()
    hints: Sequence[str] = ()
    where: str | None = None  # which cell/line to look at
    key: str = ""  # short ASCII id for the board (q2)
    solution_text: str = ""  # the model answer solution() may show (remote mode only)
    attempts: int = field(default=0, init=False)
    failures: int = field(default=0, init=False)
    hints_shown: int = field(default=0, init=False)
    solution_shown: bool = field(default=False, init=False)

    def _record(self) -> None:
        if self.key:
            record_tries(self.key, self.attempts, self.failures, self.hints_shown, self.solution_shown)

    def _namespace(self, namespace: dict | None) -> dict:
        if namespace is not None:
            return namespace
        frame = inspect.currentframe()
        caller = frame.f_back.f_back if frame and frame.f_back else None  # check() → _namespace
        return caller.f_globals if caller else {}

    def _where(self) -> str:
        names = "、".join(self.variables)
        return self.where or f"{names} を作っている答えのセル（このチェックのすぐ上）"

    def verdict(self, namespace: dict) -> tuple[str, str] | None:
        """None when the answer is right, else (problem, fix): the first matching rule, or the generic one."""
        missing = [v for v in self.variables if v not in namespace]
        if missing:
            name = missing[0]
            return (
                f"変数 {name} がありません（答えのセルがまだ実行されていないか、名前が違います）。",
                f"答えのセルで {name} = … と書き、そのセルを実行してから、このセルを実行してください。"
                "名前は大文字・小文字や「_」まで同じにします。",
            )
        values = {v: namespace[v] for v in self.variables}
        for rule in self.rules:
            if truth(lambda rule=rule: rule.matches(values)):
                return rule.problem, rule.fix
        if truth(lambda: self.correct(values)):
            return None
        return self.problem, self.fix

    def check(self, namespace: dict | None = None) -> None:
        """Check the answer: ✅ when right; otherwise the Japanese box (the cell fails, as in grading)."""
        ns = self._namespace(namespace)
        self.attempts += 1
        result = self.verdict(ns)
        if result is not None:
            self.failures += 1
            self._record()
            raise failure(*result, where=self._where(), title=f"{self.title}：まだ合格していません")
        self._record()
        record_pass()
        print(f"✅ {self.title} 合格")

    def hint(self) -> None:
        """Show the next hint: the first a nudge, later ones more concrete (the last one repeats)."""
        if not self.hints:
            print("この問いのヒントはありません。")
            return
        i = min(self.hints_shown, len(self.hints) - 1)
        self.hints_shown += 1
        self._record()
        more = "（もう一度 .hint() を実行すると、もっと具体的なヒントが出ます）" if i + 1 < len(self.hints) else ""
        print(f"💡 {self.title} のヒント {i + 1}/{len(self.hints)}：{self.hints[i]}{more}")

    def solution(self) -> None:
        """Show the model answer where the course allows it: in remote mode after enough failed checks."""
        after = solution_after(os.environ.get(SOLUTION_ENV))
        if after is None or not self.solution_text:
            print(
                f"{self.title} の解答例は、この研修では表示しません。.hint() のヒントを試し、"
                "それでも分からないときは講師に聞いてください（メニュー「ヘルプ」→「講師を呼ぶ」）。"
            )
            return
        if self.failures < after:
            left = after - self.failures
            print(
                f"{self.title} の解答例は、自己チェックを {after} 回試したあとで見られます（あと {left} 回）。"
                "まず .hint() のヒントを試してください。"
            )
            return
        self.solution_shown = True
        self._record()
        print(f"📘 {self.title} の解答例（自分の答えと見比べて、違いを確かめてから直してください）：")
        print(self.solution_text)

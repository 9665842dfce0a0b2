"""``Question``: one graded task's self-check, hints and the misconceptions it names.

A notebook imports ready-made questions (``from odtbcheck.kadai_00 import q1``) and calls
``q1.check()``: the answer variables are read from the notebook's namespace, each known wrong answer
(a ``Rule``) is tried in order and named when it matches, and the value is compared last. The
expected values stay in this package, never in the notebook.

A task whose checks are a sequence of ``check(条件, どこが違うか, 直し方)`` steps (課題1〜7, expected values as
fingerprints) gives them as ``steps``: a function of the answer variables, here in the package, so the check cell
still reads ``q1.check()``. A ``check`` that fails in it is counted as this question's failure and titled with it;
an answer of the wrong kind that makes a step crash is a failed check too, in Japanese. The notebook keeps only
its hidden tests (nbgrader needs them there). ``start()`` / ``passed()`` wrap checks written in a cell by hand.
"""

from __future__ import annotations

import inspect
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from odtbcheck import checks
from odtbcheck.checks import failure, record_pass, truth

# After how many failed checks of a task solution() shows its model answer: "off" (on-site, the grading
# sandbox, anywhere without the variable) or a number (remote mode). Set by the spawner from the stack config
# (remote.solution_after_failures; hub_config/configurer.py).
SOLUTION_ENV = "TESTBED_SOLUTION_AFTER"
# Where the model answers are (the course's classroom service, through the hub's proxy; ``{course}`` filled in): the
# answers stay in the instructor's notebooks, never in this package, which every trainee can read.
SOLUTION_URL_ENV = "TESTBED_SOLUTION_URL"
UNREACHABLE = "解答例を取り寄せられませんでした。少し待ってもう一度実行するか、講師に聞いてください。"


def solution_after(value: str | None) -> int | None:
    """The number of failures after which a model answer may be shown, or None when never."""
    try:
        n = int(value or "")
    except ValueError:
        return None
    return n if n > 0 else None


def ask_solution(question: str, folder: Path | None = None) -> tuple[str | None, str]:
    """(model answer, "") of ``question`` of the assignment whose folder the kernel works in, from the classroom
    service (which counts the failures itself); (None, the service's Japanese reason) when refused or unreachable."""
    here = folder or Path.cwd()
    template, token = os.environ.get(SOLUTION_URL_ENV), os.environ.get("JUPYTERHUB_API_TOKEN")
    if not template or not token:
        return None, UNREACHABLE
    query = urllib.parse.urlencode({"assignment": here.name, "question": question})
    url = template.format(course=urllib.parse.quote(here.parent.name)) + "?" + query
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.load(response).get("answer") or None, UNREACHABLE
    except urllib.error.HTTPError as e:
        try:
            return None, json.load(e).get("message") or UNREACHABLE
        except ValueError:
            return None, UNREACHABLE
    except (OSError, ValueError):
        return None, UNREACHABLE


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
    variables: Sequence[str] = ()
    correct: Callable[[dict[str, Any]], Any] | None = None  # None: ``steps`` check it, or the cell's own lines
    problem: str = ""  # said when the value is wrong but no rule names why
    fix: str = ""
    rules: Sequence[Rule] = ()
    hints: Sequence[str] = ()
    where: str | None = None  # which cell/line to look at
    key: str = ""  # short ASCII id for the board (q2)
    solution_text: str = ""  # a model answer given here (tests); the course's come from the classroom service
    steps: Callable[..., None] | None = None  # check(…) steps, called with the answer variables as keywords
    prepared: Sequence[str] = ()  # names ``steps`` also reads that the notebook's locked cells make, not the answer
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
        missing = [v for v in (*self.variables, *self.prepared) if v not in namespace]
        if missing and missing[0] in self.prepared:
            return (
                f"準備のセルで作られる {missing[0]} がありません（上のセルが、まだ実行されていません）。",
                "メニューの「実行」→「選択したセルとその上のすべてのセルを実行」で、上から順にすべてのセルを"
                "実行してから、もう一度このセルを実行してください。",
            )
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

    def start(self) -> None:
        """First line of a check cell written out in the notebook: count the attempt; until ``passed()``, a failing
        ``check`` is this question's failure (``checks.check`` reports it through ``failed``)."""
        self.attempts += 1
        checks.ACTIVE = self
        self._record()

    def failed(self) -> None:
        """A written-out check of this question failed (called by ``checks.check``)."""
        self.failures += 1
        checks.ACTIVE = None
        self._record()

    def passed(self) -> None:
        """Last line of a written-out check cell: every check above passed."""
        checks.ACTIVE = None
        record_pass()
        print(f"✅ {self.title} 合格")

    def _run_steps(self, ns: dict) -> None:
        """The ``steps`` of this question, between ``start()`` and ``passed()``."""
        self.start()
        missing = [v for v in (*self.variables, *self.prepared) if v not in ns]
        if missing:
            self.failed()
            raise failure(*self.verdict(ns), where=self._where(), title=f"{self.title}：まだ合格していません")
        try:
            self.steps(**{v: ns[v] for v in (*self.variables, *self.prepared)})
        except AssertionError:
            checks.ACTIVE = None
            raise
        except Exception as e:  # noqa: BLE001 - an answer of the wrong kind is a failed check, not a traceback
            self.failed()
            raise failure(
                f"答えを調べている途中で止まりました（{type(e).__name__}）。答えの値の形が、問いの求める形"
                "（表・列・数・文字列）と違うようです。",
                "問題文が求める形と、答えのセルで作った変数の形を見比べてください。答えのセルを実行し直してから、"
                "このセルを実行します。",
                where=self._where(),
                title=f"{self.title}：まだ合格していません",
            ) from None
        self.passed()

    def check(self, namespace: dict | None = None) -> None:
        """Check the answer: ✅ when right; otherwise the Japanese box (the cell fails, as in grading)."""
        ns = self._namespace(namespace)
        if self.steps is not None:
            self._run_steps(ns)
            return
        if self.correct is None:
            raise TypeError(f"{self.title}: the checks are written out in the notebook (start() … passed())")
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
        """Show the model answer where the course allows it: in remote mode after enough failed checks. The course's
        answers come from the classroom service, which counts the failures of every kernel session of the trainee."""
        after = solution_after(os.environ.get(SOLUTION_ENV))
        if after is None:
            print(
                f"{self.title} の解答例は、この研修では表示しません。.hint() のヒントを試し、"
                "それでも分からないときは講師に聞いてください（メニュー「ヘルプ」→「講師を呼ぶ」）。"
            )
            return
        if self.solution_text and self.failures < after:
            left = after - self.failures
            print(
                f"{self.title} の解答例は、自己チェックを {after} 回試したあとで見られます（あと {left} 回）。"
                "まず .hint() のヒントを試してください。"
            )
            return
        text, reason = (self.solution_text, "") if self.solution_text else ask_solution(self.key)
        if not text:
            print(f"{self.title}：{reason}")
            return
        self.solution_shown = True
        self._record()
        print(f"📘 {self.title} の解答例（自分の答えと見比べて、違いを確かめてから直してください）：")
        print(text)

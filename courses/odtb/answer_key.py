"""Answer keys for instructors (Japanese markdown), generated from the assignments' sources.

``keys()`` returns ``{instructor_kit/answer_keys/kadai_NN.md: bytes}`` for every ``src/<NN_name>/kadai_*.nbsrc``:
per question its points, statement, model answer (the ``%% solution`` / ``%% manual`` cell), what the visible
self-check rejects (the ``check(ok, problem, fix)`` calls of the tests cell, or the ``Question`` of
``odtbcheck/kadai_NN.py`` it calls: its rules, generic message and hints), what the hidden tests add, the
wrong answers and right variants of the wrong-answer catalogue, and for manual questions the rubric
(「採点の観点」 in the question and in ``instructor_notes/<NN_name>.md``). Everything is read statically
(``ast``, no notebook runs), so ``build.py --check`` can tell when a key is stale.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
KIT = HERE / "instructor_kit"
KEYS = KIT / "answer_keys"
CHECKS = HERE / "odtbcheck"
CATALOGUE = HERE / "catalogue"
NOTES = HERE / "instructor_notes"

BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
TITLE = re.compile(r"^#{2,4}\s*(問\s*\d+.*)$|^\*\*(問\s*\d+)\*\*", re.M)
IMPORT = re.compile(r"^from odtbcheck\.(kadai_\d+) import (.+)$", re.M)
QCHECK = re.compile(r"\b(\w+)\.check\(")
QSTART = re.compile(r"^(q\d+)\.start\(\)", re.M)  # a check cell written out in the notebook
CKAN_CHECK = "# testbed-ckan-check"  # a tests cell graded from CKAN by the trusted grader (grader/ckan_checks.py)
MISSING_VARIABLE = "変数 … がありません（答えのセルがまだ実行されていないか、名前が違います）。"
MISSING_FIX = "答えのセルで … = … と書き、そのセルを実行してから、このセルを実行してください。"


@dataclass
class Question:
    """One graded question of an assignment, as the answer key shows it."""

    statement: list[str]
    solutions: list[str] = field(default_factory=list)
    tests: list[tuple[str, int, str]] = field(default_factory=list)  # (grade id, points, source)
    manual: tuple[str, int, str] | None = None  # (grade id, points, model answer)
    answer_ids: list[str] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(p for _, p, _ in self.tests) + (self.manual[1] if self.manual else 0)

    @property
    def title(self) -> str:
        found = [(m.group(1) or m.group(2)).strip() for text in self.statement for m in TITLE.finditer(text)]
        scored = [f for f in found if re.match(r"問\s*\d+（[^）]*点", f)]  # 問4（2点）…, not a preparation
        if scored or found:
            return (scored or found)[-1]
        ids = [t[0] for t in self.tests] + ([self.manual[0]] if self.manual else [])
        return f"採点セル {', '.join(ids)}"


def cells(text: str) -> list[tuple[str, list[str], str]]:
    """The cells of an ``.nbsrc`` text as (kind, args, body), includes expanded (the format of build.py)."""
    out: list[tuple[str, list[str], str]] = []
    kind, args, lines = None, [], []
    for line in text.splitlines():
        if line.startswith("@include "):
            lines.extend((SRC / "_include" / line.split()[1]).read_text(encoding="utf-8").splitlines())
        elif line.startswith("%% "):
            if kind:
                out.append((kind, args, "\n".join(lines).strip("\n")))
            kind, *args = line[3:].split()
            lines = []
        else:
            lines.append(line)
    if kind:
        out.append((kind, args, "\n".join(lines).strip("\n")))
    return out


def questions(parsed: list[tuple[str, list[str], str]]) -> list[Question]:
    """Group the cells into questions: the markdown since the last graded cell, then answers and tests."""
    result: list[Question] = []
    pending: list[str] = []
    current: Question | None = None
    for kind, args, body in parsed:
        if kind == "md":
            pending.append(body)
        elif kind == "solution":
            if current is None or current.tests or current.manual or pending:
                current = Question(statement=pending)
                result.append(current)
                pending = []
            current.solutions.append(strip_markers(body))
            current.answer_ids.append(args[0])
        elif kind == "tests":
            if current is None or current.tests or current.manual or (pending and not current.solutions):
                current = Question(statement=pending)
                result.append(current)
                pending = []
            elif pending:  # text between an answer and its tests belongs to the question
                current.statement.extend(pending)
                pending = []
            current.tests.append((args[0], int(args[1]), body))
        elif kind == "manual":
            current = Question(statement=pending, manual=(args[0], int(args[1]), strip_markers(body)))
            result.append(current)
            pending = []
    return result


def strip_markers(body: str) -> str:
    return "\n".join(line for line in body.splitlines() if line.strip() not in SOLUTION_MARKERS).strip("\n")


def split_hidden(source: str) -> tuple[str, str]:
    """(what the trainee sees, the hidden tests) of a tests cell."""
    if BEGIN_HIDDEN not in source:
        return source, ""
    before, rest = source.split(BEGIN_HIDDEN, 1)
    hidden, _, after = rest.partition(END_HIDDEN)
    return before + after, hidden


# --- reading messages out of code -------------------------------------------------------------------------


def _text(node: ast.AST, source: str, consts: dict[str, str]) -> str:
    """The text a string expression shows: literals as they are, placeholders as {expression}."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
            else:
                inner = v.value if isinstance(v, ast.FormattedValue) else v
                parts.append("{" + (ast.get_source_segment(source, inner) or "…") + "}")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text(node.left, source, consts) + _text(node.right, source, consts)
    if isinstance(node, ast.Name) and node.id in consts:
        return consts[node.id]
    return "{" + (ast.get_source_segment(source, node) or "…") + "}"


def _parse(code: str) -> ast.Module | None:
    for attempt in (code, "\n".join(line[4:] if line.startswith("    ") else line for line in code.splitlines())):
        try:
            return ast.parse(attempt)
        except SyntaxError:
            continue
    return None


def check_messages(code: str) -> list[tuple[str, str]]:
    """(problem, fix) of every ``check(ok, problem, fix)`` and ``assert ok, message`` in a piece of code."""
    tree = _parse(code)
    if tree is None:
        return [("（このセルのコードを読み取れませんでした。ノートブックで確かめてください）", "")]
    found: list[tuple[int, int, str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "check":
            args = list(node.args) + [k.value for k in node.keywords if k.arg in ("problem", "fix")]
            if len(args) >= 3:
                found.append((node.lineno, node.col_offset, _text(args[1], code, {}), _text(args[2], code, {})))
        elif isinstance(node, ast.Assert) and node.msg is not None:
            found.append((node.lineno, node.col_offset, _text(node.msg, code, {}), ""))
    return [(p, f) for _, _, p, f in sorted(found)]


@dataclass
class QuestionCheck:
    """What ``odtbcheck.kadai_NN.qN`` names: its rules, generic message, hints and the variables it reads."""

    rules: list[tuple[str, str]]
    generic: tuple[str, str]
    hints: list[str]
    variables: list[str]
    steps: list[tuple[str, str]] | None = None  # the check(…) messages of its ``steps`` function, when it has one


def _steps_messages(node: ast.AST | None, functions: dict[str, ast.FunctionDef], source: str):
    """The (problem, fix) of the check(…) calls of a question's ``steps`` function, or None without one."""
    if not isinstance(node, ast.Name) or node.id not in functions:
        return None
    return check_messages(ast.get_source_segment(source, functions[node.id]) or "")


def package_questions(module: str) -> dict[str, QuestionCheck]:
    """The ``Question(...)`` objects defined at the top of ``odtbcheck/<module>.py``, read statically."""
    path = CHECKS / f"{module}.py"
    if not path.exists():
        return {}
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    consts: dict[str, str] = {}
    found: dict[str, QuestionCheck] = {}
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        name, value = node.targets[0].id, node.value
        if isinstance(value, (ast.Constant, ast.JoinedStr, ast.BinOp)):
            text = _text(value, source, consts)
            if isinstance(value, ast.Constant) and isinstance(value.value, str) or "{" not in text:
                consts[name] = text
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "Question":
            kw = {k.arg: k.value for k in value.keywords}
            rules = []
            for rule in getattr(kw.get("rules"), "elts", []):
                if isinstance(rule, ast.Call):
                    args = list(rule.args) + [k.value for k in rule.keywords if k.arg in ("problem", "fix")]
                    if len(args) >= 3:
                        rules.append((_text(args[1], source, consts), _text(args[2], source, consts)))
            found[name] = QuestionCheck(
                rules=rules,
                generic=(
                    _text(kw["problem"], source, consts) if "problem" in kw else "",
                    _text(kw["fix"], source, consts) if "fix" in kw else "",
                ),
                hints=[_text(h, source, consts) for h in getattr(kw.get("hints"), "elts", [])],
                variables=[_text(v, source, consts) for v in getattr(kw.get("variables"), "elts", [])],
                steps=_steps_messages(kw.get("steps"), functions, source),
            )
    return found


def catalogue(module: str) -> dict[str, dict]:
    """The wrong-answer catalogue's entries by answer grade id (empty without a catalogue file)."""
    path = CATALOGUE / f"kadai_{module[:2]}.yaml"
    if not path.exists():
        return {}
    import yaml  # only the answer keys need it; build.py's notebooks do not

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {q.get("answer", ""): q for q in data.get("questions", [])}


def rubric(module: str) -> list[str]:
    """The 「採点の観点」 sections of the module's instructor note (markdown, headings demoted)."""
    path = NOTES / f"{module}.md"
    if not path.exists():
        return []
    sections, current = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = (
                [f"#### {line[3:]}（講師用メモ `instructor_notes/{module}.md` より）"] if "採点の観点" in line else None
            )
            if current is not None:
                sections.append(current)
        elif current is not None:
            current.append(line)
    return ["\n".join(s).strip() for s in sections]


# --- rendering ---------------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>").strip() or "—"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines())


def _fence(code: str, lang: str = "python") -> str:
    ticks = "````" if "```" in code else "```"
    return f"{ticks}{lang}\n{code.rstrip()}\n{ticks}"


def _table(
    rows: list[tuple[str, str]], head: tuple[str, str] = ("どこが違うか（研修生に出る説明）", "直し方のヒント")
) -> str:
    lines = [f"| # | {head[0]} | {head[1]} |", "|---|---|---|"]
    lines += [f"| {i} | {_cell(p)} | {_cell(f)} |" for i, (p, f) in enumerate(rows, 1)]
    return "\n".join(lines)


def render(module: str, nbsrc: Path) -> str:
    """The answer key of one assignment as markdown."""
    parsed = cells(nbsrc.read_text(encoding="utf-8"))
    imports: dict[str, str] = {}
    for _, _, body in parsed:
        for m in IMPORT.finditer(body):
            for name in m.group(2).split(","):
                imports[name.strip()] = m.group(1)
    heading = next(
        (b.splitlines()[0].lstrip("# ").strip() for k, _, b in parsed if k == "md" and b.startswith("# ")), ""
    )
    qs = questions(parsed)
    cat = catalogue(module)
    auto = sum(p for q in qs for _, p, _ in q.tests)
    manual = sum(q.manual[1] for q in qs if q.manual)
    rel = f"src/{module}/{nbsrc.name}"
    out = [
        f"# 解答例と採点の手引き：{heading or module}",
        "",
        "> **講師用です。研修生に配らないでください。** このファイルは `python3 courses/odtb/build.py` が",
        f"> `courses/odtb/{rel}`（自己チェックの文言は `courses/odtb/odtbcheck/`、"
        "誤答は `courses/odtb/catalogue/`）から",
        "> 生成します。手で編集せず、元のファイルを直してから build.py を実行してください。",
        "",
        "説明の中の `{…}` には、研修生の答えに応じた値（列名や数）が入ります。",
        "",
        f"- 課題名（nbgrader の課題 ID）：`{module}`（配布は `./testbed course release {module}`、"
        f"採点は `./testbed grade {module}`）",
        f"- 配点：合計 **{auto + manual}点**（自動採点 {auto}点" + (f"、講師採点 {manual}点）" if manual else "）"),
        "",
        "| 問 | 配点 | 採点 | 答えのセル（grade id） |",
        "|---|---|---|---|",
    ]
    for q in qs:
        how = "講師（formgrader の「手採点」）" if q.manual else "自動（自己チェック＋隠しテスト）"
        if any(source.lstrip().startswith(CKAN_CHECK) for _, _, source in q.tests):
            how = "自動（CKAN の状態を採点の仕組みが確かめる）"
        ids = ", ".join(f"`{i}`" for i in (q.answer_ids or ([q.manual[0]] if q.manual else []))) or "—"
        out.append(f"| {_cell(q.title)} | {q.points} | {how} | {ids} |")
    for q in qs:
        title = q.title if "点" in q.title else f"{q.title}（{q.points}点）"
        statement = [s for s in q.statement if not s.startswith("# ")]  # the assignment's heading is above
        out += ["", f"## {title}", "", "### 問題文（研修生が見る文）", "", _quote("\n\n".join(statement))]
        if q.manual:
            out += ["", "### 解答例（模範解答。採点のときの目安）", "", q.manual[2] or "（解答例がありません）"]
            out += ["", "### 採点の観点（ルーブリック）", ""]
            inline = [line.strip() for text in q.statement for line in text.splitlines() if "採点の観点" in line]
            notes = rubric(module)
            block = [
                f"- 問題文に書いてある観点（研修生にも見えます）：{line.split('採点の観点：', 1)[-1]}"
                for line in inline
            ]
            block += ([""] if block and notes else []) + notes
            out += block or ["（採点の観点が書かれていません。instructor_notes に「## 採点の観点」を書いてください）"]
            out += [
                "",
                "手採点は採点画面（formgrader）の「手採点」で行います（手順は `../operations.md`）。"
                "講師が採点するまで、進捗ボードでは「△ 講師の採点待ち」、`./testbed grade` の出力とフィードバックでは"
                "「手採点待ち」と表示されます。",
            ]
            continue
        out += ["", "### 解答例", "", *(_fence(s) for s in q.solutions)] if q.solutions else []
        for grade_id, points, source in q.tests:
            visible, hidden = split_hidden(source)
            called = [n for n in QCHECK.findall(visible) if n in imports]
            if source.lstrip().startswith(CKAN_CHECK):
                spec = next((ln.lstrip("#").strip() for ln in source.splitlines()[1:] if ln.startswith("#")), "")
                out += [
                    "",
                    f"### CKAN の状態での採点（テストのセル `{grade_id}`、{points}点）",
                    "",
                    "このセルの点は、ノートブックではなく、採点の仕組み（`grader/ckan_checks.py`）が"
                    " CKAN で研修生が実際にしたことを読んで付けます（下の自己チェックと隠しテストは、"
                    "研修生のトークンで同じことを確かめるだけです）。"
                    f"条件：`{spec}`",
                ]
            out += ["", f"### 自己チェックが落とす答え（テストのセル `{grade_id}`、{points}点）", ""]
            if called:
                for name in called:
                    qc = package_questions(imports[name]).get(name)
                    if qc is None:
                        out.append(f"`{name}.check()`（`odtbcheck/{imports[name]}.py` に定義が見つかりません）")
                        continue
                    if qc.steps is not None:
                        out.append(
                            f"`{name}.check()` が `courses/odtb/odtbcheck/{imports[name]}.py` のチェックを上から順に"
                            "確かめ、最初に合わなかった1つの説明を出します。"
                        )
                        out += ["", _table([(MISSING_VARIABLE, MISSING_FIX), *qc.steps])]
                    else:
                        out.append(
                            f"`{name}.check()` が `courses/odtb/odtbcheck/{imports[name]}.py` の規則を上から順に試し、"
                            "最初に当てはまった説明を出します。どれにも当てはまらず値が違うときは最後の行の説明です。"
                        )
                        rows = [(MISSING_VARIABLE, MISSING_FIX), *qc.rules]
                        out += ["", _table([*rows, qc.generic])]
                    if qc.hints:
                        out += ["", f"ヒント（`{name}.hint()` を実行するたびに次の段階）：", ""]
                        out += [f"{i}. {h}" for i, h in enumerate(qc.hints, 1)]
                messages = check_messages(visible)
                if messages:
                    out += ["", "同じセルのほかのチェック：", "", _table(messages)]
            else:
                messages = check_messages(visible)
                out += (
                    ["上から順に確かめ、最初に合わなかった1つの説明を出します。", "", _table(messages)]
                    if messages
                    else ["（自己チェックはありません）"]
                )
                for name in (n for n in QSTART.findall(visible) if n in imports):
                    qc = package_questions(imports[name]).get(name)
                    if qc is not None and qc.hints:
                        out += ["", f"ヒント（`{name}.hint()` を実行するたびに次の段階）：", ""]
                        out += [f"{i}. {h}" for i, h in enumerate(qc.hints, 1)]
            if hidden.strip():
                out += ["", "隠しテスト（提出後の採点でだけ実行。研修生には見えません）が確かめること：", ""]
                out += [_table(check_messages(hidden), ("不合格のときフィードバックに出る説明", "直し方"))]
        entries = [cat[a] for a in q.answer_ids if a in cat]
        for entry in entries:
            wrong, right = entry.get("wrong") or [], entry.get("right") or []
            if wrong:
                out += ["", f"### よくある誤答（誤答カタログ `catalogue/kadai_{module[:2]}.yaml`、{len(wrong)}件）", ""]
                out += [
                    "自己チェックと隠しテストの両方で不合格になることを "
                    "`tests/integration/test_wrong_answers.py` が確かめています。",
                    "",
                ]
                out += [
                    f"- **{_cell(w.get('why', ''))}**" + ("（研修生のセルでエラーになる）" if w.get("crashes") else "")
                    for w in wrong
                ]
            if right:
                out += ["", f"### 書き方の違う正答（{len(right)}件。どれも満点）", ""]
                for r in right:
                    out += [f"- **{_cell(r.get('why', ''))}**", "", _fence(str(r.get("code", ""))), ""]
                while out and out[-1] == "":
                    out.pop()
    return "\n".join(out).rstrip() + "\n"


def keys(dest: Path = KEYS) -> dict[Path, bytes]:
    """Every answer key as {path: bytes} (``answer_keys/kadai_NN.md``)."""
    files: dict[Path, bytes] = {}
    for module in sorted(p for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for nbsrc in sorted(module.glob("kadai_*.nbsrc")):
            files[dest / f"kadai_{module.name[:2]}.md"] = render(module.name, nbsrc).encode()
    return files

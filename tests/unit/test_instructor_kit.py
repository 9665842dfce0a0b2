"""The instructor kit (courses/odtb/instructor_kit/) against the code: every `./testbed …` line it quotes parses
against the real click command tree, every exact error text of the troubleshooting table is in the source,
every module, assignment, lesson section, menu and linked file it names exists, and the generated answer keys
are current. Each checker is also shown to reject a made-up command, text, section or stale key."""

from __future__ import annotations

import ast
import re
import shlex
import shutil
import sys
from functools import cache
from pathlib import Path

import click
import pytest

from testbed_cli.cli import main

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "courses" / "odtb"
KIT = COURSE / "instructor_kit"
sys.path.insert(0, str(COURSE))

import answer_key  # noqa: E402

pytestmark = pytest.mark.unit

DOCS = sorted(KIT.glob("*.md"))
KEYS = sorted((KIT / "answer_keys").glob("*.md"))
NOTE_04 = COURSE / "instructor_notes" / "04_anzen.md"  # the note this kit's work rewrote
# Where the texts trainees see come from (the kit itself and the generated keys are not evidence).
SOURCE_DIRS = ["testbed_cli", "hub_config", "classroom", "grader", "ckanext-testbed", "ckan_seed", "testbed_config"]
COURSE_DIRS = ["odtbcheck", "src"]
RAW_SUFFIXES = {".html", ".nbsrc", ".inc", ".po"}

SPAN = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^[ \t]*```(?:sh|bash|console)?\n(.*?)^[ \t]*```", re.S | re.M)
SECTION = re.compile(r"§「([^」]+)」")
MENU = re.compile(r"「([^」]+)」→「([^」]+)」")
MODULE = re.compile(r"\b(0[0-9]_[a-z]+)\b")
ASSIGNMENT = re.compile(r"\bkadai_(\d\d)\b")
LINK = re.compile(r"\]\(([^)#\s]+)\)")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- commands -----------------------------------------------------------------------------------------------


def commands_in(text: str) -> list[str]:
    """Every `./testbed …` command line of a markdown text: inline code spans and lines of shell blocks."""
    found = [s for s in SPAN.findall(text) if s.startswith("./testbed")]
    for block in FENCE.findall(text):
        found += [line.strip() for line in block.splitlines() if line.strip().startswith("./testbed")]
    return found


def parse_command(line: str) -> list[str]:
    """Parse one command line against the real command tree; the resolved command path.

    Raises click's UsageError (unknown command or option, missing or extra argument, bad choice). Nothing
    is invoked. A line that names only a group (`./testbed grade`) or asks for --help is accepted."""
    argv = shlex.split(line, comments=True)
    assert argv[0] == "./testbed", line
    args, cmd, path, parent = argv[1:], main, [], None
    while True:
        is_group = isinstance(cmd, click.Group)
        try:
            ctx = cmd.make_context(path[-1] if path else "testbed", list(args), parent=parent)
        except click.exceptions.NoArgsIsHelpError:
            return path  # a group named on its own, in prose
        except click.exceptions.Exit as e:
            if e.exit_code == 0:
                return path  # --help
            raise
        if not is_group:
            if ctx.args:
                raise click.UsageError(f"unexpected extra arguments {ctx.args}", ctx)
            return path
        rest = (
            [*ctx._protected_args, *ctx.args] if hasattr(ctx, "_protected_args") else [*ctx.protected_args, *ctx.args]
        )
        if not rest:
            return path
        name, sub, rest = cmd.resolve_command(ctx, rest)
        if sub is None:
            raise click.UsageError(f"no such command {name!r}", ctx)
        path.append(name)
        cmd, args, parent = sub, rest, ctx


@pytest.fixture
def no_file_checks(monkeypatch):
    """Paths in the kit are examples (名簿.csv): parse them without requiring the file to exist."""
    original = click.Path.convert

    def convert(self, value, param, ctx):
        saved, self.exists = self.exists, False
        try:
            return original(self, value, param, ctx)
        finally:
            self.exists = saved

    monkeypatch.setattr(click.Path, "convert", convert)


def _all_commands() -> list[tuple[str, str]]:
    return [(p.name, c) for p in [*DOCS, *KEYS, NOTE_04] for c in commands_in(_text(p))]


def test_the_kit_quotes_the_commands_an_instructor_needs():
    """Does the kit show release, grading, export, deadlines, classroom start and the fresh copy?"""
    paths = set()
    for _, line in _all_commands():
        paths.add(" ".join(shlex.split(line, comments=True)[1:3]))
    for needed in [
        "course release",
        "grade 04_anzen",
        "grade export",
        "cohort deadline",
        "class start",
        "class fresh-copy",
    ]:
        assert needed in paths, needed


@pytest.mark.parametrize("where,line", _all_commands(), ids=str)
def test_every_quoted_command_parses(where, line, no_file_checks):
    """Does every `./testbed …` line in the kit name a real command with options and arguments it accepts?"""
    parse_command(line)


@pytest.mark.parametrize(
    "line",
    [
        "./testbed course frobnicate",  # no such command
        "./testbed grade 04_anzen --nope",  # no such option
        "./testbed course release 04_anzen extra",  # one argument too many
        "./testbed cohort add yamada-taro",  # --name is required
        "./testbed grade export --format pdf",  # not a choice
    ],
)
def test_a_made_up_command_is_rejected(line, no_file_checks):
    """Would a command line that the real CLI refuses fail the check?"""
    with pytest.raises(click.UsageError):
        parse_command(line)


def test_grading_an_assignment_resolves_to_the_hidden_run_command(no_file_checks):
    """Is `./testbed grade 課題名` checked as the grading command itself (not only as the group)?"""
    assert parse_command("./testbed grade 04_anzen --force") == ["grade", "run"]
    assert parse_command("./testbed grade") == ["grade"]


# --- exact texts --------------------------------------------------------------------------------------------


def _strings(path: Path) -> list[str]:
    try:
        tree = ast.parse(_text(path))
    except (SyntaxError, UnicodeDecodeError):
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
    return out


@cache
def corpus() -> tuple[str, ...]:
    """Every string literal of the project's Python code (implicit concatenations joined, f-strings in parts)
    and the raw text of its templates, notebook sources, translations and docs; never the kit itself."""
    roots = [REPO / d for d in SOURCE_DIRS] + [COURSE / d for d in COURSE_DIRS]
    texts: list[str] = []
    for root in roots:
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if not path.is_file() or KIT in path.parents or {"__pycache__", "tests"} & set(path.parts):
                continue
            if path.suffix == ".py":
                texts += _strings(path)
            elif path.suffix in RAW_SUFFIXES:
                texts.append(_text(path))
    return tuple(texts)


def in_source(text: str) -> bool:
    """Is ``text`` in the source verbatim? ``…`` stands for a value filled in at run time: each part between
    them must be there, and at least one part must be long enough to mean something."""
    parts = [p.strip() for p in text.split("…") if p.strip()]
    if not parts or max(len(p) for p in parts) < 4:
        return False
    return all(any(p in s for s in corpus()) for p in parts)


def table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def exact_texts() -> list[tuple[str, str]]:
    """(symptom, exact text) of every row of troubleshooting.md (the header rows left out)."""
    out = []
    for row in table_rows(_text(KIT / "troubleshooting.md")):
        if len(row) < 4 or row[1].startswith("研修生に見える文言"):
            continue
        spans = SPAN.findall(row[1])
        assert spans or row[1].startswith("英語："), f"row without an exact text: {row[0]}"
        out += [(row[0], s) for s in spans]
    return out


def test_the_troubleshooting_table_is_substantial():
    """Does the table cover sign-in, assignments, self-checks, publishing and grading with exact texts?"""
    text = _text(KIT / "troubleshooting.md")
    for heading in ["サインイン", "課題の受け取り", "自己チェック", "公開", "採点"]:
        assert re.search(rf"^## .*{heading}", text, re.M), heading
    assert len(exact_texts()) >= 30


@pytest.mark.parametrize("symptom,text", exact_texts(), ids=lambda v: v[:20])
def test_every_exact_text_is_in_the_source(symptom, text):
    """Is every text the table says a trainee sees written, verbatim, in the code that shows it?"""
    assert in_source(text), f"{symptom}: {text}"


def test_a_made_up_or_paraphrased_text_is_not_found():
    """Would a text nobody wrote, or a paraphrase of a real one, fail the check?"""
    assert in_source("ユーザー名またはパスワードが違います。配布された用紙を確かめて、もう一度入力してください。")
    assert not in_source("パスワードが違います。もう一度ゆっくり入力してください。")
    assert not in_source("ユーザー名かパスワードが違います。配布された用紙を確かめて、もう一度入力してください。")
    assert not in_source("… 分")  # placeholders alone say nothing


# --- modules, assignments, sections, menus, links ---------------------------------------------------------


def _lesson_headings() -> set[str]:
    heads = set()
    for src in (COURSE / "src").glob("*/kyozai_*.nbsrc"):
        heads |= {m.group(1).strip() for m in re.finditer(r"^## (.+)$", _text(src), re.M)}
    return heads


def _kit_text() -> str:
    return "\n".join(_text(p) for p in [*DOCS, NOTE_04])


def test_every_named_module_and_assignment_exists():
    """Does every module folder (04_anzen) and assignment (kadai_04) the kit names exist, with its answer key?"""
    modules = {p.name for p in (COURSE / "src").iterdir() if p.is_dir() and not p.name.startswith("_")}
    named = set(MODULE.findall(_kit_text()))
    assert named and named <= modules, named - modules
    numbers = {m[:2] for m in modules}
    for nn in set(ASSIGNMENT.findall(_kit_text())):
        assert nn in numbers and (KIT / "answer_keys" / f"kadai_{nn}.md").is_file(), nn
    assert {f"kadai_{n}.md" for n in numbers} == {p.name for p in KEYS}


def test_every_named_lesson_section_exists():
    """Does every section a plan names (§「5. 集計と小さい値の秘匿」) exist as a heading of a lesson?"""
    sections = set(SECTION.findall(_kit_text()))
    assert len(sections) >= 15
    assert sections <= _lesson_headings(), sections - _lesson_headings()


def test_a_made_up_section_is_not_found():
    """Would a plan naming a section no lesson has fail the check?"""
    assert "5. 集計と小さい値の秘匿" in _lesson_headings()
    assert "5. 集計と秘匿" not in _lesson_headings()


def test_every_named_menu_item_exists():
    """Is every 「menu」→「item」 the kit tells people to click a label the environment shows?"""
    pairs = MENU.findall(_kit_text())
    assert len(pairs) >= 5
    missing = [label for pair in pairs for label in pair if not any(label in s for s in corpus())]
    assert missing == []


def test_every_linked_file_exists():
    """Does every relative link of the kit and of the 04 note point at a file of the repository?"""
    for doc in [*DOCS, NOTE_04]:
        for target in LINK.findall(_text(doc)):
            if "://" not in target:
                assert (doc.parent / target).exists(), f"{doc.name}: {target}"


# --- answer keys --------------------------------------------------------------------------------------------


def test_answer_keys_are_current():
    """Is every answer key exactly what build.py makes from the assignments, checks and catalogue today?"""
    made = answer_key.keys()
    assert {p.name for p in made} == {p.name for p in KEYS}
    stale = [p.name for p, data in made.items() if p.read_bytes() != data]
    assert stale == [], "run: python3 courses/odtb/build.py"


def test_answer_keys_show_model_answers_checks_and_rubrics():
    """Does each key carry the model answer, what the self-check rejects, and a rubric for manual questions?"""
    for path in KEYS:
        text = _text(path)
        assert "### 解答例" in text and "自己チェックが落とす答え" in text, path.name
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, path.name
    assert "平均になっています。問われているのは合計です。" in _text(KEYS[0])  # q2's rule of odtbcheck.kadai_00
    for nn in ("05", "07"):
        text = _text(KIT / "answer_keys" / f"kadai_{nn}.md")
        assert "### 採点の観点（ルーブリック）" in text and "採点の観点が書かれていません" not in text, nn


def test_a_changed_assignment_makes_its_key_stale(tmp_path, monkeypatch):
    """Would editing an assignment's source without rebuilding be noticed?"""
    src = tmp_path / "src"
    shutil.copytree(COURSE / "src", src)
    nbsrc = src / "00_hajimeni" / "kadai_00_hajimeni.nbsrc"
    nbsrc.write_text(_text(nbsrc).replace('city = "みどり野市"', 'city = "みどりの市"', 1), encoding="utf-8")
    monkeypatch.setattr(answer_key, "SRC", src)
    made = {p.name: data for p, data in answer_key.keys().items()}
    assert made["kadai_00.md"] != (KIT / "answer_keys" / "kadai_00.md").read_bytes()
    assert made["kadai_04.md"] == (KIT / "answer_keys" / "kadai_04.md").read_bytes()


def _points(nn: str) -> int:
    src = next((COURSE / "src").glob(f"{nn}_*/kadai_*.nbsrc"))
    return sum(q.points for q in answer_key.questions(answer_key.cells(_text(src))))


def test_points_in_the_plans_match_the_assignments():
    """Does every 「課題N（M点」 of the plans equal the assignment's points today?"""
    claims = re.findall(r"課題(\d)（(\d+)点", "\n".join(_text(p) for p in DOCS))
    assert len(claims) >= 6
    wrong = [(n, m, _points(f"0{n}")) for n, m in claims if int(m) != _points(f"0{n}")]
    assert wrong == []
    assert _points("00") == 5 and _points("04") == 10  # the counter itself: 1+2+2, 3+2+3+2

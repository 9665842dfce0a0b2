"""The course's check package (courses/odtb/odtbcheck): the failure box, check(), the questions of 課題0
with plain Python values, the Japanese error explanations (pure functions) and its installer."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "courses" / "odtb"))

from odtbcheck import check, failure  # noqa: E402
from odtbcheck import explain as ex  # noqa: E402
from odtbcheck.ipython import explained  # noqa: E402
from odtbcheck.kadai_00 import q1, q2  # noqa: E402

from testbed_cli import course_package  # noqa: E402

pytestmark = pytest.mark.unit


def _error(code: str) -> BaseException:
    try:
        exec(compile(code, "<cell>", "exec"), {})
    except BaseException as exc:  # noqa: BLE001
        return exc
    raise AssertionError(f"{code!r} raised nothing")


def test_failure_is_an_assertion_error_shown_as_a_japanese_box():
    """Is a failed check an AssertionError (what nbgrader and the feedback key on) whose rendering is the
    Japanese box with what is wrong, the hint and where to look, and no traceback?"""
    exc = failure("合計が平均になっています。", "足し合わせます。", where="答えのセル")
    assert isinstance(exc, AssertionError)
    assert (
        str(exc)
        == "\n【どこが違うか】合計が平均になっています。\n【直し方のヒント】足し合わせます。\n【見るところ】答えのセル"
    )
    text = "\n".join(exc._render_traceback_())
    for part in ("❌", "【どこが違うか】合計が平均", "【直し方のヒント】足し合わせます", "【見るところ】答えのセル"):
        assert part in text
    assert "Traceback" not in text and "File " not in text and "AssertionError" not in text


def test_check_keeps_its_signature_and_fails_instead_of_crashing():
    """Does check(ok, problem, fix) pass on a true condition and show the box on a false one, a condition
    that raises, or one that cannot be judged (a Series' ambiguous truth value)?"""
    check(True, "x", "y")
    check(lambda: 1 + 1 == 2, "x", "y")

    class Ambiguous:
        def __bool__(self):
            raise ValueError("The truth value of a Series is ambiguous")

    for bad in (False, 0, lambda: int("七百"), Ambiguous()):
        with pytest.raises(AssertionError) as caught:
            check(bad, "値が違います。", "計算を見直します。")
        assert "【どこが違うか】値が違います。" in str(caught.value)
        assert hasattr(caught.value, "_render_traceback_")


@pytest.mark.parametrize("right", [760, 760.0, Fraction(1520, 2)])
def test_sum_question_accepts_the_sum(right):
    """Does 課題0 問2 accept the sum as int or float?"""
    assert q2.verdict({"total_capacity": right}) is None


@pytest.mark.parametrize(
    "wrong, named",
    [(190.0, "平均"), (190, "平均"), (4, "行の数"), ("760", "文字列"), (200, "最も大きい"), (180, "最も大きい"),
     (True, "数ではありません"), ([760], "数ではありません"), (759, "合計の値が違います")],
)  # fmt: skip
def test_sum_question_names_the_misconception_without_the_answer(wrong, named):
    """Does 課題0 問2 reject the mean, the count, text, the maximum…, name the mistake, and never print 760?"""
    problem, fix = q2.verdict({"total_capacity": wrong})
    assert named in problem
    assert "760" not in problem + fix


def test_city_question():
    """Does 課題0 問1 accept the name and name each kind of wrong one (missing, not text, spaces, no 市)?"""
    assert q1.verdict({"city": "みどり野市"}) is None
    assert "ありません" in q1.verdict({})[0]
    assert "文字列" in q1.verdict({"city": 1})[0]
    assert "空白" in q1.verdict({"city": "みどり野市\u3000"})[0]
    assert "空白" in q1.verdict({"city": "みどり野 市"})[0]
    assert "「市」" in q1.verdict({"city": "みどり野"})[0]
    assert "全角" in q1.verdict({"city": "ﾐﾄﾞﾘ野市"})[0]
    assert q1.verdict({"city": "緑野市"}) is not None


def test_question_check_reads_the_callers_variables(capsys):
    """Does q.check() find the answer in the calling namespace, print ✅ when right, count attempts?"""
    before = q2.attempts
    total_capacity = 760  # noqa: F841 - read by q2.check() through the namespace below
    q2.check(namespace={"total_capacity": 760})
    assert "✅ 問2 合格" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        q2.check(namespace={"total_capacity": 4})
    assert q2.attempts == before + 2


def test_hints_are_tiered(capsys):
    """Does hint() give the nudge first and the concrete hint next (then keep the last)?"""
    q = q2.__class__(title="問9", variables=["x"], correct=lambda v: True, problem="", fix="", hints=["a", "b"])
    q.hint()
    q.hint()
    q.hint()
    out = capsys.readouterr().out.splitlines()
    assert "1/2：a" in out[0] and "もう一度" in out[0]
    assert "2/2：b" in out[1] and "2/2：b" in out[2]


def test_name_error_suggests_the_near_name_and_running_the_cell():
    lines = ex.explain(_error("totl = 1\ntotal"), defined=["totl", "_hidden", "shelters"])
    text = "\n".join(lines)
    assert "「total」" in text and "totl" in text and "実行" in text
    assert "pandas" in "\n".join(ex.name_error("pd", []))
    assert "True" in "\n".join(ex.name_error("true", []))


def test_key_error_lists_the_columns_and_spots_bom_and_spaces():
    """Does a KeyError on a column show the table's columns, a BOM (utf-8-sig) and a spacing difference?"""
    text = "\n".join(ex.explain(KeyError("人 口"), columns=["名称", "人口"]))
    assert "「名称」、「人口」" in text and "近い列名：人口" in text
    assert "utf-8-sig" in "\n".join(ex.key_error("名称", ["\ufeff名称", "人口"]))
    assert "空白" in "\n".join(ex.key_error("人口", ["人口\u3000", "名称"]))
    assert ex.explain(KeyError("a"), columns=None) is None  # a dict's KeyError: no table, no guess


def test_missing_parentheses_type_error():
    """Is a method used without () explained, and an unrelated TypeError left alone?"""
    assert "()" in "\n".join(ex.explain(_error('"abc".strip[0]')))
    assert "()" in "\n".join(ex.explain(_error("def f(): pass\nf + 1")))
    assert ex.explain(_error('1 + "a"')) is None


@pytest.mark.parametrize("char, ascii_", [("「", '"'), ("」", '"'), ("“", '"'), ("”", '"'), ("（", "("), ("）", ")")])
def test_full_width_characters_in_code(char, ascii_):
    """Is each full-width quote or bracket typed with the IME explained with its ASCII twin?"""
    text = "\n".join(ex.explain(_error(f"x = {char}1{char}")))
    assert f"全角の記号 {char} " in text and f"半角の {ascii_} " in text


def test_full_width_space_in_code():
    text = "\n".join(ex.explain(_error("x\u3000= 1")))
    assert "全角の空白を半角の空白に" in text
    assert ex.explain(_error("x = = 1")) is None  # a syntax error of another kind: no guess


def test_encoding_errors_name_the_encoding_to_use():
    """Is a Shift_JIS file read as UTF-8 answered with cp932, and a UTF-8 file read as cp932 with utf-8(-sig)?"""
    sjis = _error("'名称'.encode('cp932').decode('utf-8')")
    assert 'encoding="cp932"' in "\n".join(ex.explain(sjis))
    utf8 = _error("'名称です'.encode('utf-8').decode('cp932')")
    text = "\n".join(ex.explain(utf8))
    assert 'encoding="utf-8"' in text and "utf-8-sig" in text


def test_hook_puts_the_explanation_above_and_keeps_the_original():
    """Does the hook put the explanation first, keep every original line below, and leave check boxes and
    unexplained errors untouched?"""
    shell = SimpleNamespace(user_ns={"totl": 1})
    original = ["NameError  Traceback", "NameError: name 'total' is not defined"]
    out = explained(shell, _error("total"), original)
    assert out[-2:] == original and "total" in "\n".join(out[:-2]) and len(out) > len(original)
    box = failure("a", "b")
    assert explained(shell, box, ["box"]) == ["box"]
    assert explained(shell, _error('1 + "a"'), original) == original


def test_installer_copies_the_package_and_loads_the_hook(tmp_path):
    """Does the installer put odtbcheck into the venv's site-packages (which the grading sandbox mounts) and
    the extension into the venv's IPython kernel config, idempotently, and refresh a changed package?"""
    venv = tmp_path / "venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    source = tmp_path / "src" / "odtbcheck"
    source.mkdir(parents=True)
    (source / "__init__.py").write_text("A = 1\n")
    assert course_package.ensure(venv, source) is True
    assert (site / "odtbcheck" / "__init__.py").read_text() == "A = 1\n"
    config = (venv / "etc" / "ipython" / "ipython_kernel_config.py").read_text()
    assert "c.InteractiveShellApp.extensions = ['odtbcheck.ipython']" in config
    assert course_package.ensure(venv, source) is False
    (source / "__init__.py").write_text("A = 2\n")
    assert course_package.ensure(venv, source) is True
    assert (site / "odtbcheck" / "__init__.py").read_text() == "A = 2\n"


def _course_folder(tmp_path):
    from classroom import marks

    exchange = tmp_path / "exchange"
    exchange.mkdir()
    marks.ensure_dropbox(exchange / "odtb")
    (exchange / "odtb" / "outbound" / "kadai_00").mkdir(parents=True)
    folder = tmp_path / "home" / "odtb" / "kadai_00"
    folder.mkdir(parents=True)
    return exchange, folder


def test_attempts_and_hints_reach_the_board(tmp_path, monkeypatch, capsys):
    """Do a question's checks, failures, hints and a shown solution leave one tries mark per kernel session that
    the board reads back (summed over sessions), beside the selfchecked mark, and nothing in the sandbox?"""
    from classroom import marks, selfcheck

    exchange, folder = _course_folder(tmp_path)
    monkeypatch.chdir(folder)
    monkeypatch.setenv(selfcheck.ENV, str(exchange))
    monkeypatch.setenv("TESTBED_SOLUTION_AFTER", "2")
    q = q2.__class__(
        title="問2", key="q2", variables=["x"], correct=lambda v: v["x"] == 1, problem="p", fix="f", hints=["h"]
    )
    q.solution_text = "x = 1"
    for value in (0, 2):
        with pytest.raises(AssertionError):
            q.check(namespace={"x": value})
    q.hint()
    q.solution()
    q.check(namespace={"x": 1})
    me = __import__("pwd").getpwuid(__import__("os").geteuid()).pw_name
    tries = marks.read_tries(exchange / "odtb")
    assert tries == {(me, "kadai_00"): {"q2": {"attempts": 3, "failures": 2, "hints": 1, "solutions": 1}}}
    assert marks.read(exchange / "odtb", marks.SELFCHECKED) == {(me, "kadai_00")}
    monkeypatch.setattr(selfcheck, "_SESSION", "restart1")  # a restarted kernel counts again in its own mark
    monkeypatch.setattr(selfcheck, "_tries", {})
    q.attempts = q.failures = q.hints_shown = 0
    q.check(namespace={"x": 1})
    assert marks.read_tries(exchange / "odtb")[(me, "kadai_00")]["q2"]["attempts"] == 4
    assert len(list((exchange / "odtb" / "progress").glob("*+tries~*"))) == 2
    assert "x = 1" in capsys.readouterr().out
    monkeypatch.delenv(selfcheck.ENV)
    assert selfcheck.record_tries("q2", 1, 0, 0) is False  # the grading sandbox: nothing, no error
    assert selfcheck.record_tries("問2", 1, 0, 0, exchange_root=exchange, folder=folder) is False  # not a safe name


@pytest.mark.parametrize(
    "setting, failures, shown",
    [("off", 9, False), (None, 9, False), ("0", 9, False), ("3", 2, False), ("3", 3, True)],
)
def test_solution_is_gated_by_mode_and_failures(monkeypatch, capsys, setting, failures, shown):
    """Is the model answer never shown on-site (off, unset, 0) and shown in remote mode only after N failures?"""
    if setting is None:
        monkeypatch.delenv("TESTBED_SOLUTION_AFTER", raising=False)
    else:
        monkeypatch.setenv("TESTBED_SOLUTION_AFTER", setting)
    q = q2.__class__(title="問2", variables=["x"], correct=lambda v: True, problem="", fix="", solution_text="x = 1")
    q.failures = failures
    q.solution()
    out = capsys.readouterr().out
    assert ("x = 1" in out) is shown and q.solution_shown is shown
    if not shown:
        assert "講師" in out or "あと" in out


def test_spawner_passes_the_solution_policy():
    """Does the spawner give trainee servers "off" on-site and the configured number in remote mode?"""
    from hub_config.configurer import solution_after
    from testbed_config import StackConfig

    assert solution_after(StackConfig()) == "off"
    assert solution_after(StackConfig(mode="remote")) == "3"
    assert solution_after(StackConfig(mode="remote", remote={"solution_after_failures": 0})) == "off"
    assert solution_after(StackConfig(mode="remote", remote={"solution_after_failures": 5})) == "5"


def test_a_written_out_check_cell_counts_its_attempts_and_failures(capsys):
    """Does a check cell of 課題1〜7 (``qN.start()``, check lines, ``qN.passed()``) count the attempt, name the question
    in the box of a failing check, count that failure once, and print ✅ only after every check passed?"""
    from odtbcheck import checks

    q = q2.__class__(title="問7", key="q7", hints=["a", "b"])
    q.start()
    with pytest.raises(AssertionError) as failed:
        check(False, "値が違います。", "直します。")
    assert "問7：まだ合格していません" in "\n".join(failed.value._render_traceback_())
    assert (q.attempts, q.failures, checks.ACTIVE) == (1, 1, None)
    check(False is False, "", "")  # a check outside any question's cell: nothing counted
    q.start()
    check(True, "", "")
    q.passed()
    assert (q.attempts, q.failures, checks.ACTIVE) == (2, 1, None)
    assert capsys.readouterr().out.strip() == "✅ 問7 合格"
    with pytest.raises(TypeError):
        q.check()  # its checks are in the notebook: check() is a mistake of the course author, said loudly


def test_a_question_with_steps_checks_them_from_the_package(capsys):
    """Does ``q.check()`` of a question whose checks are ``check`` steps (課題1〜7) count the attempt, title and count
    a failing step once, turn a step that crashes on an answer of the wrong kind into a failed check (no traceback),
    name a missing variable, and print ✅ when right?"""
    from odtbcheck import checks

    def steps(total, rows):
        check(len(rows) == 3, "行数が違います。", "3行にします。")
        check(total == sum(rows), "合計が違います。", "足します。")

    q = q2.__class__(title="問8", key="q8", variables=["total", "rows"], steps=steps, hints=["a", "b"])
    for answer, problem in (
        ({"total": 5, "rows": [1, 2, 3]}, "合計が違います。"),
        ({"total": 6, "rows": 3}, "答えを調べている途中で止まりました（TypeError"),
        ({"rows": [1, 2, 3]}, "変数 total がありません"),
    ):
        with pytest.raises(AssertionError) as failed:
            q.check(namespace=answer)
        box = "\n".join(failed.value._render_traceback_())
        assert problem in box and "問8：まだ合格していません" in box and "Traceback" not in box, box
        assert "has no len" not in box  # Python's English message is not shown to the trainee
        assert checks.ACTIVE is None
    assert (q.attempts, q.failures) == (3, 3)
    q.check(namespace={"total": 6, "rows": [1, 2, 3]})
    assert (q.attempts, q.failures) == (4, 3)
    assert capsys.readouterr().out.strip() == "✅ 問8 合格"


def test_a_name_of_a_locked_cell_missing_is_not_blamed_on_the_answer_cell():
    """When a name the steps read from the notebook's locked cells (``prepared``) is missing, does the box say to run
    the cells above, not to write it in the answer cell, and are the steps given it as a keyword?"""
    seen = {}
    q = q2.__class__(
        title="問9", variables=["total"], prepared=["limit"], steps=lambda total, limit: seen.update(t=total, l=limit)
    )
    with pytest.raises(AssertionError) as failed:
        q.check(namespace={"total": 3})
    box = "\n".join(failed.value._render_traceback_())
    assert "準備のセルで作られる limit がありません" in box and "答えのセルで limit" not in box, box
    with pytest.raises(AssertionError) as failed:
        q.check(namespace={"limit": 5})
    assert "変数 total がありません" in "\n".join(failed.value._render_traceback_())
    q.check(namespace={"total": 3, "limit": 5})
    assert seen == {"t": 3, "l": 5}


def _graded_modules():
    import importlib

    for src in sorted((REPO / "courses" / "odtb" / "src").glob("0[1-8]_*/kadai_*.nbsrc")):
        yield src, src.read_text(encoding="utf-8"), importlib.import_module(f"odtbcheck.kadai_{src.parent.name[:2]}")


def test_every_question_of_kadai_1_to_8_checks_from_the_package():
    """Is every graded question of 課題1〜8 checked by the package (its check cell reads ``qN.check()``, no visible
    ``check(`` line is left in the cell, only hidden tests) with at least two real hints (a nudge, then concrete)?"""
    import re

    seen = 0
    for src, text, module in _graded_modules():
        cells = [c for c in text.split("\n%% ") if c.startswith("tests ")]
        assert cells, f"{src.name}: no graded check cell"
        for cell in cells:
            called = re.findall(r"^(q\d+)\.check\(\)", cell, re.M)
            assert len(called) == 1, (src.name, cell[:80])
            q = getattr(module, called[0])
            assert q.steps is not None and q.variables, (src.name, called[0])
            assert len(q.hints) >= 2 and all(h and "TODO" not in h for h in q.hints), (src.name, called[0], q.hints)
            visible = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", cell, flags=re.S)
            assert "check(" not in visible.replace(f"{called[0]}.check()", ""), (src.name, called[0])
            seen += 1
    assert seen >= 25


def test_no_model_answer_ships_in_the_trainees_package():
    """The package is installed where every trainee can read it: does no line of any instructor solution (the code
    between BEGIN/END SOLUTION in courses/odtb/source) appear in it?"""
    import json

    package = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "courses/odtb/odtbcheck").glob("*.py"))
    checked = 0
    for path in (REPO / "courses" / "odtb" / "source").glob("*/kadai_*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("solution") and cell["cell_type"] == "code":
                for line in "".join(cell["source"]).splitlines():
                    line = line.strip()
                    if len(line) >= 25 and not line.startswith("#"):
                        assert line not in package, (path.name, line)
                        checked += 1
    assert checked > 50

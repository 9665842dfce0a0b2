"""The operator CLI's usage errors, in-process with click's runner against the real ``./testbed`` group: is click's
own English ("Error: No such option", "Try … for help.", "Missing argument", "Invalid value for", "Got unexpected
extra argument", "No such command") written in Japanese (testbed_cli/usage_ja.py), with click's exit code 2?"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from testbed_cli import usage_ja
from testbed_cli.cli import main

pytestmark = pytest.mark.unit

CLICK_ENGLISH = re.compile(
    r"Error:|Usage:|Try '|for help|No such|Did you mean|Missing|Invalid value|is not|Got unexpected|"
    r"requires an|does not|Aborted|Choose from"
)


def _run(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(main, list(args), prog_name="./testbed", input=stdin)
    return result, result.output


def _error_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("エラー: "))


@pytest.mark.parametrize(
    ("args", "usage", "error"),
    [
        (["--x"], "./testbed", "エラー: 「--x」というオプションはありません。"),
        (
            ["--conf", "x"],
            "./testbed",
            "エラー: 「--conf」というオプションはありません。もしかして「--config」ですか？",
        ),
        (
            ["cohort", "ad"],
            "./testbed cohort",
            "エラー: 「ad」というコマンドはありません。もしかして「add」ですか？",
        ),
        (["bogus"], "./testbed", "エラー: 「bogus」というコマンドはありません。もしかして「logs」ですか？"),
        (["cohort", "team", "set"], "./testbed cohort team set", "エラー: 引数「USERNAME」を指定してください。"),
        (
            ["admin-token"],
            "./testbed admin-token",
            "エラー: 引数「{hub|ckan}」を指定してください。選べるのは「hub」「ckan」です。",
        ),
        (
            ["admin-token", "foo"],
            "./testbed admin-token",
            "エラー: 引数「{hub|ckan}」の値が正しくありません: 「foo」は選べません。選べるのは「hub」「ckan」です。",
        ),
        (
            ["grade", "export", "--format", "pdf"],
            "./testbed grade export",
            "エラー: オプション「--format」の値が正しくありません: 「pdf」は選べません。"
            "選べるのは「csv」「xlsx」です。",
        ),
        (
            ["cohort", "team", "suggest", "--size", "x"],
            "./testbed cohort team suggest",
            "エラー: オプション「--size」の値が正しくありません: 「x」は整数ではありません。",
        ),
        (
            ["class", "start", "--parallel", "99"],
            "./testbed class start",
            "エラー: オプション「--parallel」の値が正しくありません: 99 は範囲外です。"
            "1 以上 32 以下の値を指定してください。",
        ),
        (
            ["cohort", "import", "/nonexistent/名簿.csv"],
            "./testbed cohort import",
            "エラー: 引数「CSV_FILE」の値が正しくありません: ファイル「/nonexistent/名簿.csv」がありません。",
        ),
        (["status", "extra", "more"], "./testbed status", "エラー: 余分な引数があります: extra more"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_is_a_usage_error_written_in_japanese(args, usage, error):
    """Does a mistyped command print 使い方, where to read the help and the error in Japanese, and exit with 2?"""
    result, output = _run(*args)
    assert result.exit_code == 2, output
    lines = output.splitlines()
    assert lines[0].startswith(f"使い方: {usage} "), output
    assert lines[1] == f"使い方は {usage} --help で確かめてください。", output
    assert _error_line(output) == error, output
    assert not CLICK_ENGLISH.search(output), output


def test_is_an_option_missing_its_value_japanese():
    """Does `--size` with no value say the option needs a value (click's "requires an argument")?"""
    result, output = _run("cohort", "team", "suggest", "--size")
    assert result.exit_code == 2
    assert _error_line(output) == "エラー: オプション「--size」には値が必要です。"
    assert not CLICK_ENGLISH.search(output), output


def test_is_a_declined_confirmation_japanese():
    """Does answering no to `cohort remove`'s question end with 中止しました。 (click's "Aborted!"), exit code 1?"""
    result, output = _run("cohort", "remove", "someone", stdin="n\n")
    assert result.exit_code == 1, output
    assert output.rstrip().endswith("中止しました。") and "Aborted" not in output, output


def test_does_a_group_without_a_command_still_show_its_help():
    """Does `./testbed cohort` alone show the group's Japanese help (click's no-args help), not an error?"""
    result, output = _run("cohort")
    assert output.startswith("使い方: ./testbed cohort ") and "コマンド:" in output, output
    assert "エラー" not in output and not CLICK_ENGLISH.search(output), output


@pytest.mark.parametrize("args", [["--help"], ["cohort", "team", "suggest", "--help"], ["-h"]])
def test_does_help_still_work(args):
    """Do `./testbed --help` and a sub-command's -h still print their Japanese help with exit code 0?"""
    result, output = _run(*args)
    assert result.exit_code == 0, output
    assert output.startswith("使い方: ./testbed") and "オプション:" in output, output


def test_would_plain_click_fail_these_checks():
    """Does click's own group (the check's wrong case) print the English this test looks for?"""
    group = click.Group("x", commands={"y": click.Command("y", params=[click.Argument(["name"])])})
    output = CliRunner().invoke(group, ["y"], prog_name="x").output
    assert "Error: Missing argument 'NAME'." in output and CLICK_ENGLISH.search(output)


def test_is_a_message_of_the_project_kept():
    """Is an error text that is none of click's messages (the project's own Japanese) passed through unchanged?"""
    assert usage_ja.translate("研修生 x はいません。") == "研修生 x はいません。"
    assert usage_ja.translate("'abc' is not a valid float.") == "「abc」は数値ではありません。"
    assert usage_ja.translate("0 is not in the range x>=1.") == "0 は範囲外です。1 以上の値を指定してください。"
    assert (
        usage_ja.translate("5 is not in the range 0<x<5.")
        == "5 は範囲外です。0 より大きく 5 未満の値を指定してください。"
    )


CLICK = Path(click.__file__).parent


def test_is_every_msgid_one_the_installed_click_uses():
    """Does the installed click still write each message of the table (a click upgrade that rewords one fails here
    instead of leaving English on the operator's screen)?"""
    literals = {
        node.value
        for path in CLICK.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert [msgid for msgid in usage_ja.MESSAGES if msgid not in literals] == []


def test_a_confirmation_asks_again_in_japanese_and_no_removes_nothing():
    """Does `cohort remove` answer a mistyped reply in Japanese (not click's "Error: invalid input"), ask again, and
    stop with 「中止しました。」 at no, an empty line or the end of input (nothing removed: no stack is reached)?"""
    for stdin in ("x\nn\n", "\n", ""):
        result = CliRunner().invoke(main, ["cohort", "remove", "nosuch"], prog_name="./testbed", input=stdin)
        assert result.exit_code == 1, result.output
        assert "中止しました。" in result.output and "Error" not in result.output, result.output
        assert "[y=はい / N=いいえ]" in result.output
        assert ("「y」（はい）か「n」（いいえ）で答えてください。" in result.output) == stdin.startswith("x")
        assert "削除しました" not in result.output


def test_a_confirmation_accepts_yes_in_both_scripts(monkeypatch):
    """Do y, yes, はい (and a full-width ｙ typed with the IME on) count as yes?"""
    for reply in ("y", "YES", "はい", "ｙ", "ＹＥＳ", " y "):
        monkeypatch.setattr("builtins.input", lambda prompt, reply=reply: reply)
        usage_ja.confirm("よろしいですか?")  # returns: no abort
    monkeypatch.setattr("builtins.input", lambda prompt: "いいえ")
    with pytest.raises(usage_ja.Aborted):
        usage_ja.confirm("よろしいですか?")

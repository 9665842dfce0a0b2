"""The operator CLI's help pages, in-process with click's runner: Japanese headings, no click English."""

import click
import pytest
from click.testing import CliRunner

from testbed_cli.cli import main
from testbed_cli.help_ja import width, wrap

pytestmark = pytest.mark.unit

ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "[default:", "[required]")


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


PATHS = _command_paths(main)


def test_does_the_walk_reach_nested_commands():
    """Does the list of help pages under test include the top level, groups and nested commands?"""
    assert () in PATHS and ("cohort",) in PATHS and ("cohort", "deadline", "set") in PATHS and ("up",) in PATHS


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "testbed")
def test_is_every_help_page_free_of_clicks_english(path):
    """Does `./testbed … -h` of the group and every command say 使い方/オプション, never "Usage:"/"Options:"?"""
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="./testbed")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"使い方: ./testbed {' '.join(path)}".rstrip() + " ")
    assert "オプション:" in result.output and "この説明を表示して終わります。" in result.output
    assert [word for word in ENGLISH if word in result.output] == []


def test_would_a_plain_click_command_fail_this_check():
    """Does click's own formatter (the check's wrong case) print the English this test looks for?"""
    output = CliRunner().invoke(click.Command("x", help="説明"), ["--help"]).output
    assert "Usage:" in output and "Options:" in output and "Show this message" in output


def test_are_lines_wrapped_by_terminal_columns_not_characters():
    """Is a Japanese sentence wrapped at 20 columns (10 characters), with no line opening on 「。」?"""
    lines = wrap("課題の締切を設定します。進捗ボードと成績表に表示されます。", 20)
    assert all(width(line) <= 22 for line in lines) and len(lines) >= 3
    assert not any(line.startswith("。") for line in lines)
    assert width("オプション") == 10

"""Docs against the code: every command of `./testbed` is in the README's command table."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from testbed_cli.cli import main

pytestmark = pytest.mark.unit

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(cmd: click.Command, path: list[str]) -> list[str]:
    if isinstance(cmd, click.Group):
        return [c for name, sub in cmd.commands.items() if not sub.hidden for c in _commands(sub, [*path, name])]
    return [" ".join(path)]


def test_every_command_is_in_the_readme():
    """Does the README name every (visible) `./testbed` command an operator or instructor can type?"""
    commands = _commands(main, [])
    assert len(commands) > 10
    missing = [c for c in commands if f"./testbed {c}" not in README]
    assert missing == []


def test_the_checker_notices_a_missing_command():
    """Would a new, undocumented command be caught?"""

    @click.group()
    def root():
        pass

    @root.command("frobnicate")
    def _frob():
        pass

    assert [c for c in _commands(root, []) if f"./testbed {c}" not in README] == ["frobnicate"]

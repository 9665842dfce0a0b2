"""Reserved user names (testbed_cli/cohort_roster.py): system and testbed names are refused for new trainees,
in the roster CSV and in `./testbed cohort add`, with a Japanese message; ordinary names pass."""

from __future__ import annotations

import pwd

import pytest
from click.testing import CliRunner

from testbed_cli import cohort_roster as roster
from testbed_cli.cli import main

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "name",
    ["root", "admin", "administrator", "daemon", "bin", "sys", "nobody", "postgres", "redis", "www-data", "jupyter"],
)
def test_are_the_listed_names_reserved(name):
    """Is every name on the reserved list refused, saying it is reserved and what to do?"""
    msg = roster.reserved_problem(name, frozenset())
    assert msg and "予約名" in msg and "別の名前にしてください" in msg


@pytest.mark.parametrize("name", ["grader-odtb", "grader-x", "testbed", "testbed-admin", "testbedx"])
def test_are_grader_and_testbed_names_reserved(name):
    """Are grader-* and testbed* names refused?"""
    assert roster.reserved_problem(name, frozenset())


def test_is_every_system_account_of_the_machine_refused():
    """Is a name of an existing system account (from the account database getent reads) refused?"""
    system = roster.system_accounts()
    assert "root" in system and pwd.getpwuid(0).pw_name in system
    assert "ユーザー名 'svcacct' はこのサーバーのシステムアカウント" in roster.reserved_problem(
        "svcacct", frozenset({"svcacct"})
    )


@pytest.mark.parametrize("name", ["yamada01", "sato-hanako", "tanaka_k", "graderx", "rooted"])
def test_do_ordinary_names_pass(name):
    """Are ordinary trainee names (and look-alikes of reserved ones) accepted?"""
    assert roster.reserved_problem(name, frozenset()) is None


def test_does_the_roster_csv_refuse_a_reserved_name_by_line():
    """Does roster validation report a reserved name with its line number (nothing imported)?"""
    data = "ユーザー名,氏名,所属\nyamada01,山田 太郎,企画課\nroot,管理 者,情報課\ngrader-odtb,採点 係,情報課\n".encode()
    entries, problems = roster.parse(data, max_len=23)
    assert [p.line for p in problems] == [3, 4]
    assert "'root'" in str(problems[0]) and "予約名" in str(problems[0])


def test_does_cohort_add_refuse_root(tmp_path):
    """Does `./testbed cohort add root` fail with the Japanese message before anything is created?"""
    conf = tmp_path / "stack.yaml"
    conf.write_text(f"state_dir: {tmp_path / 'state'}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(conf), "cohort", "add", "root", "--name", "管理 者"])
    assert result.exit_code != 0
    assert "予約名" in result.output and "'root'" in result.output

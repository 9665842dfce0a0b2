"""Test tiers by explicit marker: tests/conftest.py fails collection for a test without exactly one tier
marker, and the tier selections of ./testbed test name registered markers."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from testbed_cli.remote_test import compose_pytest_args

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
CONFTEST = REPO / "tests" / "conftest.py"


@pytest.fixture
def tests_conftest(request):
    """tests/conftest.py as this run loaded it (its hook and TIERS)."""
    [mod] = [p for p in request.config.pluginmanager.get_plugins() if getattr(p, "__file__", None) == str(CONFTEST)]
    return mod


@pytest.fixture
def collect(pytester, tests_conftest):
    """A function: write test_sample.py, run ``pytest --collect-only`` on it with tests/conftest.py as a plugin."""
    markers = "".join(f"    {tier}: the {tier} tier\n" for tier in tests_conftest.TIERS)
    pytester.makeini(f"[pytest]\naddopts = --strict-markers\nmarkers =\n{markers}")

    def run(source: str, *args: str) -> pytest.RunResult:
        pytester.makepyfile(test_sample=source)
        return pytester.runpytest("--collect-only", "-q", *args, plugins=[tests_conftest])

    return run


def test_a_test_without_a_tier_marker_fails_collection(collect):
    """Is a test with no tier marker named in a usage error, even where `-m unit` would deselect it?"""
    source = """
import pytest

@pytest.mark.unit
def test_marked():
    pass

def test_forgotten():
    pass
"""
    for args in ((), ("-m", "unit")):
        result = collect(source, *args)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        err = result.stderr.str()
        assert "exactly one tier marker" in err
        assert "test_sample.py::test_forgotten: no tier marker" in err
        assert "test_marked" not in err


def test_a_test_with_two_tier_markers_fails_collection(collect):
    """Is a test marked with two tiers (module and function) named with both of them?"""
    result = collect("""
import pytest

pytestmark = pytest.mark.unit

@pytest.mark.integration
def test_both():
    pass

def test_unit_only():
    pass
""")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "test_sample.py::test_both: 2 tier markers (integration, unit)" in err
    assert "test_unit_only" not in err


def test_exactly_one_tier_marker_collects(collect):
    """Does a module-level tier with a skipif beside it (and the same tier repeated on a test) collect?"""
    result = collect("""
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.skipif(False, reason="never")]

@pytest.mark.integration
def test_repeated():
    pass

class TestGroup:
    def test_in_a_class(self):
        pass
""")
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    result.stdout.fnmatch_lines(["*test_repeated", "*test_in_a_class", "2 tests collected*"])


def test_pytest_ini_registers_exactly_the_tiers(tests_conftest):
    """Are the tier markers the conftest enforces the markers pytest.ini registers?"""
    ini = configparser.ConfigParser()
    ini.read(REPO / "pytest.ini", encoding="utf-8")
    registered = [line.split(":")[0].strip() for line in ini["pytest"]["markers"].strip().splitlines()]
    assert sorted(registered) == sorted(tests_conftest.TIERS)


def test_the_compose_target_runs_the_compose_tier_only(tmp_path):
    """Does ./testbed test --target compose select the compose marker in tests/remote/?"""
    env_file = tmp_path / ".env"
    env_file.write_text("TESTBED_PUBLIC_HOST=odtb.example.jp\n", encoding="utf-8")
    args, _ = compose_pytest_args(REPO, [], {"TESTBED_COMPOSE_ENV": str(env_file)})
    assert args[args.index("--rootdir") + 2 :] == ["-m", "compose", str(REPO / "tests" / "remote")]

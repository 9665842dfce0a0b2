"""The ``ckanext`` tier (./testbed test --ckanext): what it runs, on which databases, and who collects it."""

from __future__ import annotations

import ast
import configparser
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from testbed_cli import ckanext_tests
from testbed_cli.ckan import TEMPLATE
from testbed_config import StackConfig
from testbed_config.layout import Layout

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
# settings of the live ckan.ini the tests may share: read-only files and URLs nothing writes to
# addresses that hold no data: where CKAN is, Solr's unused URL, the licence file, and the hub's OAuth endpoints
SHARED = {"solr_url", "ckan.site_url", "licenses_group_url", "ckanext.testbed.sso.hub_url"}
SHARED |= {f"ckanext.oidc_pkce.{k}" for k in ("base_url", "auth_path", "token_path", "userinfo_path", "redirect_path")}


def test_does_the_ckanext_option_run_ckans_pytest_on_the_ckan_level_tests(tmp_path):
    """Does --ckanext select the ckanext marker and the tests/ckan folder, with CKAN's --ckan-ini?"""
    ini = tmp_path / "test.ini"
    args = ckanext_tests.pytest_command_args(ini, [])
    assert args[:2] == ["-m", "pytest"]
    assert f"--ckan-ini={ini}" in args
    assert args[args.index("-m", 2) + 1] == "ckanext"
    assert args[-1] == str(ckanext_tests.TEST_DIR)
    one = str(ckanext_tests.TEST_DIR / "test_ckan_search.py")
    assert ckanext_tests.pytest_command_args(ini, ["-q", one])[-2:] == ["-q", one]
    assert str(ckanext_tests.TEST_DIR) not in ckanext_tests.pytest_command_args(ini, ["-q", one])
    # the value of -k is not a path: the default folder is still collected (not the repository's root)
    selected = ckanext_tests.pytest_command_args(ini, ["-q", "-k", "requests"])
    assert selected[-4:] == [str(ckanext_tests.TEST_DIR), "-q", "-k", "requests"]
    assert str(ckanext_tests.TEST_DIR) not in ckanext_tests.pytest_command_args(ini, [f"{one}::test_x"])


def test_does_the_test_ini_keep_every_database_queue_and_secret_apart_from_the_live_ones(tmp_path):
    """Does the generated test ini override every live setting that holds data or a secret, with test ones?"""
    layout = Layout(StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt"))
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str
    ini.read_string(ckanext_tests.render_ini(layout))
    test = ini["app:main"]
    assert test["use"] == f"config:{layout.ckan_ini}"

    live = configparser.ConfigParser(interpolation=None)
    live.optionxform = str
    live.read_string(TEMPLATE.read_text(encoding="utf-8"))
    sensitive = {k for k in live["app:main"] if k.endswith(("url", "secret", "SECRET_KEY", "path", "site_id"))}
    assert sensitive - SHARED - set(test) == set()

    for key, database in (("sqlalchemy.url", "ckan_test"), ("ckan.datastore.write_url", "datastore_test")):
        url = urlsplit(test[key])
        assert (url.username, url.path) == ("ckan_test", f"/{database}")
    assert urlsplit(test["ckan.datastore.read_url"]).username == "datastore_test_ro"
    assert urlsplit(test["ckan.redis.url"]).path == "/1"
    assert test["ckan.site_id"] != live["app:main"]["ckan.site_id"]
    assert Path(test["ckan.storage_path"]).parent == layout.state / "ckan-test"
    assert test["ckan.auth.create_unowned_dataset"] == "true"


def test_does_only_ckans_venv_collect_the_ckan_level_tests():
    """Does a plain pytest run (the CLI venv, no --ckan-ini) leave tests/ckan/ out, each of whose modules is ckanext?"""
    tests = REPO / "ckanext-testbed" / "ckanext" / "testbed" / "tests"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pytest.ini"), "--rootdir", str(REPO)]
        + ["--collect-only", "-q", "-p", "no:cacheprovider", str(tests)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "test_query.py::" in proc.stdout
    assert "tests/ckan/" not in proc.stdout

    modules = sorted((tests / "ckan").glob("test_*.py"))
    assert modules
    for module in modules:
        marks = [
            ast.unparse(node.value)
            for node in ast.parse(module.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["pytestmark"]
        ]
        assert len(marks) == 1 and "pytest.mark.ckanext" in marks[0], module.name

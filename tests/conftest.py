"""Shared fixtures of the test tiers, and the rule that every test names its tier.

Tiers: every test carries exactly one tier marker (registered in pytest.ini, see tests/README.md), as a
module-level ``pytestmark = pytest.mark.unit`` (a list when the module also has skipif marks):

- ``unit``         no services, nothing ./testbed up installed (``./testbed test --unit``)
- ``integration``  the running local stack or what ./testbed up installed (hub, CKAN, PostgreSQL, supervisor,
                   Unix accounts, the venvs under the prefix)
- ``browser``      headless Chromium (the ``page``/``browser`` fixtures) against the running stack
- ``compose``      tests/remote/, a docker-compose stack by HTTP only (``./testbed test --target compose``)
- ``ckanext``      ckanext-testbed/ckanext/testbed/tests/ckan/, the extension inside real CKAN: CKAN's venv pytest
                   with ``--ckan-ini`` on test databases (``./testbed test --ckanext``); other runs skip that folder

Collection fails (before ``-m``/``-k`` deselect anything), naming each test with no tier marker or with more
than one: a test never lands in a tier by leaving its marker out.

Fixtures:
- ``stack_config``  (session) the effective StackConfig (same file as ``./testbed``; TESTBED_CONFIG honoured)
- ``layout``        (session) paths derived from it (testbed_config.layout.Layout)
- ``unique``        a function returning a fresh lowercase suffix, for names that must not collide
- ``hub``           (session) a HubClient (tests/helpers/hub.py) with the operator's admin token
- ``ckan_url``      (session) CKAN's base URL as reached from this machine
- ``ckan_admin``    (session) ckanapi.RemoteCKAN with the sysadmin token of 'testbed-admin'
- ``ckan_anon``     (session) ckanapi.RemoteCKAN with no token (an anonymous visitor)
- ``trainee``       a fresh hub user with a running server (hub user, Unix account and CKAN side removed afterwards)

Integration and browser tests talk to the real local stack (``./testbed test`` starts it first);
nothing in those tiers is mocked.
"""

from __future__ import annotations

import itertools
import os
import secrets
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from testbed_config import load_config  # noqa: E402
from testbed_config.layout import Layout  # noqa: E402

pytest_plugins = ("pytester",)  # tests/unit/test_tiers.py runs pytest on a throwaway folder

TIERS = ("unit", "integration", "browser", "compose", "ckanext")

_counter = itertools.count()
_run_id = secrets.token_hex(3)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Fail collection for any test without exactly one tier marker (before -m/-k deselect it)."""
    wrong = []
    for item in items:
        tiers = sorted({mark.name for mark in item.iter_markers() if mark.name in TIERS})
        if not tiers:
            wrong.append(f"{item.nodeid}: no tier marker")
        elif len(tiers) > 1:
            wrong.append(f"{item.nodeid}: {len(tiers)} tier markers ({', '.join(tiers)})")
    if wrong:
        raise pytest.UsageError(
            f"every test needs exactly one tier marker of {', '.join(TIERS)} (a module-level "
            "`pytestmark = pytest.mark.unit`, say; tests/README.md):\n  " + "\n  ".join(wrong)
        )


@pytest.fixture(scope="session")
def stack_config():
    return load_config(os.environ.get("TESTBED_CONFIG"))


@pytest.fixture(scope="session")
def layout(stack_config):
    return Layout(stack_config)


@pytest.fixture
def unique():
    def make() -> str:
        return f"t{_run_id}{next(_counter)}"

    return make


@pytest.fixture(scope="session")
def hub(layout):
    from helpers.hub import HubClient

    return HubClient.from_layout(layout)


@pytest.fixture(scope="session")
def ckan_url(stack_config):
    return stack_config.ckan_internal_url


@pytest.fixture(scope="session")
def ckan_admin(layout, ckan_url):
    import ckanapi

    token = (layout.secrets / "ckan-admin-token").read_text().strip()
    return ckanapi.RemoteCKAN(ckan_url, apikey=token, user_agent="testbed-tests")


@pytest.fixture(scope="session")
def ckan_anon(ckan_url):
    import ckanapi

    return ckanapi.RemoteCKAN(ckan_url, user_agent="testbed-tests")


@pytest.fixture
def trainee(hub, unique, layout, ckan_url):
    from ckan_seed.trainees import remove_trainee

    name = f"tr{unique()}"
    hub.create_user(name)
    hub.start_server(name)
    yield name
    hub.delete_user(name)
    token = (layout.secrets / "ckan-admin-token").read_text().strip()
    remove_trainee(ckan_url, token, name, token_db=layout.hub_dir / "ckan-tokens.sqlite")


@pytest.fixture(scope="module", autouse=True)
def _ckan_level_tests_done(request):
    """A ``test_zz_*`` module (it stops or kills PostgreSQL or Redis) starts only once the CKAN-level tests that
    ``./testbed test`` runs beside this run have ended (testbed_cli/suite_run.py holds the lock until then)."""
    lock = os.environ.get("TESTBED_CKANEXT_LOCK")
    if lock and request.module.__name__.rsplit(".", 1)[-1].startswith("test_zz_"):
        import fcntl

        with open(lock) as f:
            fcntl.flock(f, fcntl.LOCK_SH)  # waits while the CKAN-level run holds it exclusively
    yield

"""Fixtures of ckanext-testbed's CKAN-level tests (the ``ckanext`` tier).

These tests run the extension inside real CKAN 2.12 with CKAN's own pytest plugin, in CKAN's venv:
``./testbed test --ckanext`` (testbed_cli/ckanext_tests.py) passes ``--ckan-ini`` with a generated ini whose
databases are ``ckan_test`` and ``datastore_test``, never the live catalogue. The plugins are those of the
live ``ckan.ini`` (``testbed``, ``testbed_loader``, ``activity``, ``tracking``, ``datastore`` …), loaded
per test by CKAN's ``with_plugins`` fixture. CKAN's fixtures (``app``, ``with_plugins``, ``reset_db``,
``migrate_db_for``, ``reset_index``, ``ckan.tests.factories``) are documented in CKAN's
``ckan/tests/pytest_ckan/fixtures.py``.

Fixtures defined here:

- ``reset_catalogue``  a function: CKAN's ``reset_db`` (whose first run in a session drops EVERY table, the
                       extension's too), the migrations of ``activity``, ``tracking`` and ``testbed`` (its
                       data-request tables, ``migration/testbed/``), then the search table
                       of the ``testbed`` plugin present and empty (below).
- ``clean_db``         CKAN's fixture, overridden the way CKAN's own ``ckanext/activity/tests/conftest.py``
                       does: calls ``reset_catalogue`` before the test.

The search table comes back through the same idempotent ``search/schema.ensure_table`` that
``IConfigurable.configure`` runs in production (no alembic migration: production creates the table that
way, and a migration would change that), and CKAN's ``reset_index`` empties it of the previous test's rows
(CKAN's later resets only empty the tables its model knows).

Before any test, the session checks that it runs on a ``*_test`` database and on this checkout's copy of
the extension; every test must carry the ``ckanext`` tier marker.
"""

from __future__ import annotations

from pathlib import Path

import ckan.model as model
import ckanext.testbed
import pytest
from ckanext.testbed.search import schema

TIER = "ckanext"
MIGRATED_PLUGINS = ("activity", "tracking", "testbed")  # plugins of the live ckan.ini that have migrations
SOURCE = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    """Fail collection for a test here without the ``ckanext`` marker (tests/conftest.py's rule, this tier)."""
    here = Path(__file__).parent
    mine = [item for item in items if here in item.path.parents]
    wrong = [item.nodeid for item in mine if not any(item.iter_markers(name=TIER))]
    if wrong:
        listed = "\n  ".join(wrong)
        raise pytest.UsageError(f"every CKAN-level test needs `pytestmark = pytest.mark.{TIER}`:\n  {listed}")


@pytest.fixture(scope="session", autouse=True)
def _test_database_and_checkout():
    """Refuse to reset anything but a ``*_test`` database; test this checkout, not an installed copy."""
    database = model.meta.engine.url.database or ""
    if not database.endswith("_test"):
        pytest.exit(f"sqlalchemy.url names {database!r}, not a *_test database: refusing to reset it", returncode=4)
    if Path(ckanext.testbed.__file__).resolve().parent != SOURCE:
        pytest.exit(f"ckanext.testbed imported from {ckanext.testbed.__file__}, not from {SOURCE}", returncode=4)


@pytest.fixture
def reset_catalogue(reset_db, migrate_db_for, reset_index):
    def reset() -> None:
        reset_db()
        for plugin in MIGRATED_PLUGINS:
            migrate_db_for(plugin)
        schema.ensure_table(model.meta.engine)
        reset_index()

    return reset


@pytest.fixture
def clean_db(reset_catalogue):
    reset_catalogue()

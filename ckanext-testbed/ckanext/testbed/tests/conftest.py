"""Shared set-up of ckanext-testbed's tests: the pure ``unit`` modules here, the ``ckanext`` tier in ckan/.

Makes ``ckanext.testbed`` import from this source tree, whether or not the extension is installed in the
running Python (the CLI venv has no copy; CKAN's venv has the copy ./testbed up installed, which may be older).

The tests in ``ckan/`` run only inside CKAN (CKAN's venv pytest with ``--ckan-ini``, ``./testbed test
--ckanext``); any other run leaves that folder uncollected. No fixtures here (``ckan/conftest.py`` has
those of the CKAN-level tests).
"""

from __future__ import annotations

import sys
from pathlib import Path

EXTENSION_ROOT = Path(__file__).resolve().parents[3]
SOURCE = str(EXTENSION_ROOT / "ckanext")
CKAN_TESTS = Path(__file__).resolve().parent / "ckan"

try:
    import ckanext
except ImportError:
    sys.path.insert(0, str(EXTENSION_ROOT))
    import ckanext

if SOURCE not in ckanext.__path__:
    # CKAN's venv: its namespace package lists site-packages only, where the installed copy lives
    ckanext.__path__ = [SOURCE, *ckanext.__path__]


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """Leave ckan/ alone unless CKAN's pytest plugin runs with an ini (it imports CKAN)."""
    if collection_path == CKAN_TESTS and not config.getoption("ckan_ini", None):
        return True
    return None

"""Unit tests of ckanext-testbed's pure search modules (no CKAN, no database).

Makes ``ckanext.testbed`` importable from the source tree when the extension is not
installed in the running Python (e.g. the CLI venv). No fixtures.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXTENSION_ROOT = Path(__file__).resolve().parents[3]

try:
    import ckanext.testbed.search  # noqa: F401
except ImportError:
    sys.path.insert(0, str(EXTENSION_ROOT))
    sys.modules.pop("ckanext", None)

"""Where `./testbed up` installed the stack's environments, from the config the tests use (``TESTBED_CONFIG``), for
tests that run a program of the hub's venv without the stack fixtures (unit tests of the installed parts)."""

from __future__ import annotations

import os

from testbed_config import load_config
from testbed_config.layout import Layout

LAYOUT = Layout(load_config(os.environ.get("TESTBED_CONFIG")))
HUB_VENV = LAYOUT.hub_venv
HUB_PYTHON = HUB_VENV / "bin" / "python"

"""Missing Debian packages without root: a message with the exact command to run."""

import pytest

from testbed_cli import system
from testbed_cli.errors import SetupError

pytestmark = pytest.mark.unit


def test_missing_package_without_root_names_the_apt_command(monkeypatch):
    monkeypatch.setattr(system, "missing_debs", lambda pkgs: ["redis-server"])
    monkeypatch.setattr(system, "is_root", lambda: False)
    monkeypatch.setattr(system.shutil, "which", lambda name: None)
    with pytest.raises(SetupError) as e:
        system.ensure_debs(["redis-server", "gcc"])
    assert "sudo apt-get install -y redis-server" in str(e.value)

"""Bad input to `./testbed up`: a clear message naming the problem and the fix, nothing half-initialised."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def test_port_taken_by_another_program_is_named_and_nothing_is_written(tmp_path, stack_config):
    """Does `up` refuse a port another program holds, naming the port and its config key, before writing state?"""
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        busy = blocker.getsockname()[1]
        state = tmp_path / "state"
        conf = tmp_path / "testbed.yaml"
        conf.write_text(
            f"state_dir: {state}\nprefix: {stack_config.prefix}\nports:\n  hub: {busy}\n  ckan: 45000\n"
            "  hub_api: 48081\n  proxy_api: 48001\n  postgres: 45433\n  redis: 46380\n  services: 49100\n"
        )
        proc = subprocess.run(
            [str(REPO / "testbed"), "--config", str(conf), "up"], capture_output=True, text=True, timeout=300
        )
    assert proc.returncode == 1
    assert f"ポート {busy}" in proc.stderr and "ports.hub" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not state.exists()


def test_invalid_config_value_stops_up_before_anything_happens(tmp_path):
    state = tmp_path / "state"
    conf = tmp_path / "testbed.yaml"
    conf.write_text(f"state_dir: {state}\nbind_address: 999.1.1.1\n")
    proc = subprocess.run(
        [str(REPO / "testbed"), "--config", str(conf), "up"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    assert "bind_address" in proc.stderr
    assert not state.exists()

"""The CLI layer, in-process with click's runner: clear errors, no tracebacks."""

import pytest
from click.testing import CliRunner

from testbed_cli.cli import main

pytestmark = pytest.mark.unit


def test_invalid_config_exits_1_with_a_japanese_message(tmp_path):
    """Does a wrong config value stop the command with a message naming the key, and no traceback?"""
    conf = tmp_path / "t.yaml"
    conf.write_text("ports:\n  ckan: -1\n")
    result = CliRunner().invoke(main, ["--config", str(conf), "status"])
    assert result.exit_code == 1
    assert "ports.ckan" in result.output
    assert "Traceback" not in result.output


def test_status_of_a_stack_that_was_never_started_is_unhealthy(tmp_path):
    conf = tmp_path / "t.yaml"
    conf.write_text(
        f"state_dir: {tmp_path / 'state'}\nprefix: {tmp_path / 'opt'}\nports:\n"
        "  hub: 18000\n  ckan: 15000\n  hub_api: 18081\n  proxy_api: 18001\n  postgres: 15433\n"
        "  redis: 16380\n  services: 19100\n"
    )
    result = CliRunner().invoke(main, ["--config", str(conf), "status", "--json"])
    assert result.exit_code == 3
    assert '"healthy": false' in result.output


def test_logs_of_an_unknown_service_lists_the_known_ones(tmp_path):
    conf = tmp_path / "t.yaml"
    conf.write_text(f"state_dir: {tmp_path / 'state'}\nprefix: {tmp_path / 'opt'}\n")
    result = CliRunner().invoke(main, ["--config", str(conf), "logs", "nginx"])
    assert result.exit_code == 1
    assert "ckan-web" in result.output


def test_config_reference_lists_every_port():
    result = CliRunner().invoke(main, ["config-reference"])
    assert result.exit_code == 0
    assert "`ports.postgres`" in result.output

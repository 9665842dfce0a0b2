"""The stack config schema: defaults, rejected input with clear messages, and the generated reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from testbed_config import ConfigError, StackConfig, load_config, reference_markdown

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "testbed.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_missing_file_means_all_defaults(tmp_path):
    """Does a missing config file give the documented defaults (loopback, on-site)?"""
    cfg = load_config(tmp_path / "nope.yaml")
    assert cfg.bind_address == "127.0.0.1"
    assert cfg.mode == "onsite"
    assert cfg.hub_url == "http://127.0.0.1:8000/"


def test_unknown_key_is_rejected_and_named(tmp_path):
    """Is a misspelt key refused with its name and a pointer to the reference?"""
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, "prots:\n  hub: 9000\n"))
    assert "prots" in str(e.value)
    assert "config-reference" in str(e.value)


def test_nested_unknown_key_is_rejected(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, "ports:\n  hubb: 9000\n"))
    assert "ports.hubb" in str(e.value)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("ports:\n  hub: 70000\n", "ports.hub"),
        ("ports:\n  hub: 5000\n", "同じ番号"),
        ("bind_address: my-laptop\n", "IP アドレス"),
        ("mode: hybrid\n", "mode"),
        ("state_dir: relative/dir\n", "絶対パス"),
        ("admins: ['Bad Name']\n", "Bad Name"),
    ],
)
def test_invalid_values_name_the_key_and_the_fix(tmp_path, text, needle):
    """Does each invalid value give a message that names the key or the problem?"""
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, text))
    assert needle in str(e.value)


def test_broken_yaml_is_reported(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, "ports: [\n"))
    assert "YAML" in str(e.value)


def test_top_level_must_be_a_mapping(tmp_path):
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, "- a\n- b\n"))


def test_lan_classroom_uses_public_host(tmp_path):
    cfg = load_config(write(tmp_path, "bind_address: 0.0.0.0\npublic_host: 192.168.10.5\n"))
    assert cfg.hub_url == "http://192.168.10.5:8000/"
    assert cfg.ckan_internal_url == "http://127.0.0.1:5000"


def test_reference_doc_matches_the_schema():
    """Is every config key documented in docs/config-reference.md (regenerate with ./testbed config-reference)?"""
    doc = (REPO / "docs" / "config-reference.md").read_text(encoding="utf-8")
    assert reference_markdown() in doc


def test_every_field_has_a_description():
    def walk(model):
        for name, field in model.model_fields.items():
            assert field.description, name

    walk(StackConfig)


def test_are_ipv6_addresses_bracketed_in_urls(tmp_path):
    """With bind_address ::1, are the URLs people and services use valid ([::1], not ::1:8000)?"""
    cfg = StackConfig(state_dir=tmp_path, prefix=tmp_path, bind_address="::1")
    assert cfg.hub_url == f"http://[::1]:{cfg.ports.hub}/"
    assert cfg.ckan_url == f"http://[::1]:{cfg.ports.ckan}"
    assert cfg.ckan_internal_url == f"http://[::1]:{cfg.ports.ckan}"
    assert cfg.bind_host == "[::1]"
    v4 = StackConfig(state_dir=tmp_path, prefix=tmp_path, bind_address="0.0.0.0", public_host="ed.example.jp")
    assert v4.hub_url.startswith("http://ed.example.jp:") and v4.ckan_internal_url.startswith("http://127.0.0.1:")

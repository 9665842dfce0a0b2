"""The CKAN extension's idea of a trainee's sandbox matches the name the project gives it.

ckanext-testbed imports nothing of the project, so its option ``ckanext.testbed.practice.org_prefix`` repeats
the prefix of ``testbed_config.names.sandbox_org_name``; this test keeps the two in step.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from testbed_config.names import sandbox_org_name

pytestmark = pytest.mark.unit

DECLARATION = Path(__file__).resolve().parents[2] / "ckanext-testbed/ckanext/testbed/config_declaration.yaml"


def _default(key: str) -> str:
    for group in yaml.safe_load(DECLARATION.read_text(encoding="utf-8"))["groups"]:
        for option in group["options"]:
            if option["key"] == key:
                return str(option["default"])
    raise AssertionError(f"{key} is not declared in {DECLARATION}")


@pytest.mark.parametrize("hub_name", ["tanaka", "instructor", "Tanaka.Hanako@example.jp"])
def test_is_every_sandbox_name_recognised_by_the_extensions_prefix(hub_name):
    """Does each sandbox name the project makes (regular or hashed) start with the extension's prefix?"""
    assert sandbox_org_name(hub_name).startswith(_default("ckanext.testbed.practice.org_prefix"))

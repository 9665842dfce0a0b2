"""The Redis key prefix of CKAN's sign-in throttle is spelled the same in the extension and in names.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from testbed_config.names import CKAN_LOGIN_THROTTLE_PREFIX

pytestmark = pytest.mark.unit

THROTTLE = Path(__file__).resolve().parents[2] / "ckanext-testbed" / "ckanext" / "testbed" / "sso" / "throttle.py"


def test_is_the_throttle_prefix_of_the_extension_the_one_in_names():
    """Does ckanext-testbed (which imports nothing of the project) use names.CKAN_LOGIN_THROTTLE_PREFIX?"""
    tree = ast.parse(THROTTLE.read_text(encoding="utf-8"))
    found = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "PREFIX" for t in node.targets)
    ]
    assert found == [CKAN_LOGIN_THROTTLE_PREFIX]

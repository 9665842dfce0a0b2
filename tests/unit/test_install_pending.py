"""An interrupted ``up`` leaves what it changed pending: the next ``up`` restarts it although nothing changes then."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from testbed_cli import install

pytestmark = pytest.mark.unit


def _layout(tmp_path):
    return SimpleNamespace(cfg=SimpleNamespace(prefix=tmp_path / "prefix"))


def test_a_change_stays_pending_until_the_up_that_restarts_it_finishes(tmp_path):
    first = install.Pending(_layout(tmp_path))
    assert first.note("app", True) is True
    assert first.note("hub_venv", False) is False
    # the up stops here (a pip error): the next one sees no change itself but still restarts the app
    second = install.Pending(_layout(tmp_path))
    assert second.note("app", False) is True
    assert second.note("hub_venv", False) is False
    second.done()
    third = install.Pending(_layout(tmp_path))
    assert third.note("app", False) is False
    assert not (tmp_path / "prefix" / ".restart-pending").exists()


def test_pending_keys_accumulate_across_interrupted_ups(tmp_path):
    install.Pending(_layout(tmp_path)).note("app", True)
    install.Pending(_layout(tmp_path)).note("stack", True)
    again = install.Pending(_layout(tmp_path))
    assert again.note("app", False) and again.note("stack", False) and not again.note("lab", False)

"""The spawn hook's CKAN provisioning of instructors and hub admins: a Japanese display name, not the account."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest
from traitlets.config import Config

from ckan_seed import trainees
from hub_config import ckan_hook, configurer
from testbed_config import StackConfig

pytestmark = pytest.mark.unit


def _provision(tmp_path, name: str, staff: frozenset[str]) -> dict:
    """Run the hook for ``name`` with a recording ensure_trainee; the keyword arguments it was given."""
    (tmp_path / "admin").write_text("t")
    seen = {}

    def ensure_trainee(ckan_url, admin_token, hub_username, **kw):
        seen.update(kw, hub_username=hub_username)
        return SimpleNamespace(user_name=f"tb-{hub_username}", org_name=f"sandbox-{hub_username}", token="tok")

    spawner = SimpleNamespace(user=SimpleNamespace(name=name), log=logging.getLogger("test"), environment={})
    hook = ckan_hook.provide_ckan_token(
        spawner,
        ensure_trainee=ensure_trainee,
        ckan_url="http://127.0.0.1:1",
        admin_token_file=str(tmp_path / "admin"),
        token_db=str(tmp_path / "t.sqlite"),
        staff=staff,
    )
    asyncio.run(hook)
    return seen


def test_does_an_instructor_get_a_japanese_display_name_in_ckan(tmp_path):
    """Is an instructor's CKAN user named 講師 (instructor), and a trainee's left to the roster's name?"""
    assert _provision(tmp_path, "instructor", frozenset({"instructor"}))["fullname"] == "講師 (instructor)"
    assert "fullname" not in _provision(tmp_path, "yamada", frozenset({"instructor"}))


def test_are_admins_and_every_courses_instructors_staff(tmp_path):
    """Does the hub config's hook know hub admins and the instructors of each course as staff?"""
    cfg = StackConfig(
        state_dir=tmp_path / "state",
        prefix=tmp_path / "opt",
        admins=["chief"],
        courses=[{"id": "odtb", "instructors": ["sensei"]}, {"id": "kiso", "instructors": ["kyoshi"]}],
    )
    secrets = cfg.state_dir / "secrets"
    secrets.mkdir(parents=True)
    for name in ("proxy-auth-token", "hub-admin-token", "formgrader-odtb-token", "formgrader-kiso-token"):
        (secrets / name).write_text("x" * 40)
    c = Config()
    configurer.update_all(c, cfg, is_root=True, ensure_trainee=trainees.ensure_trainee)
    assert {"chief", "sensei", "kyoshi"} <= c.Spawner.pre_spawn_hook.keywords["staff"]

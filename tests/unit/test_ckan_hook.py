"""CKAN name derivation, the hub's spawn hook / templates config, and the hook's wiring by the hub's config files."""

from __future__ import annotations

import asyncio
import logging
import re
import runpy
import socket
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from traitlets.config import Config

from ckan_seed import trainees
from deploy.helm_values import EXTRA_CONFIG
from hub_config import ckan_hook, configurer
from testbed_config import StackConfig
from testbed_config.names import ckan_user_name, sandbox_org_name

pytestmark = pytest.mark.unit

CKAN_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


def test_regular_hub_names_map_to_readable_ckan_names():
    assert ckan_user_name("yamada") == "tb-yamada"
    assert sandbox_org_name("yamada") == "sandbox-yamada"


@pytest.mark.parametrize("name", ["Yamada.Taro", "山田", "a" * 60, "-x", "x@y", "tb-x"])
def test_any_hub_name_gives_a_valid_distinct_ckan_name(name):
    """Is every derived name a valid CKAN name, stable, and never equal to a regular name's derivation?"""
    user, org = ckan_user_name(name), sandbox_org_name(name)
    assert CKAN_NAME.match(user) and CKAN_NAME.match(org)
    assert ckan_user_name(name) == user
    if not re.match(r"^[a-z][a-z0-9_-]{0,30}$", name):
        assert user.startswith("tb-x-") and org.startswith("sandbox-x-")


def test_names_differing_only_in_invalid_characters_stay_distinct():
    assert ckan_user_name("a.b") != ckan_user_name("a_b") != ckan_user_name("a-b")
    assert ckan_user_name("a.b") != ckan_user_name("A.B")


@pytest.fixture
def cfg(tmp_path):
    c = StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt")
    secrets = c.state_dir / "secrets"
    secrets.mkdir(parents=True)
    for name in ("proxy-auth-token", "hub-admin-token", "formgrader-odtb-token"):
        (secrets / name).write_text("x" * 40)
    return c


def test_hub_config_sets_the_ckan_hook_and_japanese_templates(cfg):
    """Does update_all install the CKAN token hook (reading the secret at spawn) and the Japanese templates?"""
    c = Config()
    configurer.update_all(c, cfg, is_root=True, ensure_trainee=trainees.ensure_trainee)
    hook = c.Spawner.pre_spawn_hook
    assert hook.func is ckan_hook.provide_ckan_token
    assert hook.keywords["ensure_trainee"] is trainees.ensure_trainee
    assert hook.keywords["ckan_url"] == "http://127.0.0.1:5000"
    assert hook.keywords["admin_token_file"] == str(cfg.state_dir / "secrets" / "ckan-admin-token")
    [path] = c.JupyterHub.template_paths
    login = (ckan_hook.TEMPLATES / "login.html").read_text(encoding="utf-8")
    assert path == str(ckan_hook.TEMPLATES) and "ユーザー名" in login and "サインイン" in login


def _spawner(name="yamada"):
    return SimpleNamespace(user=SimpleNamespace(name=name), log=logging.getLogger("test"), environment={"A": "1"})


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_hook_fails_the_spawn_with_a_japanese_message_when_ckan_is_down(tmp_path):
    """With CKAN unreachable, does the spawn fail with a clear Japanese message and no token in the environment?"""
    (tmp_path / "admin").write_text("t")
    spawner = _spawner()
    url = f"http://127.0.0.1:{_closed_port()}"
    call = ckan_hook.provide_ckan_token(
        spawner,
        ensure_trainee=trainees.ensure_trainee,
        ckan_url=url,
        admin_token_file=str(tmp_path / "admin"),
        token_db=str(tmp_path / "t.sqlite"),
    )
    with pytest.raises(ckan_hook.CkanSpawnError, match="データカタログ .*接続できない") as err:
        asyncio.run(call)
    assert url in str(err.value)
    assert spawner.environment == {"A": "1"}


def test_hook_fails_clearly_when_the_admin_token_is_missing(tmp_path):
    call = ckan_hook.provide_ckan_token(
        _spawner(),
        ensure_trainee=trainees.ensure_trainee,
        ckan_url="http://127.0.0.1:1",
        admin_token_file=str(tmp_path / "nope"),
        token_db="x",
    )
    with pytest.raises(ckan_hook.CkanSpawnError, match="管理者トークン"):
        asyncio.run(call)


def test_hook_does_not_block_the_event_loop_while_ckan_hangs(tmp_path):
    """While CKAN accepts but never answers, does the hub's event loop keep running other work?"""
    (tmp_path / "admin").write_text("t")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)  # accepts connections, never replies
        url = f"http://127.0.0.1:{server.getsockname()[1]}"

        async def scenario():
            ticks = 0
            hook = asyncio.ensure_future(
                ckan_hook.provide_ckan_token(
                    _spawner(),
                    ensure_trainee=trainees.ensure_trainee,
                    ckan_url=url,
                    admin_token_file=str(tmp_path / "admin"),
                    token_db=str(tmp_path / "t.sqlite"),
                    timeout=1.5,
                )
            )
            start = time.monotonic()
            while not hook.done():
                await asyncio.sleep(0.05)
                ticks += 1
            return ticks, time.monotonic() - start, hook.exception()

        ticks, elapsed, exc = asyncio.run(scenario())
    assert isinstance(exc, ckan_hook.CkanSpawnError)
    assert elapsed >= 1.4 and ticks >= elapsed / 0.05 * 0.5


HUB_CONFIG = Path(ckan_hook.__file__).resolve().parent


def _run_config_file(root: str, cfg: StackConfig, tmp_path, monkeypatch) -> Config:
    """Load a hub config file (or the Helm chart's extraConfig) as JupyterHub would, on ``cfg``."""
    stack = tmp_path / "stack.yaml"
    stack.write_text(cfg.model_dump_json(), encoding="utf-8")  # JSON is YAML
    monkeypatch.setenv("TESTBED_STACK", str(stack))
    monkeypatch.setenv("TESTBED_SINGLEUSER_IMAGE", "testbed-singleuser:test")
    c = Config()
    if root.endswith(".py"):
        runpy.run_path(str(HUB_CONFIG / root), init_globals={"get_config": lambda: c})
    else:
        exec(EXTRA_CONFIG, {"c": c, "get_config": lambda: c})
    return c


@pytest.mark.parametrize("root", ["jupyterhub_config.py", "jupyterhub_config_docker.py", "k8s hub.extraConfig"])
def test_does_each_hub_config_wire_ckan_provisioning_into_the_spawn_hook(root, cfg, tmp_path, monkeypatch):
    """Does every composition root (one machine, compose, Kubernetes) pass ckan_seed's ensure_trainee to the hook?"""
    for name in ("hub-cookie-secret", "progress-odtb-token"):
        (cfg.state_dir / "secrets" / name).write_text("x" * 40)
    c = _run_config_file(root, cfg, tmp_path, monkeypatch)
    hook = c.Spawner.pre_spawn_hook
    assert hook.func is ckan_hook.provide_ckan_token
    assert hook.keywords["ensure_trainee"] is trainees.ensure_trainee


def test_is_no_hook_set_without_a_provisioning_function(cfg):
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    assert "pre_spawn_hook" not in c.Spawner

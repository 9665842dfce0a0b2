"""The hub's update_* functions, applied to a bare traitlets Config (no hub running)."""

from __future__ import annotations

import pytest
from traitlets.config import Config

from hub_config import configurer
from testbed_config import StackConfig

pytestmark = pytest.mark.unit


@pytest.fixture
def cfg(tmp_path):
    c = StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt")
    secrets = c.state_dir / "secrets"
    secrets.mkdir(parents=True)
    for name in ("proxy-auth-token", "hub-admin-token", "formgrader-odtb-token", "formgrader-second-token"):
        (secrets / name).write_text("x" * 40)
    return c


def test_hub_listens_where_the_config_says(cfg):
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000/"
    assert c.JupyterHub.hub_port == cfg.ports.hub_api
    assert c.ConfigurableHTTPProxy.should_start is False


def test_only_known_users_may_sign_in(cfg):
    """Is sign-in closed to unknown names (no allow_all), with instructors as admins?"""
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    assert c.Authenticator.allow_all is False
    assert "instructor" in c.Authenticator.admin_users


def test_demo_mode_allows_one_account_only(cfg):
    """Without root, is only the first admin allowed (all servers would share one Unix account)?"""
    c = Config()
    configurer.update_all(c, cfg, is_root=False)
    assert c.Authenticator.allowed_users == {"instructor"}
    assert c.TestbedSpawner.create_users is False


def test_single_user_servers_use_the_shared_venv_and_know_ckan(cfg):
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    assert c.Spawner.cmd == [str(cfg.prefix / "venvs" / "hub" / "bin" / "python"), "-m", "hub_config.singleuser"]
    assert c.Spawner.environment["CKAN_URL"] == "http://127.0.0.1:5000"
    assert c.Spawner.default_url == "/lab"


def test_each_course_gets_a_formgrader_and_groups(cfg):
    cfg.courses = [*cfg.courses, type(cfg.courses[0])(id="second", instructors=["teacher2"])]
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    names = [s["name"] for s in c.JupyterHub.services]
    assert names == ["testbed-operator", "formgrader-odtb", "formgrader-second"]
    ports = [s["url"] for s in c.JupyterHub.services[1:]]
    assert len(set(ports)) == 2
    assert c.JupyterHub.load_groups["formgrade-second"] == {"users": ["teacher2", "grader-second"]}
    assert "nbgrader-second" in c.JupyterHub.load_groups


def test_service_roles_are_scoped_not_admin(cfg):
    """Does the formgrader get a scoped role rather than admin rights?"""
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    role = next(r for r in c.JupyterHub.load_roles if r["name"] == "formgrader-odtb-service")
    assert "admin:users" not in role["scopes"] and "admin-ui" not in role["scopes"]

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


def test_does_the_account_page_get_the_roster_staff_and_ckan_step(cfg):
    """On-site: does the authenticator know the roster, who is staff, and how to block a trainee's CKAN user;
    and does the hub home link admins to the account page?"""
    calls = []
    c = Config()
    configurer.update_all(c, cfg, is_root=True, set_trainee_active=lambda *a, **kw: calls.append((a, kw)))
    auth = c.TestbedAuthenticator
    assert auth.password_db.endswith("/hub/passwords.sqlite")
    assert auth.roster_db.endswith("/hub/roster.sqlite")
    assert auth.throttle_db.endswith("/hub/signin-throttle.sqlite")  # locks kept across a hub restart
    assert "instructor" in auth.staff_users and "grader-odtb" in auth.staff_users
    (cfg.state_dir / "secrets" / "ckan-admin-token").write_text("sysadmin-token\n")
    auth.ckan_account_state("sato", False)
    assert calls == [((cfg.ckan_internal_url, "sysadmin-token", "sato", False), {})]
    assert c.JupyterHub.template_vars["trainee_accounts"] is True


def test_is_ckan_left_alone_without_the_provisioning_function(cfg):
    """Without set_trainee_active (unit tests, other deployments), is no CKAN step configured?"""
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    assert "ckan_account_state" not in c.TestbedAuthenticator

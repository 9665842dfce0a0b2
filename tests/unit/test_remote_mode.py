"""Remote mode's hub settings (sign-up with approval, idle culling), applied to a bare traitlets Config."""

from __future__ import annotations

import re

import pytest
from traitlets.config import Config

from hub_config import configurer, remote
from testbed_config import ConfigError, StackConfig, load_config

pytestmark = pytest.mark.unit

NATIVE = "hub_config.native_auth.TestbedNativeAuthenticator"


@pytest.fixture
def cfg(tmp_path):
    c = StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt", admins=["instructor", "chief"])
    secrets = c.state_dir / "secrets"
    secrets.mkdir(parents=True)
    for name in ("proxy-auth-token", "hub-admin-token", "formgrader-odtb-token"):
        (secrets / name).write_text("x" * 40)
    return c


def hub_config(cfg: StackConfig, mode: str, *, is_root: bool = True) -> Config:
    cfg.mode = mode
    c = Config()
    configurer.update_all(c, cfg, is_root=is_root)
    return c


def test_remote_mode_needs_approval_for_every_sign_up(cfg):
    """Does remote mode use NativeAuthenticator with sign-up open but open_signup off (approval required)?"""
    c = hub_config(cfg, "remote")
    assert c.JupyterHub.authenticator_class == NATIVE
    assert c.NativeAuthenticator.enable_signup is True
    assert c.NativeAuthenticator.open_signup is False
    assert c.NativeAuthenticator.minimum_password_length >= 8
    assert c.Authenticator.admin_users == {"instructor", "chief"}
    # pending accounts are refused by the authenticator itself, so no allow-list is needed
    assert c.Authenticator.allow_all is True
    assert "TestbedAuthenticator" not in c


def test_staff_sign_in_with_their_stored_password_and_cannot_be_signed_up(cfg):
    """Are admins and instructors staff (stored password), grader names reserved, and trainees put in the course?"""
    c = hub_config(cfg, "remote")
    assert c.TestbedNativeAuthenticator.staff_users == {"instructor", "chief"}
    assert c.TestbedNativeAuthenticator.staff_password_db == str(cfg.state_dir / "hub" / "passwords.sqlite")
    assert c.TestbedNativeAuthenticator.reserved_names == {"grader-odtb"}
    assert c.TestbedNativeAuthenticator.signup_groups == {"nbgrader-odtb"}  # signed-up trainees join the course


def test_sign_up_names_fit_a_unix_account(cfg):
    """Is a registrable name lowercase ASCII, short enough for the Unix account jupyter-<name> (32 characters)?"""
    c = hub_config(cfg, "remote")
    pattern = re.compile(c.TestbedNativeAuthenticator.signup_username_pattern)
    assert pattern.fullmatch("sato-hanako") and pattern.fullmatch("a" * 24)
    for bad in ("a" * 25, "佐藤", "1sato", "sato hanako", "sato/x"):
        assert not pattern.fullmatch(bad), bad
    assert "username_pattern" not in c.Authenticator  # staff and grader names are not judged by it
    assert c.TestbedNativeAuthenticator.max_username_length == 24


def test_remote_mode_culls_idle_servers_with_a_narrow_role(cfg):
    """Is the idle culler a hub-managed service with only list/read/delete-server scopes and the set timeout?"""
    cfg.remote.idle_timeout_minutes = 30
    c = hub_config(cfg, "remote")
    [culler] = [s for s in c.JupyterHub.services if s["name"] == "idle-culler"]
    assert culler["command"][:3] == [
        str(cfg.prefix / "venvs" / "hub" / "bin" / "python"),
        "-m",
        "jupyterhub_idle_culler",
    ]
    assert "--timeout=1800" in culler["command"]
    assert "api_token" not in culler and "url" not in culler  # the hub starts it and hands it a token
    [role] = [r for r in c.JupyterHub.load_roles if r["name"] == "idle-culler"]
    assert role == {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
    # the other services are kept
    names = [s["name"] for s in c.JupyterHub.services]
    assert names[:2] == ["testbed-operator", "formgrader-odtb"]


def test_remote_pages_are_added_after_the_hub_pages(cfg):
    """Are the Japanese sign-up pages appended to the template paths, keeping the hub's Japanese pages first?"""
    c = hub_config(cfg, "remote")
    hub_pages, native = c.JupyterHub.template_paths
    assert hub_pages.endswith("hub_config/templates")
    assert native == str(remote.NATIVE_TEMPLATES)
    signup = (remote.NATIVE_TEMPLATES / "signup.html").read_text(encoding="utf-8")
    assert "受講登録" in signup and 'name="signup_password_confirmation"' in signup
    login = (remote.NATIVE_TEMPLATES / "native-login.html").read_text(encoding="utf-8")
    assert "サインイン" in login and "signup" in login
    assert c.JupyterHub.template_vars["signup_approval"] is True
    assert "announcement_login" in c.JupyterHub.template_vars  # the hub's own page variables are kept


def test_onsite_mode_has_no_sign_up_and_no_culler(cfg):
    """Does on-site mode keep individual passwords, an allow-list, and no idle culler or sign-up pages?"""
    c = hub_config(cfg, "onsite")
    assert c.JupyterHub.authenticator_class == "hub_config.auth.TestbedAuthenticator"
    assert c.Authenticator.allow_all is False
    assert "NativeAuthenticator" not in c and "TestbedNativeAuthenticator" not in c
    assert all(s["name"] != "idle-culler" for s in c.JupyterHub.services)
    assert all(r["name"] != "idle-culler" for r in c.JupyterHub.load_roles)
    assert len(c.JupyterHub.template_paths) == 1
    assert "signup_approval" not in c.JupyterHub.template_vars


def test_remote_demo_mode_has_no_sign_up(cfg):
    """Without root (every server would share one Unix account), is sign-up off and only one account allowed?"""
    c = hub_config(cfg, "remote", is_root=False)
    assert c.NativeAuthenticator.enable_signup is False
    assert c.Authenticator.allow_all is False
    assert c.Authenticator.allowed_users == {"instructor"}


@pytest.mark.parametrize("minutes", ["2", "5000", "soon"])
def test_idle_timeout_out_of_range_is_refused(tmp_path, minutes):
    """Is an unusable idle timeout refused with the key named?"""
    p = tmp_path / "testbed.yaml"
    p.write_text(f"mode: remote\nremote:\n  idle_timeout_minutes: {minutes}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert "remote.idle_timeout_minutes" in str(e.value)

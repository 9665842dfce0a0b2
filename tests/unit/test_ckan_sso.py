"""Sign-in to CKAN with the hub account: the pure parts (names, who is refused, the hub's OAuth client)."""

from __future__ import annotations

import pytest
from ckanext.testbed.sso import accounts
from traitlets.config import Config

from hub_config import ckan_sso
from testbed_config import StackConfig, names
from testbed_config.layout import Layout

pytestmark = pytest.mark.unit

HUB_NAMES = ["alice", "t01", "a_b-c", "Alice", "yamada.taro", "山田", "x" * 40, "-", "1abc"]


@pytest.mark.parametrize("hub_name", HUB_NAMES)
def test_does_the_extension_name_the_same_ckan_user_as_the_provisioning(hub_name):
    """Does ckanext-testbed (which cannot import the project) map a hub name to the very CKAN user that
    ``ckan_seed.trainees`` provisioned (``testbed_config.names.ckan_user_name``), irregular names included?"""
    assert accounts.ckan_user_name(hub_name) == names.ckan_user_name(hub_name)


def test_are_only_active_provisioned_non_admin_users_let_in():
    """Is a sign-in refused for no name, an unknown user, a disabled (pending) or removed (deleted) trainee and a
    sysadmin, and allowed for an active trainee only?"""
    assert accounts.refusal("alice", "active") is None
    assert accounts.refusal(None, "active") == accounts.NO_HUB_NAME
    assert accounts.refusal("", "active") == accounts.NO_HUB_NAME
    assert accounts.refusal("alice", None) == accounts.UNKNOWN
    assert accounts.refusal("alice", "pending") == accounts.DISABLED
    assert accounts.refusal("alice", "deleted") == accounts.REMOVED
    assert accounts.refusal("alice", "active", sysadmin=True) == accounts.SYSADMIN


def _layout(tmp_path, secret: str | None) -> Layout:
    cfg = StackConfig(state_dir=str(tmp_path))
    layout = Layout(cfg)
    layout.secrets.mkdir(parents=True, exist_ok=True)
    if secret is not None:
        (layout.secrets / names.CKAN_SSO_SECRET).write_text(secret + "\n")
    return layout


def test_is_ckan_an_oauth_client_of_the_hub_with_the_installed_secret(tmp_path):
    """Does the hub list CKAN as an OAuth client whose secret is the installed one, returning to CKAN's callback,
    without a confirmation page and with no scope beyond knowing who signed in?"""
    layout = _layout(tmp_path, "s3cret")
    (ckan,), roles = ckan_sso.ckan_sso_services(layout.cfg, layout)
    assert roles == []  # the client's token (its secret) has no hub permissions
    assert ckan["api_token"] == "s3cret"
    assert ckan["oauth_client_id"] == names.CKAN_SSO_CLIENT_ID
    assert ckan["oauth_redirect_uri"] == layout.cfg.ckan_url + names.CKAN_SSO_CALLBACK
    assert ckan["oauth_no_confirm"] is True and ckan["oauth_client_allowed_scopes"] == []
    assert "url" not in ckan  # no server of its own behind the hub's proxy


def test_is_there_no_client_before_the_secret_exists(tmp_path):
    """Without the secret (before ./testbed up writes it) is no client registered (never one with an empty secret)?"""
    layout = _layout(tmp_path, None)
    assert ckan_sso.ckan_sso_services(layout.cfg, layout) == ([], [])


def test_may_every_hub_user_authorise_ckan():
    """Does every hub user get the scope the hub's authorize page checks for CKAN's client (and only that)?"""
    c = Config()
    ckan_sso.update_ckan_sso(c, StackConfig())
    assert list(c.JupyterHub.extra_user_scopes) == [f"access:services!service={names.CKAN_SSO_SERVICE}"]


def test_does_ckan_come_before_oidc_pkce():
    """Is testbed_sso listed before oidc_pkce (ckanext-oidc-pkce asks the FIRST IOidcPkce plugin for the user, and
    the first plugin's templates win)? Otherwise oidc_pkce's own lookup would create users by e-mail."""
    assert names.CKAN_PLUGINS.index("testbed_sso") < names.CKAN_PLUGINS.index("oidc_pkce")

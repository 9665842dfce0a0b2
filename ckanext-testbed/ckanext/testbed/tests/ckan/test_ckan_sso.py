"""The hub sign-in glue inside real CKAN (``sso/plugin.py``): which CKAN user a hub name becomes, who is refused
with nothing created, and the Japanese pages that replace CKAN's password reset and ckanext-oidc-pkce's errors."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins as p
import pytest
from ckan.common import session
from ckan.tests import factories

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]

REFUSAL = "testbed_sso:refusal"


def _sign_in(app, hub_name: str | None):
    """``get_oidc_user`` as ckanext-oidc-pkce calls it after the hub answered ``/hub/api/user``."""
    plugin = p.get_plugin("testbed_sso")
    with app.flask_app.test_request_context():
        user = plugin.get_oidc_user({"name": hub_name, "kind": "user", "access_token": "hub-token"})
        return user, session.get(REFUSAL), session.get("testbed_sso:hub_token")


def _users() -> int:
    return model.Session.query(model.User).count()


def test_is_a_hub_user_the_ckan_user_of_their_sandbox(app):
    """Does the hub name ``alice`` sign in as ``tb-alice`` (remembering the hub token for the sign-out check)?"""
    factories.User(name="tb-alice")
    user, refusal, token = _sign_in(app, "alice")
    assert user is not None and user.name == "tb-alice"
    assert refusal is None and token == "hub-token"


@pytest.mark.parametrize(
    "state, sysadmin, reason",
    [
        (None, False, "unknown"),
        ("pending", False, "disabled"),
        ("deleted", False, "removed"),
        ("active", True, "sysadmin"),
    ],
)
def test_is_anyone_but_an_active_provisioned_user_refused_with_nothing_created(app, state, sysadmin, reason):
    """Are an unknown name, a disabled or removed trainee and a sysadmin refused, with no user created or changed?"""
    if state is not None:
        factories.User(name="tb-bob", state=state, sysadmin=sysadmin)
    before = _users()
    user, refusal, token = _sign_in(app, "bob")
    assert user is None and refusal == reason and token is None
    assert _users() == before
    found = model.User.get("tb-bob")
    assert (found.state if found else None) == state


def test_is_an_answer_without_a_hub_name_refused(app):
    """Is a userinfo answer without ``name`` (the hub's 403 body for a dead token) refused?"""
    factories.User(name="tb-none")
    user, refusal, _ = _sign_in(app, None)
    assert user is None and refusal == "no_hub_name"


@pytest.mark.parametrize("path", ["/user/reset", "/user/reset/someone"])
def test_does_password_reset_say_whom_to_ask(app, path):
    """Does CKAN's password reset (no mail here) answer a Japanese page naming the 講師 and the 管理者?"""
    resp = app.get(path, status=200)
    assert "testbed-password-help" in resp.body and "講師" in resp.body and "管理者" in resp.body


def test_does_the_refusal_page_speak_japanese_and_drop_the_english_flash(app):
    """Does the refused page answer 403 with the Japanese reason for ckanext-oidc-pkce's state mismatch?"""
    with app.flask_app.test_client() as client:
        with client.session_transaction() as s:
            s["ckanext:oidc-pkce:error"] = "The app state does not match"
            s["_flashes"] = [("alert-error", "Unique user not found")]
        resp = client.get("/user/login/hub/refused")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 403
    assert "確認できませんでした" in body and "Unique user not found" not in body

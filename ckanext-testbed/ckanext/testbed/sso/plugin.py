"""The ``testbed_sso`` CKAN plugin: sign-in to CKAN with the hub account, through ckanext-oidc-pkce.

ckanext-oidc-pkce does the OAuth2 authorisation-code flow with PKCE against the hub's own OAuth2 provider.
This plugin is the glue it lacks (README.md of this folder):

- ``IOidcPkce.get_oidc_user``: the hub's ``/hub/api/user`` answer carries the hub name only; map it to the
  CKAN user provisioned with the person's sandbox (``accounts.ckan_user_name``). Unknown, disabled, removed
  and sysadmin users are refused and nothing is created.
- ``hub.HubRequests``: the client secret in the token request's body, where the hub reads it; timeouts.
- ``IAuthenticator.identify``: a CKAN session opened through the hub ends when the hub session ends (the hub
  deletes that session's tokens at sign-out; the token is re-checked every few seconds).
- ``IAuthenticator.login``: CKAN's own form (kept for CKAN admins) is throttled per user and per address
  (``throttle.py``: counts in Redis from CKAN's ``failed_login`` signal, a growing delay, then a lock).
- ``IActions``: ``testbed_signin_lock_list`` / ``testbed_signin_lock_delete`` (sysadmins only, ``actions.py``),
  through which the hub shows and lifts CKAN's locks in the instructor's console and the operator's CLI.
- Japanese pages: the login page leads with the hub button (CKAN admins keep the local form), a refusal page,
  and CKAN's password reset (it needs mail, which is not configured) replaced by whom to ask.

It must come before ``oidc_pkce`` in ``ckan.plugins``: ckanext-oidc-pkce asks the first ``IOidcPkce``
implementation, and the first plugin's templates win.
"""

from __future__ import annotations

import logging
import time

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
import flask
from ckan.common import current_user, logout_user, session
from ckan.lib import signals

from ckanext.oidc_pkce import config as oidc_config
from ckanext.oidc_pkce import views as oidc_views
from ckanext.oidc_pkce.interfaces import IOidcPkce

from . import accounts, actions, hub, messages, throttle, views

log = logging.getLogger(__name__)

HUB_TOKEN = "testbed_sso:hub_token"  # the hub access token of this CKAN session
HUB_NAME = "testbed_sso:hub_name"
CHECKED = "testbed_sso:checked"  # when the hub last confirmed it (epoch seconds)


def _server_side(url: str) -> str:
    """The hub's address as CKAN's server reaches it (``ckanext.testbed.sso.hub_internal_url``, containers)."""
    internal = tk.config.get("ckanext.testbed.sso.hub_internal_url") or ""
    return hub.server_side_url(url, oidc_config.base_url(), internal)


@tk.blanket.config_declarations
class TestbedSsoPlugin(p.SingletonPlugin):
    """Sign-in with the hub account (glue for ckanext-oidc-pkce)."""

    p.implements(p.IConfigurer)
    p.implements(p.IBlueprint)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IAuthenticator, inherit=True)
    p.implements(IOidcPkce, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        # the hub wants the client secret in the token request's body (hub.HubRequests)
        oidc_views.requests = hub.HubRequests(oidc_config.client_secret, _server_side)
        # count failed sign-ins of CKAN's own form; forget a user's failures at their sign-in (throttle.py)
        signals.failed_login.connect(throttle.on_failed_login)
        signals.user_logged_in.connect(throttle.on_logged_in)

    # IBlueprint

    def get_blueprint(self):
        return [views.bp]

    # IActions

    def get_actions(self) -> dict:
        """The sign-in locks of CKAN's own form, for the hub's console API and the CLI (``actions.py``)."""
        return actions.get_actions()

    # IAuthFunctions

    def get_auth_functions(self) -> dict:
        return actions.get_auth_functions()

    # IMiddleware

    def make_middleware(self, app, config):
        """Replace CKAN's password-reset views (they need a mail server) by the page that says whom to ask."""
        if isinstance(app, flask.Flask):
            for endpoint in ("user.request_reset", "user.perform_reset"):
                if endpoint in app.view_functions:
                    app.view_functions[endpoint] = views.password_help
        return app

    # IOidcPkce

    def get_oidc_user(self, userinfo: dict) -> model.User | None:
        """The CKAN user of the hub user in ``userinfo`` (``/hub/api/user``), or None (refused; never created)."""
        hub_name = userinfo.get("name") if userinfo.get("kind", "user") == "user" else None
        user = model.User.get(accounts.ckan_user_name(hub_name)) if isinstance(hub_name, str) and hub_name else None
        why = accounts.refusal(hub_name, user.state if user else None, bool(user and user.sysadmin))
        if why:
            log.warning("sign-in through the hub refused (%s): hub user %r", why, hub_name)
            session[views.REFUSAL] = why
            return None
        session[HUB_TOKEN] = userinfo["access_token"]
        session[HUB_NAME] = hub_name
        session[CHECKED] = time.time()
        log.info("hub user %s signed in to CKAN as %s", hub_name, user.name)
        return user

    def oidc_login_response(self, user: model.User):
        """Before ckanext-oidc-pkce signs the user in and sends them to ``came_from``: only to this site (its
        ``came_from`` comes straight from the query string, an open redirect otherwise)."""
        came_from = session.get(views.CAME_FROM)
        if came_from and not tk.h.url_is_local(came_from):
            log.warning("dropping a came_from outside CKAN after sign-in: %r", came_from)
            session.pop(views.CAME_FROM, None)
        return None

    # IAuthenticator

    def identify(self):
        """End a CKAN session opened through the hub once the hub no longer knows its token."""
        token = session.get(HUB_TOKEN)
        if not token:
            return None
        if not current_user.is_authenticated:
            self._forget()
            return None
        every = tk.config.get("ckanext.testbed.sso.recheck_seconds")
        if time.time() - float(session.get(CHECKED) or 0) < every:
            return None
        ok = hub.still_signed_in(_server_side(oidc_config.userinfo_url()), token, session.get(HUB_NAME, ""))
        if ok is None:
            return None
        if ok:
            session[CHECKED] = time.time()
            return None
        log.info("hub session of %s ended: signing out of CKAN", current_user.name)
        logout_user()
        self._forget()
        tk.g.user, tk.g.userobj = "", None
        if tk.request.method == "GET" and not tk.request.path.startswith("/api/"):
            tk.h.flash_notice(messages.HUB_SIGNED_OUT)
            return tk.redirect_to(tk.request.full_path)
        return None

    def login(self):
        """Refuse a POST of CKAN's own form, before its password is checked, while its user or address is locked."""
        if tk.request.method != "POST" or current_user.is_authenticated:
            return None
        why = throttle.refusal(tk.request.form.get("login", ""))
        if why is None:
            return None
        tk.h.flash_error(why)
        return tk.render("user/login.html", {}), 403

    def logout(self):
        self._forget()
        return None

    @staticmethod
    def _forget() -> None:
        for key in (HUB_TOKEN, HUB_NAME, CHECKED):
            session.pop(key, None)

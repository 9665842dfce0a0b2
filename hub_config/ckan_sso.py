"""The hub as CKAN's sign-in: CKAN is an OAuth2 client of the hub (a service with no URL of its own).

CKAN (ckanext-oidc-pkce + ckanext-testbed's ``testbed_sso``) sends a person to ``/hub/api/oauth2/authorize``;
the hub, where they are already signed in, hands back a code without asking (``oauth_no_confirm``); CKAN
trades it, with the client secret and its PKCE verifier, for a token and reads ``/hub/api/user`` with it.
Every hub user may authorise CKAN (``extra_user_scopes``); CKAN itself decides who gets in (only people with a
provisioned CKAN user). The hub deletes the token when that hub session signs out, which ends the CKAN session.
"""

from __future__ import annotations

from testbed_config import StackConfig, names
from testbed_config.layout import Layout


def _secret(layout: Layout) -> str | None:
    path = layout.secrets / names.CKAN_SSO_SECRET
    return path.read_text().strip() if path.exists() else None


def ckan_sso_callback(cfg: StackConfig) -> str:
    """Where the hub sends the browser back with the code: CKAN's public address + ckanext-oidc-pkce's path."""
    return cfg.ckan_url.rstrip("/") + names.CKAN_SSO_CALLBACK


def ckan_sso_services(cfg: StackConfig, layout: Layout) -> tuple[list[dict], list[dict]]:
    """CKAN's OAuth client at the hub (``configurer.hub_services`` lists it); none before the secret exists
    (``./testbed up`` writes it with CKAN's config, before the hub starts)."""
    secret = _secret(layout)
    if secret is None:
        return [], []
    service = {
        "name": names.CKAN_SSO_SERVICE,
        # the client secret of the OAuth client (also a hub API token of this service, which has no role)
        "api_token": secret,
        "oauth_client_id": names.CKAN_SSO_CLIENT_ID,
        "oauth_redirect_uri": ckan_sso_callback(cfg),
        "oauth_no_confirm": True,  # the hub's own catalogue: no "allow access?" page
        "oauth_client_allowed_scopes": [],  # the token only says who the person is (read:users:name!user)
        "display": False,
    }
    return [service], []


def update_ckan_sso(c, cfg: StackConfig) -> None:
    """Every hub user may authorise CKAN's client (the hub checks ``access:services`` on /oauth2/authorize)."""
    c.JupyterHub.extra_user_scopes = [f"access:services!service={names.CKAN_SSO_SERVICE}"]

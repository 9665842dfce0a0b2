"""Is a hub access token still good? (the hub deletes a session's tokens when its user signs out)"""

from __future__ import annotations

import logging

import requests

log = logging.getLogger(__name__)

GONE = (401, 403, 404)


def still_signed_in(userinfo_url: str, token: str, hub_name: str, *, timeout: float = 5.0) -> bool | None:
    """True while the hub still knows ``token`` as ``hub_name``'s; False once it does not (signed out, removed);
    None when the hub could not be asked (down, restarting): the caller keeps the session and asks again later."""
    try:
        resp = requests.get(userinfo_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
    except requests.RequestException as e:
        log.warning("hub not reachable to re-check a CKAN session (%s): %s", userinfo_url, e)
        return None
    if resp.status_code in GONE:
        return False
    if resp.status_code != 200:
        log.warning("hub answered %s when re-checking a CKAN session", resp.status_code)
        return None
    try:
        return resp.json().get("name") == hub_name
    except ValueError:
        return None


def server_side_url(url: str, public_base: str, internal_base: str) -> str:
    """``url`` at the hub's public address moved to ``internal_base``, where CKAN's server reaches the hub
    (containers: the hub's own port on the compose network); unchanged when no internal address is set."""
    public_base, internal_base = public_base.rstrip("/"), internal_base.rstrip("/")
    if internal_base and url.startswith(public_base + "/"):
        return internal_base + url[len(public_base) :]
    return url


class _Answer:
    """A hub answer whose ``json()`` never raises: an empty dict when the body is not JSON or the hub is down."""

    def __init__(self, resp: requests.Response | None):
        self.resp = resp

    def json(self) -> dict:
        if self.resp is None:
            return {}
        try:
            body = self.resp.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}


class HubRequests:
    """Stands in for ``requests`` inside ckanext-oidc-pkce's views (``views.requests``), for two gaps with the hub:

    - the hub's token endpoint reads the client's credentials from the form body only (RFC 6749 §2.3.1 allows
      both), while ckanext-oidc-pkce 0.4.1 sends them as HTTP Basic: add ``client_secret`` to the body;
    - the browser goes to the hub's public address, which a container may not reach (``server_side``);
    - ckanext-oidc-pkce calls without a timeout and ``.json()`` of any answer, so a hub that is down or answers
      HTML would be a 500: time out, and turn such answers into ``{}`` (the flow then refuses, in Japanese).
    """

    def __init__(self, client_secret, server_side=lambda url: url):
        self.client_secret = client_secret  # a function: the configured secret, read when needed
        self.server_side = server_side  # the hub's address as CKAN reaches it (server_side_url)

    def post(self, url: str, headers: dict | None = None, data: dict | None = None, **kw) -> _Answer:
        body = dict(data or {})
        secret = self.client_secret()
        if secret:
            body.setdefault("client_secret", secret)
        try:
            return _Answer(requests.post(self.server_side(url), headers=headers, data=body, timeout=10, **kw))
        except requests.RequestException as e:
            log.warning("hub token endpoint not reachable (%s): %s", url, e)
            return _Answer(None)

    def get(self, url: str, headers: dict | None = None, **kw) -> _Answer:
        try:
            return _Answer(requests.get(self.server_side(url), headers=headers, timeout=10, **kw))
        except requests.RequestException as e:
            log.warning("hub user endpoint not reachable (%s): %s", url, e)
            return _Answer(None)

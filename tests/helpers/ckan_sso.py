"""Walk CKAN's sign-in through the hub with plain HTTP, like a browser, one redirect at a time."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import requests

from testbed_config import names


def start(ckan_public: str, came_from: str | None = None) -> tuple[requests.Session, str]:
    """A fresh CKAN browser session that pressed 「研修環境 (JupyterHub) のアカウントでサインイン」: the hub URL it
    was sent to (authorize, with CKAN's state and PKCE challenge)."""
    ckan = requests.Session()
    params = {"came_from": came_from} if came_from else None
    r = ckan.get(f"{ckan_public}{names.CKAN_SSO_LOGIN}", params=params, allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.status_code
    return ckan, r.headers["Location"]


def authorize(hub_session: requests.Session, authorize_url: str) -> requests.Response:
    """The hub's answer to the authorize URL for the hub user of ``hub_session`` (not followed)."""
    return hub_session.get(authorize_url, allow_redirects=False, timeout=30)


def callback_url(answer: requests.Response) -> str:
    """The CKAN callback the hub sent the browser back to (asserts it is one, with a code)."""
    assert answer.status_code == 302, (answer.status_code, answer.text[:300])
    location = answer.headers["Location"]
    assert urlsplit(location).path == names.CKAN_SSO_CALLBACK, location
    assert parse_qs(urlsplit(location).query).get("code"), location
    return location


def sign_in(ckan_public: str, hub_session: requests.Session) -> tuple[requests.Session, requests.Response]:
    """The whole round: CKAN -> hub -> CKAN's callback; returns CKAN's session and the callback's answer."""
    ckan, authorize_url = start(ckan_public)
    back = callback_url(authorize(hub_session, authorize_url))
    return ckan, ckan.get(back, allow_redirects=False, timeout=30)


def who(ckan: requests.Session, ckan_public: str) -> str | None:
    """The CKAN user name this session is signed in as (the dashboard's header links to them), or None."""
    r = ckan.get(f"{ckan_public}/dashboard/", allow_redirects=False, timeout=30)
    if r.status_code != 200:  # anonymous visitors are sent to the login page
        return None
    found = set(re.findall(r'href="/user/([^"/?#]+)"', r.text)) - {"login", "_logout", "register", "reset"}
    assert len(found) == 1, found
    return found.pop()

"""Sign-in attempts from a loopback address of a test's own (tests/security/test_signin_throttle*.py).

The socket's source address is one of 127.0.0.0/8, so CKAN (reached directly) and the hub (through its proxy's
X-Forwarded-For) each see a distinct client, and the counts of 127.0.0.1 other tests use stay untouched.
"""

from __future__ import annotations

import random
import re

import requests
from requests.adapters import HTTPAdapter

from testbed_config.names import CKAN_LOGIN_THROTTLE_PREFIX

CKAN_USER_LOCKED = "このアカウントは一時的にロックされています"
CKAN_FAILURES_PER_USER = 10  # ckanext.testbed.login_throttle.max_failures_per_user (production default)


class FromAddress(HTTPAdapter):
    """Connect from ``address``."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def loopback_address() -> str:
    """A random loopback address away from 127.0.0.1."""
    return f"127.{random.randint(64, 250)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def session_from(address: str) -> requests.Session:
    s = requests.Session()
    s.mount("http://", FromAddress(address))
    return s


def ckan_login(ckan_url: str, address: str, login: str, password: str) -> requests.Response:
    """POST CKAN's own login form like a browser (with its CSRF token), from ``address``; not followed."""
    s = session_from(address)
    form = s.get(f"{ckan_url}/user/login", timeout=30).text
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)
    r = s.post(
        f"{ckan_url}/user/login",
        data={"login": login, "password": password, "_csrf_token": csrf},
        allow_redirects=False,
        timeout=60,
    )
    r.encoding = "utf-8"
    return r


def ckan_signed_in(r: requests.Response) -> bool:
    return r.status_code == 302 and "/user/login" not in r.headers.get("Location", "")


def lock_ckan_user(ckan_url: str, address: str, login: str) -> None:
    """Enough wrong passwords from ``address`` to lock ``login`` on CKAN's own form."""
    for i in range(CKAN_FAILURES_PER_USER):
        assert not ckan_signed_in(ckan_login(ckan_url, address, login, f"wrong-{i}"))


def clear_ckan_counts(layout, user: str, *addresses: str) -> None:
    """Remove the CKAN throttle's counts and locks of ``user`` and ``addresses`` from Redis."""
    from testbed_cli import redis

    keys = [
        f"{CKAN_LOGIN_THROTTLE_PREFIX}:{kind}:{scope}:{key}"
        for kind in ("failures", "lock")
        for scope, key in [("user", user)] + [("address", a) for a in addresses]
    ]
    redis.call(layout, "DEL", *keys)

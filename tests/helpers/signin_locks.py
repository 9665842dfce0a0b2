"""Builders for the tests of the sign-in locks shown to instructors (console 「サインインのロック」,
``./testbed signin``): a throwaway trainee with a hub password and a CKAN user with a password of its own, locked
by wrong passwords from a loopback address of the test's own (helpers/signin.py), everything removed afterwards."""

from __future__ import annotations

import contextlib
import secrets
import time

import requests

from helpers import cohort
from helpers.progress import cohort_member
from helpers.signin import clear_ckan_counts, session_from
from testbed_config.names import ckan_user_name

HUB_FAILURES_PER_USER = 10  # TestbedAuthenticator.max_failures_per_user
HUB_LOCKED = "一時的にロックされています"


def hub_login(public: str, address: str, user: str, password: str) -> requests.Response:
    """POST the hub's sign-in form from ``address`` (not followed); retried while a restarting hub answers 5xx."""
    deadline = time.monotonic() + 120
    while True:
        s = session_from(address)
        url = f"{public}/hub/login"
        try:
            s.get(url, timeout=30)
            r = s.post(
                url,
                data={"username": user, "password": password, "_xsrf": s.cookies.get("_xsrf")},
                allow_redirects=False,
                timeout=60,
            )
        except requests.ConnectionError:
            r = None
        if (r is not None and r.status_code < 500) or time.monotonic() > deadline:
            assert r is not None, "the hub did not answer for 2 minutes"
            r.encoding = "utf-8"
            return r
        time.sleep(2)


def lock_hub_user(public: str, address: str, user: str) -> None:
    for i in range(HUB_FAILURES_PER_USER):
        assert hub_login(public, address, user, f"wrong-{i}").status_code == 403


@contextlib.contextmanager
def locked_out_trainee(hub, layout, ckan_admin, course: str, name: str, address: str, *, ckan: bool = True):
    """A trainee of ``course`` (hub password; with ``ckan``, also their CKAN user ``tb-<name>`` with a password of
    its own), yielded as (hub password, CKAN password). On exit: every lock and count of the name and the address
    in both systems lifted, the CKAN user deleted, the trainee removed."""
    hub_password, ckan_password = secrets.token_urlsafe(12), secrets.token_urlsafe(18)
    ckan_name = ckan_user_name(name)
    with cohort_member(hub, layout, course, name, "施錠 太郎", hub_password):
        if ckan:
            ckan_admin.action.user_create(name=ckan_name, email=f"{ckan_name}@example.invalid", password=ckan_password)
        try:
            yield hub_password, ckan_password
        finally:  # every step, even when another fails (a CKAN restarted by someone's `up` is waited for)
            _patiently(lambda: [cohort.cli("signin", "unlock", who) for who in (name, address)])
            _patiently(lambda: clear_ckan_counts(layout, ckan_name, address))
            _patiently(lambda: clear_ckan_counts(layout, name))
            if ckan:
                _patiently(lambda: ckan_admin.action.user_delete(id=ckan_name))


def _patiently(step, seconds: float = 90) -> None:
    """Run a clean-up step, again every few seconds for up to ``seconds`` while it fails (a service restarting)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            step()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(3)

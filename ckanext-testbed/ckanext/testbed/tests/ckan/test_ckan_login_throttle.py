"""Throttling of CKAN's own sign-in form inside real CKAN (``sso/throttle.py``): per user, per address, with the
Japanese message, the right password refused while locked, and other users and addresses unaffected.

Small limits and no delay come from ``ckan_config`` (the declared settings, read at each request); the
counts live in the test Redis database of this tier."""

from __future__ import annotations

import uuid

import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckanext.testbed.sso import throttle

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db", "small_limits")]

PASSWORD = "correct-horse-battery-9"
USER_LOCKED = "このアカウントは一時的にロックされています"
ADDRESS_LOCKED = "この端末からのサインインの失敗が続いたため"


@pytest.fixture
def small_limits(ckan_config, monkeypatch):
    """3 failures lock a user, 5 an address, no delay; the form without its CSRF token (posted directly)."""
    for key, value in (
        ("WTF_CSRF_ENABLED", False),
        ("ckanext.testbed.login_throttle.max_failures_per_user", 3),
        ("ckanext.testbed.login_throttle.max_failures_per_address", 5),
        ("ckanext.testbed.login_throttle.delay_max_seconds", 0.0),
    ):
        monkeypatch.setitem(ckan_config, key, value)


@pytest.fixture
def redis_clean():
    """Remove every throttle key before and after the test (the test Redis database is shared by the tier)."""

    def clear():
        r = connect_to_redis()
        for key in r.scan_iter(f"{throttle.PREFIX}:*"):
            r.delete(key)

    clear()
    yield
    clear()


def _login(app, login: str, password: str, address: str):
    return app.post(
        "/user/login",
        data={"login": login, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
        follow_redirects=False,
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and "/user/login" not in response.headers.get("Location", "")


def _name() -> str:
    return "throttle-" + uuid.uuid4().hex[:8]


@pytest.mark.usefixtures("redis_clean")
def test_do_wrong_passwords_lock_the_user_even_for_the_right_password(app):
    """Do 3 wrong passwords lock the user (Japanese message, 403), also from another address and by e-mail,
    while another user from the same address still signs in?"""
    sato = factories.User(name=_name(), password=PASSWORD, email="sato@example.org")
    suzuki = factories.User(name=_name(), password=PASSWORD)
    assert _signed_in(_login(app, sato["name"], PASSWORD, "192.0.2.1"))  # the password is right
    app.get("/user/_logout")
    for _ in range(3):
        r = _login(app, sato["name"], "wrong", "192.0.2.1")
        assert not _signed_in(r)
    locked = _login(app, sato["name"], PASSWORD, "192.0.2.1")
    assert locked.status_code == 403 and USER_LOCKED in locked.get_data(as_text=True)
    assert "10 分ほど待って" in locked.get_data(as_text=True)
    assert _login(app, sato["name"], PASSWORD, "192.0.2.99").status_code == 403
    assert _login(app, "sato@example.org", PASSWORD, "192.0.2.99").status_code == 403
    assert _signed_in(_login(app, suzuki["name"], PASSWORD, "192.0.2.1"))


@pytest.mark.usefixtures("redis_clean")
def test_do_failures_below_the_limit_never_lock_and_a_sign_in_forgets_them(app):
    """Do 2 failures, a success, then 2 more failures leave the user unlocked (the success forgot the first two)?"""
    sato = factories.User(name=_name(), password=PASSWORD)
    for _ in range(2):
        _login(app, sato["name"], "wrong", "192.0.2.2")
    assert _signed_in(_login(app, sato["name"], PASSWORD, "192.0.2.2"))
    app.get("/user/_logout")
    for _ in range(2):
        assert _login(app, sato["name"], "wrong", "192.0.2.2").status_code != 403
    assert _signed_in(_login(app, sato["name"], PASSWORD, "192.0.2.2"))


@pytest.mark.usefixtures("redis_clean")
def test_do_failures_for_many_names_lock_the_address_only(app):
    """Do 5 failures from one address (each for a different name) lock that address, the right password of an
    unlocked user included, while the same user from another address still signs in?"""
    tanaka = factories.User(name=_name(), password=PASSWORD)
    for i in range(5):
        _login(app, f"nobody-{i}", "wrong", "198.51.100.7")
    locked = _login(app, tanaka["name"], PASSWORD, "198.51.100.7")
    assert locked.status_code == 403 and ADDRESS_LOCKED in locked.get_data(as_text=True)
    assert _signed_in(_login(app, tanaka["name"], PASSWORD, "198.51.100.8"))


@pytest.mark.usefixtures("redis_clean")
def test_does_a_lock_live_in_redis_with_its_lock_time(app):
    """Is the lock a Redis key that expires after the lock time (so it outlives a CKAN restart, not its length)?"""
    sato = factories.User(name=_name(), password=PASSWORD)
    for _ in range(3):
        _login(app, sato["name"], "wrong", "192.0.2.3")
    ttl = connect_to_redis().ttl(f"{throttle.PREFIX}:lock:{throttle.USER}:{sato['name']}")
    assert 590 <= ttl <= 600


@pytest.mark.usefixtures("redis_clean")
def test_do_sysadmins_see_the_locks_and_lift_one_and_others_do_not(app):
    """Does /ckan-admin/signin-locks list a locked user and address to a sysadmin, lift the user's lock on POST
    (the right password works again), and refuse a plain user and an anonymous visitor?"""
    sato = factories.User(name=_name(), password=PASSWORD)
    for i in range(5):
        _login(app, sato["name"] if i < 3 else f"nobody-{i}", "wrong", "203.0.113.9")
    admin = factories.SysadminWithToken()
    as_admin = {"Authorization": admin["token"]}
    page = app.get("/ckan-admin/signin-locks", headers=as_admin).get_data(as_text=True)
    assert sato["name"] in page and "203.0.113.9" in page and "約 10 分" in page
    app.post("/ckan-admin/signin-locks", data={"scope": "user", "key": sato["name"]}, headers=as_admin)
    page = app.get("/ckan-admin/signin-locks", headers=as_admin).get_data(as_text=True)
    assert sato["name"] not in page and "203.0.113.9" in page
    assert _signed_in(_login(app, sato["name"], PASSWORD, "203.0.113.10"))
    app.get("/user/_logout")
    plain = factories.UserWithToken()
    assert app.get("/ckan-admin/signin-locks", headers={"Authorization": plain["token"]}).status_code == 403
    assert app.get("/ckan-admin/signin-locks").status_code == 403
    r = app.post("/ckan-admin/signin-locks", data={"scope": "address", "key": "203.0.113.9"})
    assert r.status_code == 403
    assert "203.0.113.9" in app.get("/ckan-admin/signin-locks", headers=as_admin).get_data(as_text=True)

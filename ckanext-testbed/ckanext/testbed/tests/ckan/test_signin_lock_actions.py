"""The actions over CKAN's sign-in locks (``sso/actions.py``) inside real CKAN: sysadmins list and lift locks (the
hub calls them for the instructor's console and ``./testbed signin``); anyone else is refused."""

from __future__ import annotations

import uuid

import pytest
from ckan.lib.redis import connect_to_redis
from ckan.logic import NotAuthorized
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.testbed.sso import throttle

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db", "small_limits", "redis_clean")]

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def small_limits(ckan_config, monkeypatch):
    for key, value in (
        ("WTF_CSRF_ENABLED", False),
        ("ckanext.testbed.login_throttle.max_failures_per_user", 3),
        ("ckanext.testbed.login_throttle.delay_max_seconds", 0.0),
    ):
        monkeypatch.setitem(ckan_config, key, value)


@pytest.fixture
def redis_clean():
    def clear():
        r = connect_to_redis()
        for key in r.scan_iter(f"{throttle.PREFIX}:*"):
            r.delete(key)

    clear()
    yield
    clear()


def _lock(app, login: str) -> None:
    for _ in range(4):  # 3 lock; the 4th is refused as locked, before its password is checked (not counted)
        app.post(
            "/user/login",
            data={"login": login, "password": "wrong"},
            environ_overrides={"REMOTE_ADDR": "192.0.2.7"},
            follow_redirects=False,
        )


def test_does_a_sysadmin_list_and_lift_a_lock_by_name(app):
    """Does the list hold the locked user with its time left, the limit that locked it and no failures since (the
    attempt made while locked is refused uncounted), does lifting a list of names lift only the locked one, and a
    second lift report nothing?"""
    sato = factories.User(name="tb-" + uuid.uuid4().hex[:8], password=PASSWORD)
    _lock(app, sato["name"])
    admin = factories.Sysadmin()
    context = {"user": admin["name"], "ignore_auth": False}
    locks = call_action("testbed_signin_lock_list", context=dict(context))
    mine = [x for x in locks if x["scope"] == "user" and x["key"] == sato["name"]]
    assert len(mine) == 1 and 0 < mine[0]["seconds_left"] <= 600
    assert mine[0]["limit"] == 3 and mine[0]["failures"] == 0
    lifted = call_action("testbed_signin_lock_delete", context=dict(context), names=["nobody", sato["name"]])
    assert lifted == [{"scope": "user", "key": sato["name"]}]
    assert call_action("testbed_signin_lock_delete", context=dict(context), name=sato["name"]) == []
    assert not [x for x in call_action("testbed_signin_lock_list", context=dict(context)) if x["key"] == sato["name"]]


def test_may_a_plain_user_neither_list_nor_lift_locks(app):
    """Is a user who is not a sysadmin refused both actions (the lock stays)?"""
    sato = factories.User(name="tb-" + uuid.uuid4().hex[:8], password=PASSWORD)
    _lock(app, sato["name"])
    plain = factories.User()
    for action, data in (("testbed_signin_lock_list", {}), ("testbed_signin_lock_delete", {"name": sato["name"]})):
        with pytest.raises(NotAuthorized):
            call_action(action, context={"user": plain["name"], "ignore_auth": False}, **data)
    assert throttle.throttle().locked_for(throttle.USER, sato["name"]) > 0

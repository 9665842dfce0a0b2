"""Trainees cannot see other users (``users.py``): not in ``user_list``, ``user_autocomplete`` or ``user_show``,
while their own account and everything a sysadmin does keep working."""

from __future__ import annotations

import pytest
from ckan import logic
from ckan.tests import factories
from ckan.tests.helpers import call_action, call_auth

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]


def _as(user: dict) -> dict:
    return {"user": user["name"], "ignore_auth": False}


def test_is_the_user_list_refused_to_a_trainee():
    """Does a trainee's ``user_list`` (and ``user_autocomplete``) fail, naming why in Japanese?"""
    me = factories.User(fullname="研修 一郎")
    factories.User(fullname="研修 二郎")
    with pytest.raises(logic.NotAuthorized) as e:
        call_auth("user_list", _as(me))
    assert "サイト管理者だけ" in str(e.value)
    with pytest.raises(logic.NotAuthorized):
        call_action("user_list", context=_as(me))
    with pytest.raises(logic.NotAuthorized):
        call_action("user_autocomplete", context=_as(me), q="研修")


def test_does_a_trainee_see_only_their_own_account():
    """Is ``user_show`` of another user refused, and of oneself allowed?"""
    me, other = factories.User(), factories.User(fullname="研修 二郎")
    assert call_action("user_show", context=_as(me), id=me["name"])["name"] == me["name"]
    assert call_action("user_show", context=_as(me), id=me["id"])["id"] == me["id"]
    with pytest.raises(logic.NotAuthorized):
        call_action("user_show", context=_as(me), id=other["name"])
    with pytest.raises(logic.NotAuthorized):
        call_action("user_show", context=_as(me), id=other["id"])


def test_is_an_anonymous_visitor_refused():
    """Can a visitor without an account list or show users? (No.)"""
    other = factories.User()
    with pytest.raises(logic.NotAuthorized):
        call_action("user_list", context={"user": "", "ignore_auth": False})
    with pytest.raises(logic.NotAuthorized):
        call_action("user_show", context={"user": "", "ignore_auth": False}, id=other["name"])


def test_does_a_sysadmin_still_list_and_show_everyone():
    """Does a sysadmin (the provisioning token's account) still list and show every user?"""
    admin = factories.Sysadmin()
    trainee = factories.User(fullname="研修 一郎")
    names = {u["name"] for u in call_action("user_list", context=_as(admin))}
    assert {admin["name"], trainee["name"]} <= names
    assert call_action("user_show", context=_as(admin), id=trainee["name"])["fullname"] == "研修 一郎"


def test_are_other_users_pages_refused_to_a_trainee(app):
    """Are ``/user/`` and another user's page refused to a trainee, while their own page opens?"""
    me, other = factories.User(), factories.User()
    token = factories.APIToken(user=me["name"])["token"]
    headers = {"Authorization": token}
    assert app.get("/user/", headers=headers, status=403)
    assert app.get(f"/user/{other['name']}", headers=headers, status=403)
    assert app.get(f"/user/{me['name']}", headers=headers, status=200)

"""The header's count of new activities (``activity_count.py``) equals CKAN's own count in every case: activities by
others and by the person, more new activities than the stream holds, after the dashboard was viewed, for a sysadmin
and for a person who cannot read a private dataset."""

from __future__ import annotations

import ckan.model as model
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.activity.logic import action as stock_actions

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]


def _ours(user: dict) -> int:
    return call_action("dashboard_new_activities_count", context={"user": user["name"], "ignore_auth": False})


def _stock(user: dict) -> int:
    """CKAN's own action, not the chained one."""
    userobj = model.User.get(user["name"])
    context = {"user": user["name"], "auth_user_obj": userobj, "model": model, "session": model.Session}
    return stock_actions.dashboard_new_activities_count(context, {})


def _edit(by: dict, dataset: dict, n: int) -> None:
    for i in range(n):
        call_action("package_patch", context={"user": by["name"], "ignore_auth": True}, id=dataset["id"],
                    notes=f"{by['name']} の変更 {i}")  # fmt: skip


def test_is_the_chained_action_the_one_ckan_calls():
    """Does CKAN's ``dashboard_new_activities_count`` go through the extension's count (so the tests below test it)?"""
    import ckan.plugins.toolkit as tk

    chain = tk.get_action("dashboard_new_activities_count").__wrapped__  # CKAN's chain: partial(ours, stock)
    assert chain.func.__module__ == "ckanext.testbed.activity_count", chain
    assert chain.args[0].__module__ == "ckanext.activity.logic.action", chain


def test_does_the_count_equal_ckans_own_in_every_case(ckan_config, monkeypatch):
    """Others' changes to a followed dataset count, the person's own do not, at most the stream's length (5 here)
    counts even when more are new, and nothing counts after the dashboard was viewed."""
    monkeypatch.setitem(ckan_config, "ckan.activity_list_limit", 5)
    me, other = factories.User(), factories.User()
    org = factories.Organization(
        users=[{"name": other["name"], "capacity": "editor"}, {"name": me["name"], "capacity": "editor"}]
    )
    dataset = factories.Dataset(owner_org=org["id"], user=other)
    call_action("follow_dataset", context={"user": me["name"]}, id=dataset["id"])
    seen = []
    _edit(other, dataset, 2)
    seen.append((_ours(me), _stock(me)))
    _edit(me, dataset, 2)  # the person's own changes take places in the stream but never count
    seen.append((_ours(me), _stock(me)))
    _edit(other, dataset, 2)  # newest 5: 2 by others, 2 mine, 1 by others
    seen.append((_ours(me), _stock(me)))
    _edit(other, dataset, 6)  # more new ones than the stream holds
    seen.append((_ours(me), _stock(me)))
    call_action("dashboard_mark_activities_old", context={"user": me["name"]})
    seen.append((_ours(me), _stock(me)))
    _edit(other, dataset, 1)
    seen.append((_ours(me), _stock(me)))
    assert [ours for ours, _ in seen] == [stock for _, stock in seen], seen
    assert [ours for ours, _ in seen] == [3, 3, 3, 5, 0, 1], seen  # the stock figures, written out


def test_does_a_sysadmin_and_a_person_without_access_count_like_ckan():
    """A sysadmin following a private dataset counts its changes; a person who follows the same editor but may not
    read the private dataset counts only what CKAN counts for them."""
    admin, editor, outsider = factories.Sysadmin(), factories.User(), factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    private = factories.Dataset(owner_org=org["id"], private=True, user=editor)
    public = factories.Dataset(owner_org=org["id"], user=editor)
    call_action("follow_dataset", context={"user": admin["name"]}, id=private["id"])
    call_action("follow_user", context={"user": outsider["name"]}, id=editor["id"])
    _edit(editor, private, 2)
    _edit(editor, public, 1)
    for person in (admin, outsider):
        assert _ours(person) == _stock(person), person["name"]
    assert _ours(admin) >= 2

"""Trainees cannot see each other in the live CKAN: with a trainee's own API token (made as the hub makes it
at spawn, ckan_seed.trainees.ensure_trainee), ``user_list``, ``user_autocomplete``, another trainee's
``user_show`` and the ``/user/`` pages are refused; their own account and the provisioning token still work."""

from __future__ import annotations

import secrets

import ckanapi
import pytest
import requests

from ckan_seed.trainees import ensure_trainee, remove_trainee
from testbed_config.names import CKAN_ADMIN_TOKEN, CKAN_TOKEN_DB, ckan_user_name

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def two_trainees(layout, ckan_url):
    """Two trainees with CKAN accounts (氏名, 所属) and their own tokens; removed after."""
    admin_token = (layout.secrets / CKAN_ADMIN_TOKEN).read_text().strip()
    token_db = layout.hub_dir / CKAN_TOKEN_DB
    names = [f"pv{secrets.token_hex(3)}" for _ in range(2)]
    made = []
    try:
        for name, fullname in zip(names, ("秘密 一郎", "秘密 二郎"), strict=True):
            made.append(name)
            ensure_trainee(ckan_url, admin_token, name, fullname, "個人情報保護課", token_db=token_db)
        yield {n: ensure_trainee(ckan_url, admin_token, n, token_db=token_db) for n in names}
    finally:
        for name in made:
            remove_trainee(ckan_url, admin_token, name, token_db=token_db)


def test_does_a_trainee_see_no_other_user(ckan_url, two_trainees):
    """With trainee A's token: is the user list refused, B's account refused, A's own account shown?"""
    (a, mine), (b, _) = two_trainees.items()
    ckan = ckanapi.RemoteCKAN(ckan_url, apikey=mine.token, user_agent="testbed-tests")
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.user_list()
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.user_autocomplete(q="pv")
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.user_show(id=ckan_user_name(b))
    assert ckan.action.user_show(id=ckan_user_name(a))["fullname"] == "秘密 一郎"


def test_are_the_user_pages_of_others_refused(ckan_url, two_trainees):
    """Are ``/user/`` and B's page refused to A's token, with neither 氏名 of B in the answer?"""
    (a, mine), (b, _) = two_trainees.items()
    headers = {"Authorization": mine.token}
    for path in ("/user/", f"/user/{ckan_user_name(b)}"):
        r = requests.get(f"{ckan_url}{path}", headers=headers, timeout=30)
        assert r.status_code == 403, (path, r.status_code)
        assert "秘密 二郎" not in r.text
    assert requests.get(f"{ckan_url}/user/{ckan_user_name(a)}", headers=headers, timeout=30).status_code == 200


def test_does_the_provisioning_token_still_list_users(ckan_admin, two_trainees):
    """Does the sysadmin's provisioning token still list and show every trainee?"""
    (_, _), (b, _) = two_trainees.items()
    listed = {u["name"] for u in ckan_admin.action.user_list(q="pv")}
    assert {ckan_user_name(n) for n in two_trainees} <= listed
    assert ckan_admin.action.user_show(id=ckan_user_name(b))["fullname"] == "秘密 二郎"

"""Trainees' practice publishing kept apart from the city's data, in real CKAN 2.12 (``practice.py``, ``portal.py``).

A sandbox organisation (``sandbox-<user>``) holds a copy named like the city's AED dataset. Vanilla CKAN lists
the copy beside (or above) the official dataset everywhere; with the ``testbed`` plugin the default search,
the organisation list and the home page leave it out, and it is found on purpose.
"""

from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]


@pytest.fixture
def catalogue():
    """The city's 危機管理課 with AED設置箇所一覧, and a trainee's sandbox with a copy titled the same."""
    trainee = factories.User(name="tb-tanaka")
    city = factories.Organization(name="kikikanri-ka", title="危機管理課")
    sandbox = factories.Organization(
        name="sandbox-tanaka", title="tanaka のサンドボックス", users=[{"name": trainee["name"], "capacity": "editor"}]
    )
    official = factories.Dataset(name="midorino-aed", title="AED設置箇所一覧", owner_org=city["id"])
    # the copy's name and tags make it the better text match: vanilla relevance ranks it first
    copy = factories.Dataset(
        name="aed-setchi-kasho-ichiran-aed",
        title="AED設置箇所一覧 AED",
        owner_org=sandbox["id"],
        tags=[{"name": "AED"}],
    )
    return {"trainee": trainee, "city": city, "sandbox": sandbox, "official": official, "copy": copy}


def names(result: dict) -> list[str]:
    return [d["name"] for d in result["results"]]


def test_does_the_default_search_leave_the_sandbox_copy_out(catalogue):
    """Does package_search q=AED (no filter) find only the official dataset, and count only it?"""
    result = call_action("package_search", q="AED")
    assert names(result) == ["midorino-aed"]
    assert result["count"] == 1


def test_is_practice_data_found_on_purpose_with_the_official_first(catalogue):
    """Does ext_practice=include list both with the city's first, and ext_practice=only the copy alone?"""
    both = call_action("package_search", q="AED", ext_practice="include")
    assert names(both) == ["midorino-aed", "aed-setchi-kasho-ichiran-aed"]
    only = call_action("package_search", q="AED", ext_practice="only")
    assert names(only) == ["aed-setchi-kasho-ichiran-aed"]


def test_does_a_trainee_still_find_their_own_sandbox_datasets(catalogue):
    """Do fq=owner_org:<sandbox> (a trainee's own search, the sandbox's page) and the creator filter find the copy?"""
    sandbox_id = catalogue["sandbox"]["id"]
    assert names(call_action("package_search", fq=f'owner_org:"{sandbox_id}"')) == ["aed-setchi-kasho-ichiran-aed"]
    assert names(call_action("package_search", fq='organization:"sandbox-tanaka"')) == ["aed-setchi-kasho-ichiran-aed"]
    shown = call_action("organization_show", id="sandbox-tanaka", include_datasets=True)
    assert shown["package_count"] == 1


def test_does_the_organisation_list_leave_sandboxes_out_unless_asked(catalogue):
    """Is sandbox-tanaka missing from organization_list, and listed with include_practice or q=サンドボックス?"""
    assert call_action("organization_list") == ["kikikanri-ka"]
    assert [o["name"] for o in call_action("organization_list", all_fields=True)] == ["kikikanri-ka"]
    assert sorted(call_action("organization_list", include_practice=True)) == ["kikikanri-ka", "sandbox-tanaka"]
    assert call_action("organization_list", q="サンドボックス") == ["sandbox-tanaka"]


def test_do_the_public_pages_show_no_sandbox(app, catalogue):
    """Do /, /dataset?q=AED and /organization, seen anonymously, name no sandbox, and is 人気順 offered?"""
    for url in ("/", "/dataset/?q=AED", "/organization/"):
        body = app.get(url).body
        assert "sandbox-tanaka" not in body and "tanaka のサンドボックス" not in body, url
        assert "aed-setchi-kasho-ichiran-aed" not in body, url
    home = app.get("/").body
    assert "みどり野市 オープンデータ" in home and "CKANへようこそ" not in home and "placeholder-420x220" not in home
    assert '<option value="views_recent desc">人気順</option>' in app.get("/dataset/").body
    practice = app.get("/dataset/?q=AED&ext_practice=only").body
    assert "aed-setchi-kasho-ichiran-aed" in practice
    assert 'name="ext_practice" value="only"' in practice  # a new query or order stays in practice mode
    assert "aed-setchi-kasho-ichiran-aed" in app.get("/organization/sandbox-tanaka").body


def test_does_a_japanese_title_get_a_romanised_url_name(catalogue):
    """Does a dataset created with a Japanese title and no name get a readable romanised name, unique?"""
    context = {"user": catalogue["trainee"]["name"], "ignore_auth": False}
    owner = catalogue["sandbox"]["id"]
    first = call_action("package_create", context=dict(context), title="指定緊急避難場所一覧", owner_org=owner)
    assert first["name"] == "shitei-kinkyuhinan-basho-ichiran"
    second = call_action("package_create", context=dict(context), title="指定緊急避難場所一覧", owner_org=owner)
    assert second["name"] == "shitei-kinkyuhinan-basho-ichiran-2"
    proposed = call_action("testbed_dataset_name", context=dict(context), title="AED設置箇所一覧")
    assert proposed["name"] == "aed-setchi-kasho-ichiran"

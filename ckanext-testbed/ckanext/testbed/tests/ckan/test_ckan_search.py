"""Dataset search served by the ``testbed`` plugin inside real CKAN 2.12, with no Solr anywhere.

Vanilla CKAN 2.12 without Solr fails every one of these: package_create rolls back with "Search Index
Error", package_search and the search page answer 500, organization_create errors after saving.
Each test starts from an empty catalogue (``clean_db``, ckan/conftest.py) with the live stack's plugins.
"""

from __future__ import annotations

import json

import ckan.lib.search as search
import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.testbed.search import patches, statements
from ckanext.testbed.search.query import PostgresPackageQuery

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]


def index_rows() -> list[str]:
    """Names of the datasets in the search table."""
    return list(model.Session.execute(sa.text(f"SELECT name FROM {statements.TABLE} ORDER BY name")).scalars())


def found(result: dict) -> list[str]:
    return sorted(d["name"] for d in result["results"])


def test_is_a_created_dataset_found_by_package_search_without_solr():
    """Does package_create commit the dataset with its search row, and package_search return it from PostgreSQL?"""
    assert patches.is_applied()
    assert isinstance(search.query_for(model.Package), PostgresPackageQuery)
    dataset = factories.Dataset(title="指定避難所一覧", notes="災害時の指定緊急避難場所。")
    assert index_rows() == [dataset["name"]]
    result = call_action("package_search", q="*:*")
    assert result["count"] == 1
    assert [d["id"] for d in result["results"]] == [dataset["id"]]
    assert result["results"][0]["title"] == "指定避難所一覧"
    assert call_action("package_show", id=dataset["name"])["id"] == dataset["id"]


def test_does_a_two_character_japanese_substring_find_only_its_dataset():
    """Does q=避難 find 指定避難所一覧 without word segmentation, and full-width ＡＥＤ find AED設置箇所一覧?"""
    shelters = factories.Dataset(title="指定避難所一覧")
    aed = factories.Dataset(title="AED設置箇所一覧", notes="公共施設に置かれた自動体外式除細動器。")
    factories.Dataset(title="地域別人口")
    assert found(call_action("package_search", q="避難")) == [shelters["name"]]
    assert found(call_action("package_search", q="ＡＥＤ")) == [aed["name"]]
    assert found(call_action("package_search", q="一覧")) == sorted([shelters["name"], aed["name"]])


def test_are_facets_counted_over_the_matching_datasets():
    """Do the tag and organisation facets count the datasets that match, narrowed by a facet click (fq)?"""
    city = factories.Organization(title="防災課")
    other = factories.Organization(title="統計課")
    factories.Dataset(owner_org=city["id"], tags=[{"name": "防災"}, {"name": "避難所"}])
    factories.Dataset(owner_org=city["id"], tags=[{"name": "防災"}])
    factories.Dataset(owner_org=other["id"], tags=[{"name": "人口"}])
    fields = json.dumps(["tags", "organization"])

    result = call_action("package_search", q="*:*", rows=0, **{"facet.field": fields})
    assert result["count"] == 3
    assert result["facets"]["tags"] == {"防災": 2, "避難所": 1, "人口": 1}
    assert result["facets"]["organization"] == {city["name"]: 2, other["name"]: 1}

    clicked = call_action("package_search", fq='tags:"防災"', **{"facet.field": fields})
    assert clicked["count"] == 2
    assert clicked["facets"]["organization"] == {city["name"]: 2}
    items = {item["name"]: item["count"] for item in clicked["search_facets"]["tags"]["items"]}
    assert items == {"防災": 2, "避難所": 1}


def test_does_organization_create_succeed_and_count_its_datasets(sysadmin):
    """Does organization_create return the organisation (no error after saving) and count its datasets?"""
    context = {"user": sysadmin["name"], "ignore_auth": False}
    org = call_action("organization_create", context=context, name="bousai-ka", title="防災課")
    assert org["name"] == "bousai-ka"
    assert org["package_count"] == 0
    factories.Dataset(owner_org=org["id"])
    factories.Dataset(owner_org=org["id"], private=True)
    shown = call_action("organization_show", context={"user": sysadmin["name"]}, id="bousai-ka")
    assert shown["package_count"] == 2
    listed = call_action("organization_list", all_fields=True)
    assert [(o["name"], o["package_count"]) for o in listed] == [("bousai-ka", 2)]


def test_does_the_dataset_search_page_list_a_japanese_match(app):
    """Does /dataset/?q=避難 render (500 with Solr missing) and list the matching dataset only?"""
    factories.Dataset(title="指定避難所一覧")
    factories.Dataset(title="地域別人口")
    response = app.get("/dataset/", query_string={"q": "避難"})
    assert response.status_code == 200
    assert "指定避難所一覧" in response.body
    assert "地域別人口" not in response.body

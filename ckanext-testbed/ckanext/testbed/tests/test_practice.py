"""Which searches hide trainees' practice datasets, and how the SQL tells practice from official, without CKAN."""

from __future__ import annotations

import pytest
from ckanext.testbed import practice
from ckanext.testbed.search import compiler, fields

pytestmark = pytest.mark.unit

DEFAULT_SORT = "score desc, metadata_modified desc"


def scoped(**params):
    return practice.scope_search(params, DEFAULT_SORT)


def test_does_a_plain_search_hide_practice_datasets_in_its_own_filter():
    """Does q=AED without a filter get -testbed_kind:practice as a separate fq_list item, the sort untouched?"""
    out = scoped(q="AED", fq="+dataset_type:dataset", extras={})
    assert out["fq_list"] == [practice.HIDE_FILTER]
    assert out["fq"] == "+dataset_type:dataset"
    assert "sort" not in out


def test_cannot_a_crafted_fq_swallow_the_hiding_filter():
    """Is an fq with a top-level OR still AND-ed with the hiding filter (it is its own fq_list item)?"""
    out = scoped(fq='tags:"a" OR tags:"b"', fq_list=["+capacity:public"])
    assert out["fq_list"] == ["+capacity:public", practice.HIDE_FILTER]


@pytest.mark.parametrize(
    "fq",
    [
        ' owner_org:"0b6c-org-id"',  # an organisation's page
        "+creator_user_id:abc",  # a user's page
        'organization:"sandbox-tanaka"',  # a trainee's own search
        "testbed_kind:practice",
        "name:tanaka-renshu",
    ],
)
def test_is_a_search_that_names_an_organisation_or_owner_left_alone(fq):
    """Does a filter on the organisation, owner, creator or dataset keep practice datasets (asked on purpose)?"""
    out = scoped(q="", fq=fq)
    assert practice.HIDE_FILTER not in out.get("fq_list", [])


@pytest.mark.parametrize("fq", ['groups:"bousai"', "tags:防災", "res_format:CSV", ""])
def test_does_a_group_tag_or_format_filter_still_hide_practice(fq):
    """Are group pages and facet clicks (not about an owner) still the city's data only?"""
    assert scoped(q="", fq=fq)["fq_list"] == [practice.HIDE_FILTER]


def test_does_only_mode_filter_to_practice_and_include_mode_put_official_first():
    """ext_practice=only → +testbed_kind:practice; include → both, sorted official first by relevance."""
    assert scoped(q="AED", extras={"ext_practice": "only"})["fq_list"] == [practice.ONLY_FILTER]
    both = scoped(q="AED", extras={"ext_practice": "include"})
    assert "fq_list" not in both
    assert both["sort"] == f"{practice.OFFICIAL_FIRST}, {DEFAULT_SORT}"
    by_name = scoped(q="AED", sort="title_string asc", extras={"ext_practice": "include"})
    assert by_name["sort"] == "title_string asc"  # an explicit order is kept


def test_does_a_broken_query_still_hide_practice(monkeypatch):
    """Does a query the parser rejects get the hiding filter (fail closed), while the search reports the error?"""
    from ckanext.testbed.search import syntax

    def broken(text):
        raise syntax.QuerySyntaxError("bad")

    monkeypatch.setattr(syntax, "parse", broken)
    assert scoped(q='owner_org:"x', fq="")["fq_list"] == [practice.HIDE_FILTER]


def test_does_an_empty_owner_filter_not_count_as_asking():
    """Is owner_org:( (parsed as match-all) not a filter on an owner?"""
    assert scoped(q="owner_org:(", fq="")["fq_list"] == [practice.HIDE_FILTER]


def test_is_the_kind_worked_out_from_the_organisation_name_in_sql():
    """Does testbed_kind compile to a starts_with on the organisation column, usable in filters and sorts?"""
    plan = compiler.plan_search("AED", ["-testbed_kind:practice"], f"{practice.OFFICIAL_FIRST}, {DEFAULT_SORT}")
    assert "starts_with(coalesce(i.organization, ''), 'sandbox-')" in plan.where
    assert "NOT (" in plan.where and "practice" in plan.params.values()
    assert "starts_with" in plan.order_by.split(",")[0]


def test_is_a_prefix_that_could_break_the_sql_refused():
    """Is an org prefix with a quote (or upper case) refused instead of spliced into SQL?"""
    for bad in ("sand'box-", "Sandbox-", "", "a b"):
        with pytest.raises(ValueError):
            fields.set_practice_prefix(bad)
    assert fields.practice_prefix() == "sandbox-"


@pytest.mark.parametrize(
    ("params", "wanted"),
    [
        ({}, False),
        ({"q": "防災"}, False),
        ({"q": "sandbox"}, True),
        ({"q": "サンドボックス"}, True),
        ({"include_practice": "true"}, True),
        ({"include_practice": False}, False),
    ],
)
def test_when_does_organization_list_show_sandboxes(params, wanted):
    """Are sandboxes listed only with include_practice or a q that names them?"""
    assert practice.org_list_wanted(params) is wanted


def test_is_a_sandbox_told_apart_from_a_department_by_its_name():
    assert practice.is_practice_org("sandbox-tanaka")
    assert practice.is_practice_org("sandbox-x-1a2b3c4d5e-tanaka")
    assert not practice.is_practice_org("kikikanri-ka")
    assert not practice.is_practice_org(None)

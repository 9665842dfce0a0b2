"""Solr-free dataset search of the running CKAN (ckanext-testbed, PostgreSQL backend).

Uses the ``ckan_admin``, ``ckan_url`` and ``unique`` fixtures of tests/conftest.py.
Every search is narrowed to the organisation the test creates, so datasets of other
tests or of the classroom never change the expected counts. Resources use PDF/JSON
formats so the DataStore loader leaves them alone.
"""

from __future__ import annotations

import ckanapi
import pytest
import requests

pytestmark = pytest.mark.integration

DATASETS = [
    # (name suffix, title, tags, resource formats, notes)
    ("hinan", "指定避難所一覧", ["防災", "避難所"], ["PDF", "JSON"], "災害時の指定緊急避難場所。"),
    ("aed", "AED設置箇所一覧", ["防災", "医療"], ["PDF"], "公共施設に置かれたＡＥＤ。"),
    ("jinko", "人口統計 地域別", ["人口"], ["JSON"], "地域・年齢別人口。"),
]


@pytest.fixture
def catalogue(ckan_admin, unique):
    """An organisation with three public datasets and one private one; purged afterwards."""
    suffix = unique()
    org = ckan_admin.action.organization_create(name=f"search-org-{suffix}", title=f"検索テスト課 {suffix}")
    created = []
    try:
        for key, title, tags, formats, notes in DATASETS:
            created.append(
                ckan_admin.action.package_create(
                    name=f"search-{key}-{suffix}",
                    title=title,
                    notes=notes,
                    owner_org=org["id"],
                    tags=[{"name": tag} for tag in tags],
                    resources=[{"name": f"{key}-{fmt.lower()}", "url": "", "format": fmt} for fmt in formats],
                )
            )
        created.append(
            ckan_admin.action.package_create(
                name=f"search-private-{suffix}",
                title="非公開の避難計画",
                owner_org=org["id"],
                private=True,
                tags=[{"name": "防災"}],
            )
        )
        yield {"org": org, "datasets": {d["name"].split("-")[1]: d for d in created}, "suffix": suffix}
    finally:
        for dataset in created:
            ckan_admin.action.dataset_purge(id=dataset["id"])
        ckan_admin.action.organization_purge(id=org["id"])


def search(ckan, catalogue, **params):
    """package_search narrowed to the test's organisation."""
    fq = f'owner_org:"{catalogue["org"]["id"]}"'
    if params.get("fq"):
        fq += " " + params.pop("fq")
    return ckan.action.package_search(fq=fq, **params)


def names(result):
    return sorted(d["name"].split("-")[1] for d in result["results"])


def test_does_a_two_character_japanese_substring_find_datasets(ckan_admin, catalogue):
    """Does q=避難 find the dataset whose title contains 避難所, with no word segmentation?"""
    result = search(ckan_admin, catalogue, q="避難")
    assert names(result) == ["hinan"]
    assert result["count"] == 1
    assert "validated_data_dict" not in result["results"][0]
    assert result["results"][0]["title"] == "指定避難所一覧"


def test_are_several_words_combined_with_and(ckan_admin, catalogue):
    """Does 防災 一覧 require both words, and does width folding make ＡＥＤ match AED?"""
    assert names(search(ckan_admin, catalogue, q="防災 一覧")) == ["aed", "hinan"]
    assert names(search(ckan_admin, catalogue, q="防災 人口")) == []
    assert names(search(ckan_admin, catalogue, q="ａｅｄ")) == ["aed"]


def test_do_quoted_phrases_and_negation_work(ckan_admin, catalogue):
    """Does a quoted phrase keep word order, and does -word exclude datasets?"""
    assert names(search(ckan_admin, catalogue, q='"統計 地域"')) == ["jinko"]
    assert names(search(ckan_admin, catalogue, q='"地域 統計"')) == []
    assert names(search(ckan_admin, catalogue, q="地域 統計")) == ["jinko"]
    assert names(search(ckan_admin, catalogue, q="一覧 -AED")) == ["hinan"]


def test_do_organisation_and_tag_filters_narrow_the_results(ckan_admin, catalogue):
    """Do fq tags:"防災" (a facet click) and owner_org filters select the right datasets?"""
    assert names(search(ckan_admin, catalogue, fq='tags:"防災"')) == ["aed", "hinan"]
    org_name = catalogue["org"]["name"]
    result = ckan_admin.action.package_search(fq=f'organization:"{org_name}" +res_format:"JSON"')
    assert sorted(d["name"].split("-")[1] for d in result["results"]) == ["hinan", "jinko"]


def test_are_facet_counts_correct(ckan_admin, catalogue):
    """Do tag, format and organisation facets count public datasets, once each?"""
    result = search(ckan_admin, catalogue, **{"facet.field": '["tags", "res_format", "organization"]', "rows": 0})
    assert result["count"] == 3
    assert result["results"] == []
    facets = result["facets"]
    assert facets["tags"] == {"防災": 2, "避難所": 1, "医療": 1, "人口": 1}
    assert facets["res_format"] == {"PDF": 2, "JSON": 2}
    assert facets["organization"] == {catalogue["org"]["name"]: 3}
    items = {i["name"]: i for i in result["search_facets"]["organization"]["items"]}
    assert items[catalogue["org"]["name"]]["display_name"] == catalogue["org"]["title"]


def test_is_a_private_dataset_hidden_from_anonymous_users(ckan_admin, ckan_url, catalogue):
    """Does an anonymous search never return the private dataset, while the sysadmin sees it?"""
    anonymous = ckanapi.RemoteCKAN(ckan_url)
    public = search(anonymous, catalogue, q="避難", include_private=True)
    assert names(public) == ["hinan"]
    facets = search(anonymous, catalogue, include_private=True, **{"facet.field": '["tags"]'})["facets"]
    assert facets["tags"]["防災"] == 2
    admin = search(ckan_admin, catalogue, q="避難", include_private=True)
    assert names(admin) == ["hinan", "private"]
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.package_show(id=catalogue["datasets"]["private"]["id"])


def test_is_a_draft_visible_only_when_drafts_are_asked_for(ckan_admin, ckan_url, catalogue):
    """Does a draft stay out of default searches and appear for its creator with include_drafts?"""
    draft = ckan_admin.action.package_create(
        name=f"search-draft-{catalogue['suffix']}",
        title="下書きの避難計画",
        owner_org=catalogue["org"]["id"],
        state="draft",
    )
    try:
        assert names(search(ckan_admin, catalogue, q="下書き")) == []
        assert names(search(ckan_admin, catalogue, q="下書き", include_drafts=True)) == ["draft"]
        anonymous = ckanapi.RemoteCKAN(ckan_url)
        assert names(search(anonymous, catalogue, q="下書き", include_drafts=True)) == []
    finally:
        ckan_admin.action.dataset_purge(id=draft["id"])


def test_do_sorting_and_paging_follow_the_parameters(ckan_admin, catalogue):
    """Do title_string asc/desc, rows and start order and slice the results like Solr?"""
    ascending = search(ckan_admin, catalogue, sort="title_string asc")
    titles = [d["title"] for d in ascending["results"]]
    assert titles == sorted(titles)
    descending = search(ckan_admin, catalogue, sort="title_string desc")
    assert [d["title"] for d in descending["results"]] == titles[::-1]
    page = search(ckan_admin, catalogue, sort="title_string asc", rows=1, start=1)
    assert page["count"] == 3
    assert [d["title"] for d in page["results"]] == titles[1:2]
    newest = search(ckan_admin, catalogue, sort="metadata_modified desc")
    assert newest["results"][0]["name"] == catalogue["datasets"]["jinko"]["name"]
    with pytest.raises(ckanapi.SearchQueryError):
        search(ckan_admin, catalogue, sort="title_string sideways")


def test_does_autocomplete_match_japanese_titles(ckan_admin, catalogue):
    """Does package_autocomplete find a dataset by part of its Japanese title?"""
    found = ckan_admin.action.package_autocomplete(q="設置箇所", limit=50)
    assert catalogue["datasets"]["aed"]["name"] in [d["name"] for d in found]


def test_does_an_updated_dataset_show_its_new_title_at_once(ckan_admin, catalogue):
    """Is the search row written with the dataset, so an edit is searchable immediately?"""
    dataset = catalogue["datasets"]["jinko"]
    ckan_admin.action.package_patch(id=dataset["id"], title="人口統計 町丁字別")
    assert names(search(ckan_admin, catalogue, q="町丁字")) == ["jinko"]
    assert names(search(ckan_admin, catalogue, q="地域別")) == []


def test_does_the_organisation_count_its_datasets(ckan_url, catalogue):
    """Does organization_show (dataset counts come from the search) report the public datasets?"""
    org = ckanapi.RemoteCKAN(ckan_url).action.organization_show(id=catalogue["org"]["name"])
    assert org["package_count"] == 3


def test_do_the_dataset_and_organisation_pages_render_in_japanese(ckan_url, catalogue):
    """Do /dataset (with a search and a tag facet) and /organization/<name> return 200 in Japanese?"""
    pages = [
        ("/dataset", {"q": "避難"}),
        ("/dataset", {"tags": "防災"}),
        ("/dataset", {"sort": "title_string asc"}),
        (f"/organization/{catalogue['org']['name']}", {}),
    ]
    for path, params in pages:
        response = requests.get(ckan_url + path, params=params, timeout=30)
        assert response.status_code == 200, path
        assert "データセット" in response.text, path
    org_page = requests.get(f"{ckan_url}/organization/{catalogue['org']['name']}", timeout=30).text
    assert "指定避難所一覧" in org_page
    assert "非公開の避難計画" not in org_page


def test_do_search_results_carry_the_same_usage_numbers_as_package_show(ckan_anon):
    """Does each search result's tracking summary (views, and downloads per resource; filled in two queries by
    ckanext-testbed) equal what package_show reports for that dataset?"""
    results = ckan_anon.action.package_search(q="midorino", rows=30, sort="views_recent desc")["results"]
    assert len(results) >= 10
    assert results[0]["tracking_summary"]["total"] > 0
    for found in results:
        shown = ckan_anon.action.package_show(id=found["id"])
        assert found["tracking_summary"] == shown["tracking_summary"], found["name"]
        for a, b in zip(found["resources"], shown["resources"], strict=True):
            assert a["tracking_summary"] == b["tracking_summary"], (found["name"], a["url"])


def test_does_a_repeated_search_see_every_change_at_once(ckan_admin, ckan_anon, catalogue):
    """Repeated searches are answered from each CKAN process's result cache: do an edit and a deletion
    (titles, facet counts) show in the very next search, whichever web worker answers it?"""

    def seen():
        result = search(ckan_anon, catalogue, q="一覧", rows=10, **{"facet.field": '["tags"]'})
        return sorted(d["title"] for d in result["results"]), result["search_facets"]["tags"]["items"]

    def tag_count(items, name):
        return next((item["count"] for item in items if item["name"] == name), 0)

    titles, tags = seen()
    assert titles == ["AED設置箇所一覧", "指定避難所一覧"] and tag_count(tags, "防災") == 2
    for _ in range(6):  # several requests, so every worker has cached this search
        assert seen() == (titles, tags)
    ckan_admin.action.package_patch(id=catalogue["datasets"]["hinan"]["id"], title="指定避難所一覧 改訂版")
    for _ in range(6):
        assert seen()[0] == ["AED設置箇所一覧", "指定避難所一覧 改訂版"]
    ckan_admin.action.package_delete(id=catalogue["datasets"]["aed"]["id"])
    for _ in range(6):
        titles, tags = seen()
        assert titles == ["指定避難所一覧 改訂版"] and tag_count(tags, "防災") == 1

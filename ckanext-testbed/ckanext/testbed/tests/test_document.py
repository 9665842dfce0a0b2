"""From CKAN's Solr index document to a row of the search table, without CKAN."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from ckanext.testbed.search.document import ROW_COLUMNS, build_row, facet_keys

pytestmark = pytest.mark.unit

SOLR_DOC = {
    "id": "d1",
    "name": "hinanjo",
    "title": "指定避難所一覧",
    "title_string": "指定避難所一覧",
    "notes": "災害時の避難場所。",
    "state": "active",
    "private": False,
    "capacity": "public",
    "type": "dataset",
    "dataset_type": "dataset",
    "site_id": "default",
    "owner_org": "org-1",
    "organization": "somuka",
    "creator_user_id": "u1",
    "license_id": "cc-by",
    "tags": ["防災", "避難所"],
    "groups": ["bousai"],
    "res_format": ["CSV", "CSV", ""],
    "res_name": ["一覧表"],
    "extras_city": "札幌市",
    "num_resources": 3,
    "views_recent": 7,
    "permission_labels": ["public"],
    "metadata_created": "2026-04-01T00:00:00.123456Z",
    "metadata_modified": "2026-04-02T03:04:05.000006Z",
    "data_dict": json.dumps({"organization": {"title": "総務課"}, "groups": [{"title": "防災グループ"}]}),
    "validated_data_dict": json.dumps({"name": "hinanjo"}),
}


def test_does_a_row_have_every_column():
    """Does build_row give exactly the table's columns?"""
    assert set(build_row(SOLR_DOC)) == set(ROW_COLUMNS)


def test_are_facet_columns_deduplicated_without_empty_values():
    """Is a format used by two resources counted once, and an empty format dropped?"""
    row = build_row(SOLR_DOC)
    assert row["res_format"] == ["CSV"]
    assert row["tags"] == ["防災", "避難所"]


def test_does_the_free_text_include_titles_of_organisation_and_groups():
    """Can a trainee find the dataset by the organisation's title 総務課 and an extra's value?"""
    text = build_row(SOLR_DOC)["search_text"]
    for word in ("総務課", "防災グループ", "札幌市", "一覧表", "災害時", "hinanjo"):
        assert word in text


def test_are_timestamps_parsed_and_json_kept_verbatim():
    """Are the Z timestamps naive UTC datetimes and the JSON strings stored untouched?"""
    row = build_row(SOLR_DOC)
    assert row["metadata_modified"] == dt.datetime(2026, 4, 2, 3, 4, 5, 6)
    assert row["validated_data_dict"] == SOLR_DOC["validated_data_dict"]
    assert row["data_dict"] == SOLR_DOC["data_dict"]


def test_are_document_values_strings_like_solr_fields():
    """Are booleans and numbers stored as Solr strings, and the JSON dicts left out of doc?"""
    doc = json.loads(build_row(SOLR_DOC)["doc"])
    assert doc["private"] == "false"
    assert doc["num_resources"] == "3"
    assert doc["metadata_modified"] == "2026-04-02T03:04:05.000006Z"
    assert "data_dict" not in doc and "validated_data_dict" not in doc


def test_do_facet_keys_start_with_the_count_marker():
    """Does every row carry the count marker plus field/value keys for the usual facets?"""
    keys = facet_keys(SOLR_DOC)
    assert keys[0] == ""
    assert "tags\x1f防災" in keys and "organization\x1fsomuka" in keys and "owner_org\x1forg-1" in keys
    assert keys.count("res_format\x1fCSV") == 1


def test_are_page_views_from_the_tracking_plugin_kept_as_numbers():
    """Are views_recent (added by the tracking plugin) stored, and missing views 0?"""
    row = build_row(SOLR_DOC)
    assert row["views_recent"] == 7
    assert row["views_total"] == 0

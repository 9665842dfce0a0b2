"""Unit tests of ckanext.testbed.loader.headers: Japanese column names kept, invalid ones fixed visibly."""

from __future__ import annotations

import pytest
from ckanext.testbed.loader.headers import MAX_IDENTIFIER_BYTES, normalize_headers

pytestmark = pytest.mark.unit


def test_are_japanese_headers_kept_exactly():
    """Are Japanese headers kept as written, not transliterated (xloader's 年度 -> "Nian Du")?"""
    names, notices = normalize_headers(["年度", "地区名", "人口（人）", "全国地方公共団体コード"])
    assert names == ["年度", "地区名", "人口（人）", "全国地方公共団体コード"]
    assert notices == []


def test_is_surrounding_whitespace_trimmed_silently():
    """Is padding around a header (including a full-width space) trimmed without a notice?"""
    names, notices = normalize_headers([" 年度　", "人口"])
    assert names == ["年度", "人口"]
    assert notices == []


def test_does_a_blank_header_get_a_positional_name():
    """Does a blank header become 「列N」 and is the trainee told?"""
    names, notices = normalize_headers(["年度", "", "人口"])
    assert names == ["年度", "列2", "人口"]
    assert notices == ["2 列目の見出しが空だったため「列2」としました。"]


def test_do_duplicate_headers_get_numbered():
    """Do repeated headers get _2, _3 suffixes (the DataStore refuses duplicates)?"""
    names, notices = normalize_headers(["人口", "人口", "人口"])
    assert names == ["人口", "人口_2", "人口_3"]
    assert len(notices) == 2


def test_does_a_renamed_duplicate_avoid_an_existing_name():
    """Is a generated suffix never equal to a header that already exists?"""
    names, _ = normalize_headers(["人口", "人口_2", "人口"])
    assert names == ["人口", "人口_2", "人口_3"]


def test_are_characters_the_datastore_rejects_replaced():
    """Are a leading underscore, a double quote and a line break replaced, with a notice?"""
    names, notices = normalize_headers(["_id", 'say "hi"', "人口\n(人)"])
    assert names == ["id", "say 'hi'", "人口 (人)"]
    assert len(notices) == 3


def test_is_a_long_japanese_header_cut_at_a_character_boundary():
    """Is a header over PostgreSQL's 63-byte limit shortened without splitting a kanji, uniquely?"""
    long_name = "令和二年国勢調査人口等基本集計結果による男女別人口総数"
    names, notices = normalize_headers([long_name, long_name])
    assert all(len(name.encode("utf-8")) <= MAX_IDENTIFIER_BYTES for name in names)
    assert names[0] == long_name[:21]
    assert names[1].endswith("_2") and names[1] != names[0]
    assert any("短縮" in notice for notice in notices)

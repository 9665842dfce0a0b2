"""The Solr query parser and the SQL compiler of the PostgreSQL search, without CKAN."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from ckanext.testbed.search import compiler, statements, syntax
from ckanext.testbed.search.datemath import parse_date
from ckanext.testbed.search.normalize import like_pattern, normalize_text
from ckanext.testbed.search.syntax import And, MatchAll, Not, Or, Range, Term, parse

pytestmark = pytest.mark.unit

CORE_FILTERS = ["+capacity:public +state:(active OR draft)", '+site_id:"default"', "+dataset_type:dataset"]


def plan(q=None, fq=(), sort=None, labels=None, **kwargs):
    return compiler.plan_search(q, list(fq), sort, labels, **kwargs)


# Parser


@pytest.mark.parametrize("text", [None, "", "  ", '""', "''", "*:*"])
def test_does_an_empty_query_match_everything(text):
    """Is an empty q (or Solr's *:*) a match-all, as core's default q is?"""
    assert parse(text) == MatchAll()


def test_are_japanese_words_and_by_default():
    """Do two words (also split by an ideographic space) become an AND of free-text terms?"""
    expected = And((Term(None, "防災"), Term(None, "避難所")))
    assert parse("防災 避難所") == expected
    assert parse("防災\u3000避難所") == expected


def test_are_phrases_and_negation_parsed():
    """Is a quoted phrase one term, and -word / NOT word a negation?"""
    assert parse('"避難 所" -地震') == And((Term(None, "避難 所", phrase=True), Not(Term(None, "地震"))))
    assert parse("一覧 NOT AED") == And((Term(None, "一覧"), Not(Term(None, "AED"))))


def test_are_the_filters_core_sends_understood():
    """Are +capacity:public and +state:(active OR draft) field terms with a field group?"""
    tree = parse("+capacity:public +state:(active OR draft)")
    assert tree == And((Term("capacity", "public"), Or((Term("state", "active"), Term("state", "draft")))))


def test_are_facet_clicks_with_quoted_values_field_terms():
    """Does owner_org:"<id>" tags:"防災" give two exact field terms?"""
    tree = parse(' owner_org:"abc-123" tags:"防災"')
    assert tree == And((Term("owner_org", "abc-123", phrase=True), Term("tags", "防災", phrase=True)))


def test_are_permission_label_lists_an_or():
    """Is +permission_labels:("public" OR "member-x") an OR of label terms?"""
    tree = parse('+permission_labels:("public" OR "member-x")')
    assert tree == Or(
        (Term("permission_labels", "public", phrase=True), Term("permission_labels", "member-x", phrase=True))
    )


def test_are_ranges_and_wildcards_parsed():
    """Are [a TO b], {a TO *}, field:* and trailing * understood?"""
    assert parse("metadata_modified:[NOW-7DAYS TO NOW]") == Range("metadata_modified", "NOW-7DAYS", "NOW")
    assert parse("num_resources:{1 TO *]") == Range("num_resources", "1", None, False, True)
    assert parse("extras_x:*") == Range("extras_x", None, None)
    assert parse("name:bench-*") == Term("name", "bench-*", wildcard=True)


def test_does_a_colon_in_japanese_text_stay_literal():
    """Is 時刻:10時 free text rather than a field named 時刻?"""
    assert parse("時刻:10時") == Term(None, "時刻:10時")


@pytest.mark.parametrize("text", ['"避難', "(防災 OR 医療", "防災)", "-", "+ +", "tags:", "a OR"])
def test_does_a_typo_never_raise(text):
    """Is the parser lenient like dismax, so a stray quote or bracket is not an error page?"""
    parse(text)


def test_are_local_params_refused():
    """Is a {!...} local-parameter query rejected instead of silently ignored?"""
    with pytest.raises(syntax.QuerySyntaxError):
        parse("{!child of=x}foo")


# Text folding


def test_does_folding_unify_widths_and_case():
    """Do ＡＥＤ, ｱｲｳ and mixed case fold to the same text as AED / アイウ?"""
    assert normalize_text("ＡＥＤ　設置") == "aed 設置"
    assert normalize_text("ｱｲｳ") == "アイウ"


def test_are_like_metacharacters_escaped():
    """Does a user's % or _ match literally, while a Solr * becomes a wildcard?"""
    assert like_pattern("100%_x") == "%100\\%\\_x%"
    assert like_pattern("abc*", wildcard=True, anchored=True) == "abc%"


# Compiler


def test_is_free_text_a_substring_match_on_folded_text():
    """Does q=避難 become search_text LIKE '%避難%' and add relevance for it?"""
    result = plan("避難")
    assert result.where == "i.search_text LIKE :p0"
    assert result.params["p0"] == "%避難%"
    assert ":p0" in result.score


def test_is_a_negated_term_excluded_and_not_scored():
    """Does -地震 become NOT (…LIKE…) and stay out of the relevance score?"""
    result = plan("防災 -地震")
    assert "NOT (i.search_text LIKE :p1)" in result.where
    assert ":p1" not in result.score


def test_do_core_filters_become_column_conditions():
    """Do capacity, state, site_id and dataset_type compare their columns with bound values?"""
    result = plan(None, CORE_FILTERS)
    assert "i.capacity = :p0" in result.where
    assert "(i.state = :p1 OR i.state = :p2)" in result.where
    assert "i.site_id = :p3" in result.where
    assert "i.dataset_type = :p4" in result.where
    assert [result.params[f"p{n}"] for n in range(5)] == ["public", "active", "draft", "default", "dataset"]


def test_are_multi_valued_fields_matched_by_membership():
    """Is tags:"防災" a membership test on the tags array, groups:x likewise?"""
    result = plan(None, ['tags:"防災" groups:kyoiku'])
    assert result.where == "(:p0 = ANY(i.tags) AND :p1 = ANY(i.groups))"


def test_are_other_fields_read_from_the_json_document():
    """Does vocab_area:"札幌" match the document's string or list value via containment?"""
    result = plan(None, ['vocab_area:"札幌"'])
    assert "i.doc @> CAST(:p0 AS jsonb)" in result.where
    assert json.loads(result.params["p0"]) == {"vocab_area": "札幌"}
    assert json.loads(result.params["p1"]) == {"vocab_area": ["札幌"]}


def test_are_extras_matched_as_text_like_solr_extras_fields():
    """Is extras_city:"札幌" (a Solr text field) a folded substring match on the document value?"""
    result = plan(None, ['extras_city:"ｻｯﾎﾟﾛ"'])
    assert "LIKE :p0" in result.where and result.params["p0"] == "%サッポロ%"
    assert result.params["p1"] == "extras_city"


def test_are_text_fields_matched_as_folded_substrings():
    """Is title:"設置" (a Solr text field) a folded substring match on the title?"""
    result = plan('title:"設置"')
    assert result.where == "lower(normalize(coalesce(i.title, ''), NFKC)) LIKE :p0"
    assert result.params["p0"] == "%設置%"


def test_does_autocomplete_query_compile():
    """Does core's autocomplete q (name_ngram/title_ngram/name/title OR) compile to one OR?"""
    result = plan('name_ngram:"ab" OR title_ngram:"ab" OR name:"ab" OR title:"ab"')
    assert result.where.startswith("(") and result.where.count(" OR ") == 3
    assert "i.name = " in result.where


def test_is_entity_type_always_package():
    """Is +entity_type:package (sent by group counts) true and any other entity type false?"""
    assert plan(None, ["+entity_type:package"]).where == "TRUE"
    assert plan(None, ["+entity_type:resource"]).where == "FALSE"


def test_are_permission_labels_an_array_overlap():
    """Are the caller's labels matched with && and None meaning no permission filter?"""
    assert "permission_labels" not in plan("x").where
    result = plan("x", labels=["public", "creator-u1", "public"])
    assert result.where.endswith("i.permission_labels && CAST(:p1 AS text[])")
    assert result.params["p1"] == ["creator-u1", "public"]


def test_is_a_date_range_bound_as_timestamps():
    """Does metadata_modified:[NOW-7DAYS TO *] compare the column with a computed datetime?"""
    now = dt.datetime(2026, 4, 10, 12, 0)
    result = plan(None, ["metadata_modified:[NOW-7DAYS TO *]"], now=now)
    assert result.where == "i.metadata_modified >= :p0"
    assert result.params["p0"] == dt.datetime(2026, 4, 3, 12, 0)


def test_does_a_bad_date_raise_a_query_error():
    """Is an unparsable date a QuerySyntaxError (shown as a query error), never a SQL error?"""
    with pytest.raises(syntax.QuerySyntaxError):
        plan(None, ["metadata_modified:[yesterday TO *]"])


def test_are_numeric_ranges_compared_as_numbers():
    """Does num_resources:[2 TO 10] compare numbers, guarded against non-numeric values?"""
    result = plan(None, ["num_resources:[2 TO 10]"])
    assert "CAST(s.v AS numeric)" in result.where
    assert 2.0 in result.params.values() and 10.0 in result.params.values()


def test_is_the_number_of_terms_limited():
    """Is a query with more terms than max_terms rejected?"""
    with pytest.raises(syntax.QuerySyntaxError):
        plan(" ".join(f"w{n}" for n in range(10)), max_terms=5)


# Sorting


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("metadata_modified desc", [("i.metadata_modified", "DESC")]),
        ("metadata_created desc", [("i.metadata_created", "DESC")]),
        ("title_string asc", [('i.title_string COLLATE "C"', "ASC")]),
        ("name asc", [('i.name COLLATE "C"', "ASC")]),
    ],
)
def test_do_core_sorts_map_to_columns(sort, expected):
    """Do the sorts of CKAN's sort menu order by their columns in byte order, newest first on ties?"""
    keys = plan(sort=sort).sort_keys
    assert keys[: len(expected)] == expected
    assert keys[-1] == ("i.metadata_modified", "DESC")


def test_is_relevance_first_only_when_there_is_free_text():
    """Does 'score desc, metadata_modified desc' rank by relevance, falling back to recency?"""
    assert plan(sort=compiler.DEFAULT_SORT).sort_keys == [("i.metadata_modified", "DESC")]
    keys = plan("防災", sort=compiler.DEFAULT_SORT).sort_keys
    assert keys[0][0].startswith("((CASE WHEN i.search_head LIKE :p0")
    assert keys[1] == compiler.LENGTH_NORM  # equal relevance: the shorter name and title first
    assert keys[2] == ("i.metadata_modified", "DESC")
    assert plan("防災").order_by.endswith("i.metadata_modified DESC NULLS LAST, i.id")


def test_do_view_sorts_use_the_indexed_page_views():
    """Do view_recent desc (the home page's spelling) and views_total sort by the view columns?"""
    assert plan(sort="view_recent desc").sort_keys[0] == ("i.views_recent", "DESC")
    assert plan(sort="views_recent desc").sort_keys[0] == ("i.views_recent", "DESC")
    assert plan(sort="views_total desc").sort_keys[0] == ("i.views_total", "DESC")


def test_are_view_counts_filtered_as_numbers():
    """Does views_total:[10 TO *] compare numbers and views_total:3 compare the value as text?"""
    assert "CAST(s.v AS numeric)" in plan(None, ["views_total:[10 TO *]"]).where
    assert plan(None, ["views_total:3"]).where == "CAST(i.views_total AS text) = :p0"


@pytest.mark.parametrize("sort", ["title_string", "name sideways", "name asc; DROP TABLE x", "a b c"])
def test_is_an_invalid_sort_a_query_error(sort):
    """Does a malformed sort raise like Solr's 'Invalid sort parameter'?"""
    with pytest.raises(syntax.QuerySyntaxError):
        plan(sort=sort)


def test_is_an_unknown_sort_field_read_from_the_document():
    """Does sorting by an extra (extras_rank asc) use the document value as a bound key?"""
    result = plan(sort="extras_rank asc")
    assert result.sort_keys[0] == ('(i.doc ->> :p0) COLLATE "C"', "ASC")
    assert result.params["p0"] == "extras_rank"


# Date math


def test_does_date_math_follow_solr():
    """Do NOW-1MONTH/DAY and ISO dates give the expected naive UTC datetimes?"""
    now = dt.datetime(2026, 3, 31, 15, 30)
    assert parse_date("NOW-1MONTH/DAY", now) == dt.datetime(2026, 2, 28)
    assert parse_date("NOW+2HOURS", now) == dt.datetime(2026, 3, 31, 17, 30)
    assert parse_date("2026-04-01T09:00:00Z") == dt.datetime(2026, 4, 1, 9, 0)
    assert parse_date("2026-04-01T09:00:00+09:00") == dt.datetime(2026, 4, 1, 0, 0)
    with pytest.raises(syntax.QuerySyntaxError):
        parse_date("NOW-3FORTNIGHTS", now)


# Statements


def test_does_one_statement_answer_count_page_and_facets():
    """Does the search statement filter once and carry count, page and facet branches?"""
    sql, params = statements.search_sql(
        plan("防災", CORE_FILTERS), ["validated_data_dict"], 20, 40, ["tags", "organization"]
    )
    assert sql.count("WHERE") >= 2 and sql.count(plan("防災", CORE_FILTERS).where) == 1
    assert "'c' AS kind" in sql and "'r'" in sql and "unnest(m.facet_keys)" in sql
    assert "i.validated_data_dict" in sql
    assert params["_limit"] == 20 and params["_offset"] == 40


def test_does_a_facet_outside_the_prejoined_keys_read_the_document():
    """Does facet.field=vocab_x add a branch reading the jsonb document with a bound key?"""
    sql, params = statements.search_sql(plan(None), [], 0, 0, ["vocab_x"])
    assert "jsonb_array_elements_text" in sql
    assert "vocab_x" in params.values()
    assert "'r'" not in sql

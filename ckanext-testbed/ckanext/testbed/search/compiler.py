"""Turn parsed Solr queries, filters and sorts into SQL fragments with bind parameters.

The output is a :class:`SearchPlan`: a WHERE clause, a relevance expression and the
sort keys over the ``testbed_search_index`` table (alias ``i``). Every value a
user typed travels as a ``:pN`` bind parameter; only field names from
:mod:`fields` and fixed SQL are spliced into the text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import fields, syntax
from .datemath import parse_date
from .normalize import like_pattern, normalize_text

DEFAULT_SORT = "score desc, metadata_modified desc"
SORT_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
# Relevance weights, after CKAN's Solr ``qf``: name^4 title^4 tags^2 groups^2 (text^1 is
# left out: every match contains its terms somewhere, so it would rarely change the order).
HEAD_WEIGHT, TAGS_WEIGHT = 4, 2
RECENCY = (f"{fields.ALIAS}.metadata_modified", "DESC")
# Equal relevance: the shorter name+title first, as Solr's length norm would rank 「AED設置箇所一覧」 above
# 「AED設置場所一覧（危機管理課提出時の形式）」 for q=AED.
LENGTH_NORM = (f"length({fields.ALIAS}.search_head)", "ASC")


@dataclass
class Params:
    """Collects bind parameters and hands out their ``:pN`` placeholders."""

    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"


@dataclass
class SearchPlan:
    """A compiled search: WHERE clause, relevance, sort keys and their parameters.

    ``sort_keys`` are (SQL expression, ``ASC``/``DESC``) pairs; constant keys (relevance
    without free text) are left out.
    """

    where: str
    score: str
    sort_keys: list[tuple[str, str]]
    params: dict[str, Any]

    @property
    def order_by(self) -> str:
        """ORDER BY list over the table alias, ending with the id for stable paging."""
        parts = [f"{expr} {direction} NULLS LAST" for expr, direction in self.sort_keys]
        return ", ".join(parts + [f"{fields.ALIAS}.id"])


def _count_leaves(node: syntax.Node) -> int:
    if isinstance(node, (syntax.And, syntax.Or)):
        return sum(_count_leaves(child) for child in node.nodes)
    if isinstance(node, syntax.Not):
        return _count_leaves(node.node)
    return 1


class _WhereCompiler:
    """Walks a query tree and emits SQL; remembers positive free-text patterns for scoring."""

    def __init__(self, params: Params, now: dt.datetime | None):
        self.params = params
        self.now = now
        self.score_patterns: list[str] = []

    def compile(self, node: syntax.Node, scoring: bool = True, negated: bool = False) -> str:
        if isinstance(node, syntax.MatchAll):
            return "TRUE"
        if isinstance(node, syntax.Not):
            return f"NOT ({self.compile(node.node, scoring, not negated)})"
        if isinstance(node, (syntax.And, syntax.Or)):
            joiner = " AND " if isinstance(node, syntax.And) else " OR "
            return "(" + joiner.join(self.compile(child, scoring, negated) for child in node.nodes) + ")"
        if isinstance(node, syntax.Range):
            return self.range(node)
        return self.term(node, scoring and not negated)

    def free_text(self, value: str, wildcard: bool, scoring: bool) -> str:
        folded = normalize_text(value)
        if not folded:
            return "TRUE"
        pattern = self.params.add(like_pattern(folded, wildcard))
        if scoring:
            self.score_patterns.append(pattern)
        return f"{fields.ALIAS}.search_text LIKE {pattern}"

    def term(self, node: syntax.Term, scoring: bool) -> str:
        name = node.field
        if name is None or name in fields.FREE_TEXT_FIELDS:
            return self.free_text(node.value, node.wildcard, scoring)
        if fields.is_always_package(name):
            return "TRUE" if node.value == "package" else "FALSE"
        if name in fields.NGRAM_FIELDS:
            name = fields.NGRAM_FIELDS[name]
            info = fields.Field(name, "text")
        else:
            info = fields.lookup(name)
        if info.kind == "text":
            folded = normalize_text(node.value)
            pattern = self.params.add(like_pattern(folded, node.wildcard))
            key = "" if info.name in fields.COLUMN_TEXT_FIELDS else self.params.add(info.name)
            return f"{fields.text_expr(info.name, key)} LIKE {pattern}"
        if info.kind == "timestamp":
            return f"{info.column} = {self.params.add(parse_date(node.value, self.now))}"
        if node.wildcard:
            pattern = self.params.add(like_pattern(node.value, wildcard=True, anchored=True))
            return f"EXISTS (SELECT 1 FROM ({self.values_sql(info)}) AS s(v) WHERE s.v LIKE {pattern})"
        if info.kind == "string":
            return f"{info.column} = {self.params.add(node.value)}"
        if info.kind == "number":
            return f"CAST({info.column} AS text) = {self.params.add(node.value)}"
        if info.kind == "array":
            return f"{self.params.add(node.value)} = ANY({info.column})"
        scalar = self.params.add(json.dumps({info.name: node.value}))
        listed = self.params.add(json.dumps({info.name: [node.value]}))
        alias = fields.ALIAS
        return f"({alias}.doc @> CAST({scalar} AS jsonb) OR {alias}.doc @> CAST({listed} AS jsonb))"

    def values_sql(self, info: fields.Field) -> str:
        """SQL selecting each value of a field of the current document as a row."""
        if info.kind == "array":
            return f"SELECT unnest({info.column})"
        if info.kind in ("string", "timestamp", "number"):
            return f"SELECT CAST({info.column} AS text)"
        return f"SELECT jsonb_array_elements_text({fields.doc_values_json(self.params.add(info.name))})"

    def range(self, node: syntax.Range) -> str:
        if node.field in (None, "*"):
            return "TRUE"
        name = fields.NGRAM_FIELDS.get(node.field, node.field)
        info = fields.lookup(name)
        if node.low is None and node.high is None:
            return self.exists(info)
        if info.kind == "timestamp":
            return self.bounds(info.column, node, lambda v: parse_date(v, self.now))
        if name.endswith("_date"):
            convert = lambda v: parse_date(v, self.now).isoformat()  # noqa: E731
            return f"EXISTS (SELECT 1 FROM ({self.values_sql(info)}) AS s(v) WHERE {self.bounds('s.v', node, convert)})"
        if all(bound is None or NUMBER.match(bound) for bound in (node.low, node.high)):
            regex = self.params.add(NUMBER.pattern)
            number = f"(CASE WHEN s.v ~ {regex} THEN CAST(s.v AS numeric) END)"
            condition = self.bounds(number, node, float)
        else:
            condition = self.bounds('s.v COLLATE "C"', node, str)
        return f"EXISTS (SELECT 1 FROM ({self.values_sql(info)}) AS s(v) WHERE {condition})"

    def exists(self, info: fields.Field) -> str:
        if info.kind == "array":
            return f"cardinality({info.column}) > 0"
        if info.kind in ("string", "timestamp", "number"):
            return f"{info.column} IS NOT NULL"
        return f"({fields.ALIAS}.doc -> {self.params.add(info.name)}) IS NOT NULL"

    def bounds(self, expr: str, node: syntax.Range, convert: Any) -> str:
        parts = []
        if node.low is not None:
            parts.append(f"{expr} {'>=' if node.include_low else '>'} {self.params.add(convert(node.low))}")
        if node.high is not None:
            parts.append(f"{expr} {'<=' if node.include_high else '<'} {self.params.add(convert(node.high))}")
        return " AND ".join(parts)


def score_sql(patterns: Iterable[str]) -> str:
    """Relevance: weighted count of free-text terms found in the name/title and tags/groups."""
    alias = fields.ALIAS
    parts = [
        f"(CASE WHEN {alias}.search_head LIKE {p} THEN {HEAD_WEIGHT} ELSE 0 END"
        f" + CASE WHEN {alias}.search_tags LIKE {p} THEN {TAGS_WEIGHT} ELSE 0 END)"
        for p in patterns
    ]
    return " + ".join(parts) if parts else "0"


def parse_sort(sort: str | None) -> list[tuple[str, str]]:
    """Split ``"field dir, field dir"``; raise QuerySyntaxError like Solr does for bad input."""
    items = []
    for part in (sort or DEFAULT_SORT).split(","):
        words = part.split()
        if not words:
            continue
        if len(words) != 2 or words[1].lower() not in ("asc", "desc") or not SORT_FIELD.match(words[0]):
            raise syntax.QuerySyntaxError('Invalid "sort" parameter')
        items.append((words[0], words[1].lower()))
    return items or parse_sort(DEFAULT_SORT)


def _sort_expr(name: str, params: Params, score: str) -> str | None:
    """SQL to order by for one sort field; None when it is constant (nothing to order)."""
    alias = fields.ALIAS
    if name == "score":
        return None if score == "0" else f"({score})"
    info = fields.lookup(name)
    if info.kind in ("timestamp", "number"):
        return info.column
    if info.kind == "string":
        return f'{info.column} COLLATE "C"'
    if name == "title":
        return f'{alias}.title COLLATE "C"'
    return f'({alias}.doc ->> {params.add(name)}) COLLATE "C"'


def compile_sort(sort: str | None, params: Params, score: str = "0") -> list[tuple[str, str]]:
    """Sort keys (SQL, direction) for a Solr sort string; ties go to the newest dataset."""
    keys = []
    for name, direction in parse_sort(sort):
        expr = _sort_expr(name, params, score)
        if expr is not None:
            keys.append((expr, direction.upper()))
            if name == "score":
                keys.append(LENGTH_NORM)
    if not any(expr == RECENCY[0] for expr, _ in keys):
        keys.append(RECENCY)
    return keys


def plan_search(
    q: str | None,
    fq: Iterable[str] = (),
    sort: str | None = None,
    permission_labels: Iterable[str] | None = None,
    max_terms: int = 64,
    now: dt.datetime | None = None,
) -> SearchPlan:
    """Compile ``q``, the ``fq`` strings, the permission labels and the sort into a plan.

    ``permission_labels=None`` means no permission filter (sysadmin / ignore_auth);
    an empty list matches nothing, as in CKAN.
    """
    params = Params()
    compiler = _WhereCompiler(params, now)
    query_tree = syntax.parse(q)
    filter_tree = syntax.parse_all(list(fq))
    if _count_leaves(query_tree) + _count_leaves(filter_tree) > max_terms:
        raise syntax.QuerySyntaxError(f"too many search terms (at most {max_terms})")
    clauses = [compiler.compile(query_tree), compiler.compile(filter_tree, scoring=False)]
    if permission_labels is not None:
        labels = params.add(sorted(set(permission_labels)))
        clauses.append(f"{fields.ALIAS}.permission_labels && CAST({labels} AS text[])")
    where = " AND ".join(clause for clause in clauses if clause != "TRUE") or "TRUE"
    score = score_sql(compiler.score_patterns)
    return SearchPlan(
        where=where,
        score=score,
        sort_keys=compile_sort(sort, params, score),
        params=params.values,
    )

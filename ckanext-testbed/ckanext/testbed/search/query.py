"""Dataset search served from the PostgreSQL table instead of Solr.

:class:`PostgresPackageQuery` keeps the contract of CKAN's ``PackageSearchQuery``:
``run()`` takes the Solr-style parameters package_search / package_autocomplete /
model_dictize send and fills ``count``, ``results`` (dicts carrying the requested ``fl``
fields, ``validated_data_dict`` as a JSON string) and ``facets`` ({field: {value: n}}).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.common import asbool, config
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.lib.search.query import VALID_SOLR_PARAMETERS, PackageSearchQuery, solr_literal
from sqlalchemy.exc import DBAPIError

from . import compiler, statements
from .cache import ResultCache
from .index import site_id
from .syntax import QuerySyntaxError

log = logging.getLogger(__name__)
_FL_SPLIT = re.compile(r"[\s,]+")
UNDEFINED_TABLE = "42P01"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return parsed if isinstance(parsed, list) else [value]
    return list(value)


def _execute(sql: str, params: dict[str, Any]) -> Any:
    try:
        return model.Session.execute(sa.text(sql), params)
    except DBAPIError as exc:
        log.exception("Search SQL failed")
        if getattr(exc.orig, "pgcode", None) == UNDEFINED_TABLE:
            raise SearchError(
                "The search table is missing: restart CKAN with the testbed plugin (it creates the table) "
                "and run `ckan search-index rebuild`"
            ) from exc
        raise SearchError(f"Search failed: {exc.orig}") from exc


RESULTS = ResultCache()


def _search_rows(sql: str, params: dict[str, Any]) -> list[Any]:
    """The rows of one search statement, from ``RESULTS`` when the index has not changed since."""
    token = str(_execute(statements.GENERATION_TOKEN, {}).scalar())
    key = ResultCache.key(token, sql, params)
    rows = RESULTS.get(key)
    if rows is None:
        rows = list(_execute(sql, params))
        RESULTS.put(key, rows)
    return rows


def _result(row: Any, wanted: list[str]) -> dict[str, Any]:
    """Build one result like Solr's stored fields, extras gathered under ``extras``."""
    mapping = row._mapping
    doc = mapping.get("doc") or {}
    result: dict[str, Any] = {}
    for name in wanted:
        if name == "*":
            result.update(doc)
            result.update({key: mapping[key] for key in ("data_dict", "validated_data_dict")})
        elif name == "score":
            result["score"] = float(mapping["score"])
        elif name in statements.STORED_COLUMNS:
            result[name] = mapping[name]
        elif name in doc:
            result[name] = doc[name]
    extras = {key[len("extras_") :]: result.pop(key) for key in list(result) if key.startswith("extras_")}
    if extras:
        result["extras"] = extras
    return result


class PostgresPackageQuery(PackageSearchQuery):
    """``PackageSearchQuery`` answered with SQL over ``testbed_search_index``."""

    facets: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.facets = {}

    def get_all_entity_ids(self, max_results: int = 1000) -> list[str]:
        rows = _execute(statements.ALL_IDS, {"site_id": site_id(), "limit": max_results})
        return [row[0] for row in rows]

    def get_index(self, reference: str) -> dict[str, Any]:
        """The stored document of one dataset (package_show's cache, ``search-index show``)."""
        row = _execute(statements.SHOW, {"site_id": site_id(), "ref": reference}).first()
        if row is None:
            raise SearchError(f"Dataset not found in the search index: {reference}")
        return dict(row.doc, data_dict=row.data_dict, validated_data_dict=row.validated_data_dict)

    def _filters(self, query: dict[str, Any]) -> list[str]:
        """The ``fq`` list exactly as CKAN core assembles it before asking Solr."""
        fq = [query["fq"]] if query.get("fq") else []
        fq.extend(_as_list(query.get("fq_list")))
        fq.append(f"+site_id:{solr_literal(site_id())}")
        if not any("+state:" in item for item in fq):
            fq.append("+state:active")
        return fq

    def run(self, query: dict[str, Any], permission_labels: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        """Run a dataset search; ``permission_labels=None`` means no permission filter."""
        unknown = set(query.keys()) - VALID_SOLR_PARAMETERS
        if unknown:
            raise SearchQueryError(f"Invalid search parameters: {sorted(unknown)}")
        rows = int(query.get("rows", 10) or 0)
        start = int(query.get("start", 0) or 0)
        sort = query.get("sort")
        try:
            plan = compiler.plan_search(
                query.get("q"),
                self._filters(query),
                sort,
                permission_labels,
                max_terms=config.get("ckanext.testbed.search.max_terms"),
            )
        except QuerySyntaxError as exc:
            raise SearchQueryError(str(exc)) from exc

        fl = query.get("fl", "name")
        wanted = [name for name in _FL_SPLIT.split(fl if isinstance(fl, str) else " ".join(fl)) if name]
        facet_fields = _as_list(query.get("facet.field")) if asbool(query.get("facet", "true")) else []

        self.count, self.facets, self.results = 0, {}, []
        self._execute_plan(plan, wanted, rows, start, facet_fields, query)
        if query.get("fl") in ("id", "name"):
            self.results = [result.get(query["fl"]) for result in self.results]
        return {"results": self.results, "count": self.count}

    def _execute_plan(
        self, plan: Any, wanted: list[str], rows: int, start: int, facet_fields: list[str], query: dict[str, Any]
    ) -> None:
        """Run the single search statement; fill ``count``, ``results`` and ``facets``."""
        payload = [name for name in ("data_dict", "validated_data_dict") if name in wanted or "*" in wanted]
        if any(name not in statements.STORED_COLUMNS + ("score",) for name in wanted):
            payload.append("doc")
        sql, params = statements.search_sql(plan, payload, rows, start, facet_fields)
        page: list[Any] = []
        counts: dict[str, list[tuple[str, int]]] = {name: [] for name in facet_fields}
        mincount = int(query.get("facet.mincount", 1))
        for row in _search_rows(sql, params):
            if row.kind == "c":
                self.count = int(row.n)
            elif row.kind == "r":
                page.append(row)
            elif row.f in counts and row.n >= mincount and row.v:
                counts[row.f].append((row.v, int(row.n)))
        page.sort(key=lambda row: row.n)
        self.results = [_result(row, wanted) for row in page]
        limit = int(query.get("facet.limit", config.get("search.facets.limit")))
        for name, items in counts.items():
            items.sort(key=lambda item: (-item[1], item[0].encode("utf-8")))
            self.facets[name] = dict(items if limit < 0 else items[:limit])

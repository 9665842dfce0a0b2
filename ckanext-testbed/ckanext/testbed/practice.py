"""Trainees' practice publishing, kept out of the city's catalogue unless someone asks for it.

A trainee publishes into their own sandbox organisation, named ``<prefix><user>`` (option
``ckanext.testbed.practice.org_prefix``, default ``sandbox-``: the project's ``sandbox_org_name``). Those
organisations and their datasets are *practice*; everything else is the city's *official* data. The search
index knows the difference as the virtual field ``testbed_kind`` (``search/fields.py``).

- Dataset search (the /dataset page, group pages, the home page, API ``package_search``) leaves practice
  datasets out, unless the search asks for them: ``ext_practice=include`` (both, the city's first) or
  ``ext_practice=only``; or it filters on the organisation, owner, creator, ``testbed_kind``, or names a
  dataset (a sandbox's own page, a user's page, a trainee's ``fq=owner_org:...``). When practice datasets
  may appear beside official ones in relevance order, the official ones come first.
- ``organization_list`` (the /organization page, the API) leaves sandboxes out unless asked:
  ``include_practice=true``, or a ``q`` that names them (``sandbox``, ``サンドボックス``).

Everything here is pure (no CKAN import) so the rules are unit-tested without a catalogue.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .search import fields, syntax

PARAM = "ext_practice"  # dataset search: how to treat practice datasets
INCLUDE, ONLY = "include", "only"
ORG_PARAM = "include_practice"  # organization_list: list sandboxes too
# Filtering on one of these fields is a search on purpose: practice datasets are not hidden from it.
EXPLICIT_FIELDS = frozenset(
    {"owner_org", "organization", "creator_user_id", fields.KIND_FIELD, "id", "name", "index_id"}
)
HIDE_FILTER = f"-{fields.KIND_FIELD}:{fields.PRACTICE}"
ONLY_FILTER = f"+{fields.KIND_FIELD}:{fields.PRACTICE}"
OFFICIAL_FIRST = f"{fields.KIND_FIELD} asc"  # "official" sorts before "practice"
ORG_WORDS = ("サンドボックス",)  # besides the prefix's own word


def is_practice_org(name: str | None, prefix: str | None = None) -> bool:
    """Is this organisation name a trainee's sandbox?"""
    return bool(name) and str(name).startswith(prefix or fields.practice_prefix())


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return [str(item) for item in parsed] if isinstance(parsed, list) else [value]
    return [str(item) for item in value]


def _fields_of(node: syntax.Node) -> set[str]:
    if isinstance(node, (syntax.And, syntax.Or)):
        return set().union(*(_fields_of(child) for child in node.nodes))
    if isinstance(node, syntax.Not):
        return _fields_of(node.node)
    return {node.field} if getattr(node, "field", None) else set()


def named_fields(texts: Iterable[str | None]) -> set[str]:
    """Every field a Solr query or filter names; raises ``QuerySyntaxError`` on bad syntax."""
    named: set[str] = set()
    for text in texts:
        if text and str(text).strip():
            named |= _fields_of(syntax.parse(str(text)))
    return named


def _is_relevance(sort: str | None) -> bool:
    return not sort or sort.strip() == "rank" or sort.strip().startswith("score ")


def scope_search(params: dict[str, Any], default_sort: str) -> dict[str, Any]:
    """``before_dataset_search``: hide practice datasets unless asked for; put official ones first."""
    extras = params.get("extras") or {}
    mode = str(extras.get(PARAM) or "").strip().lower()
    fq_list = _as_list(params.get("fq_list"))
    try:
        named = named_fields([params.get("q"), params.get("fq"), *fq_list])
    except syntax.QuerySyntaxError:
        named = set()  # fail closed: hide; the search itself then reports the error
    if mode == ONLY:
        params["fq_list"] = [*fq_list, ONLY_FILTER]
        return params
    if mode != INCLUDE and not named & EXPLICIT_FIELDS:
        # its own fq_list item: a user's fq (an unclosed quote, a top-level OR) cannot swallow it
        params["fq_list"] = [*fq_list, HIDE_FILTER]
        return params
    sort = params.get("sort")
    if _is_relevance(sort):
        base = default_sort if not sort or sort.strip() == "rank" else sort
        params["sort"] = f"{OFFICIAL_FIRST}, {base}"
    return params


def org_list_wanted(params: dict[str, Any], prefix: str | None = None) -> bool:
    """Does this ``organization_list`` call ask for trainees' sandboxes too?"""
    flag = str(params.get(ORG_PARAM) or "").strip().lower()
    if flag in ("true", "1", "yes", "on"):
        return True
    q = str(params.get("q") or "").strip().lower()
    word = (prefix or fields.practice_prefix()).strip("-_").lower()
    return bool(q) and (bool(word) and word in q or any(w in q for w in ORG_WORDS))

"""Turn the index document CKAN builds for Solr into a row of ``testbed_search_index``.

CKAN core (``PackageSearchIndex.index_package``) still flattens the dataset, runs the
``before_dataset_index`` plugins and adds permission labels; this module takes the
finished document and derives the columns: filter/facet/sort fields, folded text for
substring search, and the two JSON strings package_search serves back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from .normalize import normalize_text

# Fields whose text is searchable without a field name (Solr's copyField to "text").
TEXT_SOURCES = (
    "name",
    "title",
    "notes",
    "license",
    "tags",
    "groups",
    "organization",
    "res_name",
    "res_description",
    "maintainer",
    "author",
    "url",
    "res_url",
    "text",
)
TEXT_PREFIXES = ("extras_", "res_extras_", "vocab_")
# Facets kept pre-joined in the ``facet_keys`` column ("field<US>value"), so one unnest
# counts all of them; the empty key marks the document itself (the match count).
FACET_KEY_FIELDS = ("organization", "owner_org", "groups", "tags", "res_format", "license_id")
FACET_SEPARATOR = "\x1f"
COUNT_KEY = ""
ROW_COLUMNS = (
    "id",
    "name",
    "title",
    "title_string",
    "state",
    "capacity",
    "dataset_type",
    "site_id",
    "owner_org",
    "organization",
    "creator_user_id",
    "license_id",
    "tags",
    "groups",
    "res_format",
    "permission_labels",
    "facet_keys",
    "views_recent",
    "views_total",
    "metadata_created",
    "metadata_modified",
    "search_head",
    "search_tags",
    "search_text",
    "doc",
    "data_dict",
    "validated_data_dict",
)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def stringify(doc: dict[str, Any]) -> dict[str, Any]:
    """Store every value as Solr would expose it: a string or a list of strings."""
    result: dict[str, Any] = {}
    for key, value in doc.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set)):
            result[key] = [_as_text(item) for item in value if item is not None]
        else:
            result[key] = _as_text(value)
    return result


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [_as_text(item) for item in value if item not in (None, "")]
    return [_as_text(value)] if value != "" else []


def _as_int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def parse_timestamp(value: Any) -> dt.datetime | None:
    """Parse CKAN's index timestamps (ISO 8601 with a trailing ``Z``) to naive UTC."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(str(value).rstrip("Z"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _display_titles(data_dict: dict[str, Any]) -> list[str]:
    """Organisation and group titles: trainees search by 総務課, not by its URL name."""
    titles = [(data_dict.get("organization") or {}).get("title") or ""]
    titles.extend(group.get("title") or "" for group in data_dict.get("groups") or [])
    return [title for title in titles if title]


def search_text(doc: dict[str, Any], data_dict: dict[str, Any]) -> str:
    """Folded text of everything Solr would have copied into its catch-all ``text`` field."""
    pieces: list[str] = []
    for key, value in doc.items():
        if key in TEXT_SOURCES or key.startswith(TEXT_PREFIXES):
            pieces.extend(_values(value))
    pieces.extend(_display_titles(data_dict))
    return normalize_text("\n".join(pieces))


def facet_keys(doc: dict[str, Any]) -> list[str]:
    """``field<US>value`` for each distinct value of the pre-counted facet fields."""
    keys = [COUNT_KEY]
    for field in FACET_KEY_FIELDS:
        keys.extend(f"{field}{FACET_SEPARATOR}{value}" for value in _unique(_values(doc.get(field))))
    return keys


def build_row(doc: dict[str, Any]) -> dict[str, Any]:
    """Column values for one dataset, from the document CKAN core built for Solr."""
    doc = dict(doc)
    data_json = doc.pop("data_dict", None) or "{}"
    validated_json = doc.pop("validated_data_dict", None) or data_json
    data_dict = json.loads(data_json)
    head = [doc.get("name") or "", doc.get("title") or ""]
    tags = _unique(_values(doc.get("tags")))
    groups = _unique(_values(doc.get("groups")))
    group_words = groups + [group.get("title") or "" for group in data_dict.get("groups") or []]
    return {
        "id": doc["id"],
        "name": doc.get("name") or doc["id"],
        "title": doc.get("title"),
        "title_string": doc.get("title_string") or doc.get("title"),
        "state": doc.get("state"),
        "capacity": doc.get("capacity"),
        "dataset_type": doc.get("dataset_type") or doc.get("type"),
        "site_id": doc.get("site_id"),
        "owner_org": doc.get("owner_org"),
        "organization": doc.get("organization"),
        "creator_user_id": doc.get("creator_user_id"),
        "license_id": doc.get("license_id"),
        "tags": tags,
        "groups": groups,
        "res_format": _unique(_values(doc.get("res_format"))),
        "permission_labels": _unique(_values(doc.get("permission_labels"))),
        "facet_keys": facet_keys(doc),
        "views_recent": _as_int(doc.get("views_recent")),
        "views_total": _as_int(doc.get("views_total")),
        "metadata_created": parse_timestamp(doc.get("metadata_created")),
        "metadata_modified": parse_timestamp(doc.get("metadata_modified")),
        "search_head": normalize_text("\n".join(head)),
        "search_tags": normalize_text("\n".join(tags + group_words)),
        "search_text": search_text(doc, data_dict),
        "doc": json.dumps(stringify(doc), ensure_ascii=False),
        "data_dict": data_json,
        "validated_data_dict": validated_json,
    }

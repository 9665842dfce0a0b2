"""Which SQL expression answers each Solr field of CKAN's index.

Fields CKAN filters, facets or sorts on all the time have their own column in the
``testbed_search_index`` table; every other field of the index document (``extras_*``,
``vocab_*``, ``res_url`` …) is read from the ``doc`` jsonb column, where each value is
stored as a string or a list of strings, as Solr would have it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TABLE = "testbed_search_index"
ALIAS = "i"


@dataclass(frozen=True)
class Field:
    """How one Solr field is matched.

    ``kind`` is ``string`` (exact, case-sensitive), ``array`` (list of exact strings),
    ``text`` (folded substring), ``timestamp`` (date column), ``number`` (integer
    column) or ``doc`` (any other key
    of the jsonb document). ``column`` is the SQL for column-backed kinds.
    """

    name: str
    kind: str
    column: str | None = None


_STRING_COLUMNS = (
    "id",
    "name",
    "state",
    "site_id",
    "capacity",
    "dataset_type",
    "owner_org",
    "organization",
    "creator_user_id",
    "license_id",
    "title_string",
)
_ARRAY_COLUMNS = ("tags", "groups", "res_format", "permission_labels")
_TIMESTAMP_COLUMNS = ("metadata_created", "metadata_modified")
# Page views, put into the index document by CKAN's tracking plugin (0 without it).
_NUMBER_COLUMNS = ("views_recent", "views_total")

# Solr "text" fields of CKAN's schema: matched as folded substrings.
_TEXT_FIELDS = (
    "title",
    "notes",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "res_name",
    "res_description",
    "license",
    "urls",
)
_TEXT_PREFIXES = ("extras_", "res_extras_")

# Aliases: Solr copy fields that CKAN queries by name.
FREE_TEXT_FIELDS = ("text",)
COLUMN_TEXT_FIELDS = ("title", "name")
NGRAM_FIELDS = {"title_ngram": "title", "name_ngram": "name"}
# view_recent: the spelling CKAN's home page sorts by (Solr ignored the unknown field).
_ALIASES = {"type": "dataset_type", "entity_type": None, "index_id": "id", "view_recent": "views_recent"}

# Virtual field: ``practice`` for a dataset of a trainee's sandbox organisation (its name starts with
# PRACTICE_PREFIX), ``official`` for the rest. Worked out from the organisation column at search time, so
# no re-index is needed and a filter or sort on it never reads the stored JSON (see ../practice.py).
KIND_FIELD = "testbed_kind"
OFFICIAL, PRACTICE = "official", "practice"
_PREFIX_RE = re.compile(r"^[a-z0-9_-]+$")
_practice_prefix = "sandbox-"


def set_practice_prefix(prefix: str) -> None:
    """Name prefix of trainees' sandbox organisations (``ckanext.testbed.practice.org_prefix``)."""
    global _practice_prefix
    if not _PREFIX_RE.match(prefix):
        raise ValueError(f"not an organisation name prefix: {prefix!r}")
    _practice_prefix = prefix


def practice_prefix() -> str:
    """The sandbox organisations' name prefix in force."""
    return _practice_prefix


def _kind_sql() -> str:
    # the prefix is spliced only after _PREFIX_RE (CKAN name characters, no quote); starts_with has no wildcards
    return (
        f"(CASE WHEN starts_with(coalesce({ALIAS}.organization, ''), '{_practice_prefix}') "
        f"THEN '{PRACTICE}' ELSE '{OFFICIAL}' END)"
    )


def lookup(name: str) -> Field:
    """Return the matching rule for a Solr field name."""
    name = _ALIASES.get(name, name) or name
    if name == KIND_FIELD:
        return Field(name, "string", _kind_sql())
    if name in _STRING_COLUMNS:
        return Field(name, "string", f"{ALIAS}.{name}")
    if name in _ARRAY_COLUMNS:
        return Field(name, "array", f"{ALIAS}.{name}")
    if name in _TIMESTAMP_COLUMNS:
        return Field(name, "timestamp", f"{ALIAS}.{name}")
    if name in _NUMBER_COLUMNS:
        return Field(name, "number", f"{ALIAS}.{name}")
    if name in _TEXT_FIELDS or name.startswith(_TEXT_PREFIXES):
        return Field(name, "text")
    return Field(name, "doc")


def is_always_package(name: str) -> bool:
    """``entity_type`` is always ``package`` here: there is nothing else in the table."""
    return name == "entity_type"


def facet_sql(name: str, field_param: str, source: str) -> str:
    """``(f, v, n)`` rows for one facet: ``n`` documents of ``source`` have value ``v``.

    Counts documents, not occurrences; empty values are left out like Solr's facets of
    CKAN's string fields would show nothing useful for them.
    """
    field = lookup(name)
    head = f"SELECT CAST({field_param} AS text) AS f, x.v AS v, count(*) AS n FROM {source} AS {ALIAS}"
    if field.kind == "array":
        values = f"unnest({field.column}) AS x(v)"
    elif field.kind in ("string", "timestamp", "number"):
        values = f"(SELECT CAST({field.column} AS text)) AS x(v)"
    else:
        values = f"(SELECT DISTINCT jsonb_array_elements_text({doc_values_json(field_param)})) AS x(v)"
    return f"{head} CROSS JOIN LATERAL {values} WHERE x.v <> '' GROUP BY x.v"


def doc_values_json(field_param: str) -> str:
    """SQL for a document value as a jsonb array (scalars wrapped).

    ``field_param`` is the bind parameter holding the key: user-supplied field names
    are never spliced into SQL.
    """
    value = f"{ALIAS}.doc -> {field_param}"
    return f"(CASE jsonb_typeof({value}) WHEN 'array' THEN {value} ELSE jsonb_build_array({value}) END)"


def text_expr(name: str, field_param: str) -> str:
    """SQL for a text field as one folded string (list items joined by newlines)."""
    if name in COLUMN_TEXT_FIELDS:
        return f"lower(normalize(coalesce({ALIAS}.{name}, ''), NFKC))"
    values = doc_values_json(field_param)
    return (
        f"lower(normalize(coalesce((SELECT string_agg(v, chr(10)) "
        f"FROM jsonb_array_elements_text({values}) AS v), ''), NFKC))"
    )

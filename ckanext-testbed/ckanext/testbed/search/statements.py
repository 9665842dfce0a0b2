"""Complete SQL statements for the search table: schema, writes, searches and facets."""

from __future__ import annotations

from collections.abc import Iterable

from . import fields
from .compiler import Params, SearchPlan
from .document import FACET_KEY_FIELDS, FACET_SEPARATOR, ROW_COLUMNS

TABLE = fields.TABLE
A = fields.ALIAS

CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id text PRIMARY KEY,
    name text NOT NULL,
    title text,
    title_string text,
    state text,
    capacity text,
    dataset_type text,
    site_id text,
    owner_org text,
    organization text,
    creator_user_id text,
    license_id text,
    tags text[] NOT NULL DEFAULT '{{}}',
    groups text[] NOT NULL DEFAULT '{{}}',
    res_format text[] NOT NULL DEFAULT '{{}}',
    permission_labels text[] NOT NULL DEFAULT '{{}}',
    facet_keys text[] NOT NULL DEFAULT '{{}}',
    views_recent integer NOT NULL DEFAULT 0,
    views_total integer NOT NULL DEFAULT 0,
    metadata_created timestamp,
    metadata_modified timestamp,
    search_head text NOT NULL DEFAULT '',
    search_tags text NOT NULL DEFAULT '',
    search_text text NOT NULL DEFAULT '',
    doc jsonb NOT NULL DEFAULT '{{}}',
    data_dict text,
    validated_data_dict text,
    indexed_at timestamptz NOT NULL DEFAULT now()
) WITH (toast_tuple_target = 128)
"""
# toast_tuple_target = 128 moves the stored JSON (doc, data_dict, validated_data_dict)
# out of line, while STORAGE MAIN keeps the columns every search reads in the row: a
# search scans a narrow heap and fetches JSON only for the rows of its page.
_INLINE_COLUMNS = (
    "title",
    "title_string",
    "tags",
    "groups",
    "res_format",
    "permission_labels",
    "facet_keys",
    "search_head",
    "search_tags",
    "search_text",
)
SET_STORAGE = f"ALTER TABLE {TABLE} " + ", ".join(f"ALTER COLUMN {c} SET STORAGE MAIN" for c in _INLINE_COLUMNS)

CREATE_INDEXES = (
    f"CREATE INDEX IF NOT EXISTS {TABLE}_name_idx ON {TABLE} (name)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_modified_idx ON {TABLE} (metadata_modified)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_owner_org_idx ON {TABLE} (owner_org)",
)

# Every write to the index gives the one row of this table a new token, in the writing transaction
# (a statement-level trigger): a search that reads the committed token knows which version of the
# index it would see, and reuses a cached answer for it (query.py). A rolled-back write's token is
# never seen, and a new one is random, so a token never names two versions of the index.
GENERATION = f"{TABLE}_generation"
CREATE_GENERATION = (
    f"CREATE TABLE IF NOT EXISTS {GENERATION} ("
    "one boolean PRIMARY KEY DEFAULT true CHECK (one), token uuid NOT NULL DEFAULT gen_random_uuid())",
    f"INSERT INTO {GENERATION} DEFAULT VALUES ON CONFLICT DO NOTHING",
    f"CREATE OR REPLACE FUNCTION {TABLE}_changed() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN UPDATE {GENERATION} SET token = gen_random_uuid(); RETURN NULL; END $$",
    f"CREATE OR REPLACE TRIGGER {TABLE}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_changed()",
)
GENERATION_TOKEN = f"SELECT token FROM {GENERATION}"

# Bump when the table layout changes: a table with another version is rebuilt empty.
SCHEMA_VERSION = "testbed-search 6"
COMMENT_TABLE = f"COMMENT ON TABLE {TABLE} IS '{SCHEMA_VERSION}'"
TABLE_STATE = f"SELECT to_regclass('{TABLE}') IS NOT NULL, obj_description(to_regclass('{TABLE}'), 'pg_class')"
DROP_TABLE = f"DROP TABLE IF EXISTS {TABLE}"

_CASTS = {"doc": "CAST(:doc AS jsonb)"}
_ASSIGN = ", ".join(f"{column} = EXCLUDED.{column}" for column in ROW_COLUMNS if column != "id")

UPSERT = (
    f"INSERT INTO {TABLE} ({', '.join(ROW_COLUMNS)}, indexed_at) "
    f"VALUES ({', '.join(_CASTS.get(column, ':' + column) for column in ROW_COLUMNS)}, now()) "
    f"ON CONFLICT (id) DO UPDATE SET {_ASSIGN}, indexed_at = now()"
)

DELETE_ONE = f"DELETE FROM {TABLE} WHERE site_id = :site_id AND (id = :ref OR name = :ref)"
DELETE_SITE = f"DELETE FROM {TABLE} WHERE site_id = :site_id"
TABLE_EXISTS = f"SELECT to_regclass('{TABLE}') IS NOT NULL"

SHOW = (
    f"SELECT doc, data_dict, validated_data_dict FROM {TABLE} "
    f"WHERE site_id = :site_id AND (id = :ref OR name = :ref) ORDER BY (id = :ref) DESC LIMIT 1"
)
ALL_IDS = f"SELECT id FROM {TABLE} WHERE site_id = :site_id AND state = 'active' ORDER BY id LIMIT :limit"

# Result columns that are table columns; anything else is read from ``doc``.
STORED_COLUMNS = ("id", "data_dict", "validated_data_dict")
PAYLOAD_COLUMNS = ("data_dict", "validated_data_dict", "doc")


def search_sql(
    plan: SearchPlan,
    payload: Iterable[str],
    limit: int,
    offset: int,
    facet_fields: Iterable[str] = (),
) -> tuple[str, dict]:
    """One statement answering a whole search: match count, page and facet counts.

    The filter runs once, into the ``m`` CTE (id, relevance, sort keys and, for facets,
    the pre-joined ``facet_keys``); the page joins back to the table for the stored
    JSON of its rows only. Rows come back tagged by ``kind``: ``c`` (``n`` = match
    count), ``r`` (a result, ``n`` = its rank) and ``f`` (``n`` documents have value
    ``v`` in field ``f``).
    """
    params = Params(dict(plan.params))
    facet_fields = list(dict.fromkeys(facet_fields))
    payload = [column for column in PAYLOAD_COLUMNS if column in payload]
    nulls = "".join(", NULL" for _ in payload)
    keys = [f"{expr} AS s{n}" for n, (expr, _) in enumerate(plan.sort_keys)]
    if facet_fields:
        keys.append(f"{A}.facet_keys")
    order = ", ".join([f"m.s{n} {direction} NULLS LAST" for n, (_, direction) in enumerate(plan.sort_keys)] + ["m.id"])
    named = "".join(f", NULL AS {column}" for column in payload)
    branches = [f"SELECT 'c' AS kind, NULL AS f, NULL AS v, count(*) AS n, NULL AS score, NULL AS id{named} FROM m"]
    if limit > 0:
        columns = "".join(f", {A}.{column}" for column in payload)
        branches.append(
            f"SELECT 'r', NULL, NULL, p.rn, p.score, {A}.id{columns} FROM ("
            f"SELECT o.id, o.score, row_number() OVER () AS rn FROM ("
            f"SELECT m.id, m.score FROM m ORDER BY {order} LIMIT :_limit OFFSET :_offset) AS o"
            f") AS p JOIN {TABLE} {A} ON {A}.id = p.id"
        )
    if any(name in FACET_KEY_FIELDS for name in facet_fields):
        sep = f"chr({ord(FACET_SEPARATOR)})"
        branches.append(
            f"SELECT 'f', split_part(s.k, {sep}, 1), substr(s.k, strpos(s.k, {sep}) + 1), count(*), NULL, NULL{nulls} "
            f"FROM (SELECT unnest(m.facet_keys) AS k FROM m) AS s WHERE s.k <> '' GROUP BY s.k"
        )
    matches = f"(SELECT {A}.* FROM {TABLE} {A} WHERE {A}.id IN (SELECT id FROM m))"
    for name in facet_fields:
        if name not in FACET_KEY_FIELDS:
            facet = fields.facet_sql(name, params.add(name), matches)
            branches.append(f"SELECT 'f', f, v, n, NULL, NULL{nulls} FROM ({facet}) AS facet_{len(branches)}")
    sql = (
        f"WITH m AS MATERIALIZED (SELECT {', '.join([f'{A}.id', f'{plan.score} AS score'] + keys)} "
        f"FROM {TABLE} {A} WHERE {plan.where}) " + " UNION ALL ".join(branches)
    )
    return sql, dict(params.values, _limit=limit, _offset=offset)

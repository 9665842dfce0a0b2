"""Search index writes into PostgreSQL, in the same transaction as the dataset change.

CKAN core's ``PackageSearchIndex.index_package`` is kept as it is (flattening, plugin
hooks, permission labels); only its last step, sending the finished document to Solr
through ``make_connection()``, is redirected to :class:`DocumentSink`, which upserts
the row with the session of the running action. The action's own commit makes the
dataset and its search row visible together; a failure rolls both back.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.search.common import SearchIndexError
from ckan.lib.search.index import PackageSearchIndex

from . import statements
from .document import build_row

log = logging.getLogger(__name__)


def site_id() -> str:
    """The ``ckan.site_id`` that scopes index rows, as in Solr."""
    return config.get("ckan.site_id") or "default"


def table_exists() -> bool:
    """Has the search table been created (``ckan db upgrade``)?"""
    return bool(model.Session.execute(sa.text(statements.TABLE_EXISTS)).scalar())


def write_document(doc: dict[str, Any]) -> None:
    """Upsert one finished index document as a table row."""
    row = build_row(doc)
    row["site_id"] = row["site_id"] or site_id()
    model.Session.execute(sa.text(statements.UPSERT), row)


class DocumentSink:
    """Stands in for the pysolr connection that ``index_package`` sends its document to."""

    url = "postgresql:testbed_search_index"

    def add(self, docs: list[dict[str, Any]], commit: bool = False, **kwargs: Any) -> None:
        for doc in docs:
            write_document(doc)

    def commit(self, **kwargs: Any) -> None:
        """Nothing to do: rows are committed with the action's transaction."""

    def delete(self, **kwargs: Any) -> None:
        raise SearchIndexError("Solr-style delete queries are not supported; use PostgresPackageIndex")


def make_sink(*args: Any, **kwargs: Any) -> DocumentSink:
    """Replacement for ``ckan.lib.search.index.make_connection``."""
    return DocumentSink()


class PostgresPackageIndex(PackageSearchIndex):
    """CKAN's package index with Solr deletes and commits replaced by SQL."""

    def delete_package(self, pkg_dict: dict[str, Any]) -> None:
        params = {"site_id": site_id(), "ref": pkg_dict.get("id")}
        model.Session.execute(sa.text(statements.DELETE_ONE), params)

    def clear(self) -> None:
        """Empty the index of this site (``ckan search-index clear``, ``ckan db clean``)."""
        if not table_exists():
            return
        model.Session.execute(sa.text(statements.DELETE_SITE), {"site_id": site_id()})
        model.Session.commit()

    def commit(self) -> None:
        """``ckan search-index rebuild`` ends with this: commit the session's rows."""
        model.Session.commit()


def clear(package_reference: str) -> None:
    """Replacement for ``ckan.lib.search.clear``: delete one row and commit (CLI use)."""
    PostgresPackageIndex().delete_package({"id": package_reference})
    model.Session.commit()

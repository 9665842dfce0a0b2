"""The one place where CKAN 2.12's internals are replaced (Solr search, and one tracking hook).

CKAN 2.12 has no plugin interface for a search backend, so the ``testbed`` plugin swaps
these module attributes when it is loaded (``IConfigurer.update_config``, which runs
before ``load_environment`` calls ``check_solr_schema_version``). Re-check every entry
when upgrading CKAN: each names the core code that reads it.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.lib.search as search
import ckan.lib.search.index as search_index

from ckanext.tracking.plugin import TrackingPlugin

from . import tracking
from .index import PostgresPackageIndex, clear, make_sink
from .query import PostgresPackageQuery

log = logging.getLogger(__name__)


def _no_solr_schema_check(schema_file: Any = None) -> bool:
    """There is no Solr schema to check; report "check does not apply" like core does."""
    return False


# (module, attribute, replacement, why)
REPLACEMENTS: tuple[tuple[Any, str, Any, str], ...] = (
    # ckan.lib.search._INDICES['package']: index_for('Package') → every index write
    # (package_create/update/delete, member_create, search-index rebuild/clear).
    # Handled in apply() because it is a dict item, not an attribute.
    #
    # ckan.lib.search._QUERIES['package']: query_for('Package') → package_search,
    # package_autocomplete, package_show's cache (search.show), search-index check/show.
    # Also a dict item, see apply().
    (
        search,
        "PackageSearchQuery",
        PostgresPackageQuery,
        "ckan.lib.search.PackageSearchQuery: instantiated directly by model_dictize "
        "get_group_dataset_counts (group/organization dataset counts) and tag_dictize",
    ),
    (
        search,
        "check_solr_schema_version",
        _no_solr_schema_check,
        "ckan.lib.search.check_solr_schema_version: called by config.environment.update_config "
        "at start-up; would try to reach Solr",
    ),
    (
        search_index,
        "make_connection",
        make_sink,
        "ckan.lib.search.index.make_connection: where PackageSearchIndex.index_package sends "
        "the finished document; now upserts the row in the action's transaction",
    ),
    (
        search,
        "clear",
        clear,
        "ckan.lib.search.clear: `ckan search-index clear NAME` deletes without a later commit",
    ),
    (
        TrackingPlugin,
        "after_dataset_search",
        tracking.after_dataset_search,
        "ckanext.tracking.plugin.TrackingPlugin.after_dataset_search: package_search calls it on every "
        "search; it queried the tracking summary once per dataset and resource (see search/tracking.py)",
    ),
)


def apply() -> None:
    """Swap CKAN's Solr classes for the PostgreSQL ones. Safe to call repeatedly."""
    search._INDICES["package"] = PostgresPackageIndex
    search._QUERIES["package"] = PostgresPackageQuery
    for module, attribute, replacement, _why in REPLACEMENTS:
        setattr(module, attribute, replacement)
    log.debug("testbed: CKAN search served from PostgreSQL (Solr replaced)")


def is_applied() -> bool:
    """Are all replacements in place?"""
    return (
        search._INDICES.get("package") is PostgresPackageIndex
        and search._QUERIES.get("package") is PostgresPackageQuery
        and all(getattr(module, attribute) is replacement for module, attribute, replacement, _ in REPLACEMENTS)
    )

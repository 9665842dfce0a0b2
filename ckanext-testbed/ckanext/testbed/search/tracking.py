"""Tracking summaries of a page of search results in two queries instead of one per dataset and resource.

CKAN's ``tracking`` plugin adds ``tracking_summary`` (views, downloads) to each search result in
``after_dataset_search`` with ``TrackingSummary.get_for_package`` for every dataset and
``get_for_resource`` for every resource: about 50 queries for a page of 20, half of a search
request's time. ``after_dataset_search`` below gives the same dicts (the latest summary row of each
package id or resource URL) from one query each. Installed by ``patches.py``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

_LATEST_BY_PACKAGE = text(
    "SELECT DISTINCT ON (package_id) package_id, running_total, recent_views FROM tracking_summary "
    "WHERE package_id = ANY(:keys) ORDER BY package_id, tracking_date DESC"
)
_LATEST_BY_URL = text(
    "SELECT DISTINCT ON (url) url, running_total, recent_views FROM tracking_summary "
    "WHERE url = ANY(:keys) ORDER BY url, tracking_date DESC"
)


def _latest(statement, keys: list[str]) -> dict[str, dict[str, int]]:
    from ckan.model import meta

    if not keys:
        return {}
    rows = meta.Session.execute(statement, {"keys": keys})
    return {key: {"total": total or 0, "recent": recent or 0} for key, total, recent in rows}


def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]) -> dict[str, Any]:
    """Drop-in for ``TrackingPlugin.after_dataset_search`` (same result, two queries)."""
    results = search_results.get("results", [])
    ids = sorted({d["id"] for d in results if "id" in d})
    urls = sorted({r["url"] for d in results if "id" in d for r in d.get("resources", []) if "url" in r})
    by_package, by_url = _latest(_LATEST_BY_PACKAGE, ids), _latest(_LATEST_BY_URL, urls)
    none = {"total": 0, "recent": 0}
    for dataset in results:
        if "id" not in dataset:
            continue
        dataset["tracking_summary"] = dict(by_package.get(dataset["id"], none))
        for resource in dataset.get("resources", []):
            if "url" in resource:
                resource["tracking_summary"] = dict(by_url.get(resource["url"], none))
    return search_results

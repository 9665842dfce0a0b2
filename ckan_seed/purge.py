"""Remove seeded datasets for good (tests, benchmarks, a throw-away catalogue): DataStore tables,
load statuses, the datasets themselves and, optionally, their organisation."""

from __future__ import annotations

from ckan_seed.seed import client_for
from testbed_config.ckan_client import CkanClient, CkanError


def _ignore_missing(client: CkanClient, action: str, **data):
    try:
        return client.call(action, **data)
    except CkanError as e:
        if e.kind == CkanError.NOT_FOUND:
            return None
        raise


def purge_dataset(client: CkanClient, name: str) -> None:
    """Purge one dataset with its DataStore tables and loader statuses (no error if it is gone)."""
    package = client.show("package_show", id=name)
    if package is None:
        return
    for res in package["resources"]:
        if res.get("datastore_active"):
            _ignore_missing(client, "datastore_delete", resource_id=res["id"], force=True, calculate_record_count=False)
        task = _ignore_missing(
            client, "task_status_show", entity_id=res["id"], task_type="datastore_load", key="testbed_loader"
        )
        if task:
            client.call("task_status_delete", id=task["id"])
    client.call("dataset_purge", id=package["id"])


def purge_datasets(ckan_url: str, token: str, names: list[str], *, organization: str | None = None) -> None:
    """Purge ``names`` (in a few threads), then the organisation ``organization`` if given."""
    client = client_for(ckan_url, token)
    client.map(lambda name: purge_dataset(client, name), names, workers=2)
    if organization:
        _ignore_missing(client, "organization_purge", id=organization)

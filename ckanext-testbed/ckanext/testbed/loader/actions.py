"""API actions: ``testbed_datastore_status`` and ``testbed_datastore_load``."""

from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit

from . import messages
from .jobs import check_loadable, enqueue_load, run_load
from .settings import load_settings
from .status import public_status, read_status, write_status


@toolkit.side_effect_free
def testbed_datastore_status(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Load status of a resource: ``{resource_id, state, message, rows, encoding, started, finished}``.

    ``state`` is pending, running, complete or error; ``message`` is Japanese and says what to
    do on error. Anyone who can read the resource may ask.

    :param resource_id: the resource id
    """
    resource_id = toolkit.get_or_bust(data_dict, "resource_id")
    toolkit.check_access("testbed_datastore_status", context, data_dict)
    status = read_status(resource_id)
    if status is None:
        raise toolkit.ObjectNotFound(messages.NO_RECORD)
    return public_status(status, load_settings().job_timeout)


def testbed_datastore_load(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """(Re)load an uploaded CSV/TSV/XLSX resource into the DataStore and return its status.

    Allowed to those who may update the resource.

    :param resource_id: the resource id
    :param sync: load within this request instead of a background job (default false);
        used by the catalogue seeder, it saves the job worker's ~0.75 s start-up per file
    """
    resource_id = toolkit.get_or_bust(data_dict, "resource_id")
    sync = toolkit.asbool(data_dict.get("sync", False))
    toolkit.check_access("testbed_datastore_load", context, data_dict)
    resource = toolkit.get_action("resource_show")(dict(context), {"id": resource_id})
    settings = load_settings()
    reason = check_loadable(resource, settings)
    if reason:
        raise toolkit.ValidationError({"resource_id": [reason]})
    if sync:
        status = run_load(resource_id, force=True)
    else:
        write_status(resource_id, "pending", messages.PENDING)
        enqueue_load(resource_id, force=True, settings=settings)
        status = read_status(resource_id)
    return public_status(status, settings.job_timeout)

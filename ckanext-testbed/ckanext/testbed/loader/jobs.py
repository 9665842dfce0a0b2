"""Load one resource into the DataStore: the background job and the in-request (sync) path.

Order matters for safety: read and fully prepare the file first (any problem with the file is
reported without touching the DataStore), then replace the table in one transaction, then
flag the resource ``datastore_active``. Every outcome ends in a ``complete`` or ``error`` status.
All CKAN writes run as the site user, so activity streams always have a real user.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from typing import Any

from ckan import model
from ckan.plugins import toolkit

from . import messages
from .messages import LoadError
from .optout import opted_out
from .prepare import PreparedTable, canonical_format, prepare_table
from .settings import LoaderSettings, load_settings
from .source import read_upload
from .status import delete_status, now_iso, read_status, write_status
from .writer import replace_table

log = logging.getLogger(__name__)


def load_resource_job(resource_id: str, force: bool = False) -> None:
    """Background job entry point (runs in ``ckan jobs worker``)."""
    run_load(resource_id, force=force)


def enqueue_load(resource_id: str, *, force: bool, settings: LoaderSettings | None = None) -> None:
    """Queue a background load of ``resource_id``; never raises (the upload must still succeed)."""
    settings = settings or load_settings()
    try:
        toolkit.enqueue_job(
            load_resource_job,
            [resource_id],
            {"force": force},
            title=f"testbed_loader: DataStore load of resource {resource_id}",
            queue=settings.queue,
            rq_kwargs={"timeout": settings.job_timeout},
        )
    except Exception:  # Redis down etc.: keep the request alive, leave the status 'pending'
        log.exception("Could not enqueue DataStore load of resource %s", resource_id)


def check_loadable(resource: dict[str, Any], settings: LoaderSettings) -> str | None:
    """Japanese reason why ``resource`` cannot be loaded, or ``None`` if it can."""
    if resource.get("url_type") != "upload":
        return messages.NOT_AN_UPLOAD
    if canonical_format(resource.get("format")) not in settings.formats:
        return messages.UNSUPPORTED_FORMAT.format(
            format=resource.get("format") or "", formats=", ".join(sorted(settings.formats)).upper()
        )
    return None


def run_load(resource_id: str, *, force: bool) -> dict[str, Any] | None:
    """Load ``resource_id`` now and return its new status (``None`` if the resource is gone).

    Without ``force`` (the automatic job) a file whose SHA-256 matches the last successful load is
    skipped, so a job that finds the seeder already loaded the file in-request costs nothing, and
    a resource that opted out since the job was queued is left alone (its ``pending`` mark removed).
    """
    settings = load_settings()
    try:
        resource = toolkit.get_action("resource_show")(_site_context(), {"id": resource_id})
    except toolkit.ObjectNotFound:
        log.info("Resource %s disappeared before it could be loaded", resource_id)
        return None
    if not force and opted_out(resource):
        previous = read_status(resource_id)
        if previous and previous["state"] == "pending":
            delete_status(resource_id)
        log.info("Resource %s opts out of automatic loads; skipping", resource_id)
        return read_status(resource_id)
    started = now_iso()
    try:
        reason = check_loadable(resource, settings)
        if reason:
            raise LoadError(reason)
        data = read_upload(resource, settings.max_file_bytes)
        digest = hashlib.sha256(data).hexdigest()
        previous = read_status(resource_id)
        if not force and previous and previous["state"] == "complete" and previous["sha256"] == digest:
            log.info("Resource %s unchanged since its last load; skipping", resource_id)
            return previous
        write_status(resource_id, "running", messages.RUNNING, started=started)
        table = prepare_table(data, canonical_format(resource["format"]), settings.max_rows)
        replace_table(resource_id, table)
        _mark_datastore_active(resource_id)
    except LoadError as exc:
        _finish(resource_id, "error", exc.message, started)
    except Exception as exc:
        log.exception("Unexpected failure loading resource %s", resource_id)
        model.Session.rollback()
        _finish(resource_id, "error", messages.UNEXPECTED.format(detail=type(exc).__name__), started)
    else:
        _finish(
            resource_id,
            "complete",
            _success_message(table),
            started,
            rows=len(table.rows),
            encoding=table.encoding,
            sha256=digest,
        )
    return read_status(resource_id)


def _finish(resource_id: str, state: str, message: str, started: str, **details: Any) -> None:
    write_status(resource_id, state, message, started=started, finished=now_iso(), **details)
    log.info("DataStore load of resource %s: %s (%s)", resource_id, state, message)


def _success_message(table: PreparedTable) -> str:
    if table.encoding == "xlsx":
        summary = messages.COMPLETE_XLSX.format(rows=len(table.rows))
    else:
        encoding = messages.ENCODING_NAMES.get(table.encoding, table.encoding)
        summary = messages.COMPLETE.format(rows=len(table.rows), encoding=encoding)
    return " ".join([summary, *table.notices])


def _mark_datastore_active(resource_id: str) -> None:
    """Set ``datastore_active`` like ``datastore_create`` does, and add the table views it enables.

    Only on the first successful load: later loads change neither the flag nor the views.
    """
    resource = model.Resource.get(resource_id)
    if resource is None or resource.extras.get("datastore_active"):
        return
    patched = toolkit.get_action("resource_patch")(_site_context(), {"id": resource_id, "datastore_active": True})
    # Views such as datatables_view can only be created once the DataStore table exists.
    with _site_language():
        toolkit.get_action("resource_create_default_resource_views")(
            _site_context(), {"resource": patched, "create_datastore_views": True}
        )


def _site_language():
    """Outside a web request (the jobs worker), CKAN's ``_()`` has no locale and answers in English, so a view
    created here would be titled "Table" instead of 「テーブル」. Run inside the request context CKAN keeps for
    work outside requests (``ckan.lib.helpers._get_auto_flask_context``, as ``url_for`` does), whose locale is
    ``ckan.locale_default``."""
    import flask
    from ckan.config.middleware import _internal_test_request_context

    if flask.has_request_context() or _internal_test_request_context is None:
        return contextlib.nullcontext()
    return _internal_test_request_context


def _site_context() -> dict[str, Any]:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}

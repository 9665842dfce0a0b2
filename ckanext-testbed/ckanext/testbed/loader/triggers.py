"""Notice new or replaced uploads (or a format newly set to CSV/TSV/XLSX) and queue their load.

CKAN calls the plugin's ``notify`` hooks *before* the saving transaction commits. Queuing a job
there would race the commit (the worker could run before the new file's resource row exists),
so the resource is only marked ``pending`` inside the transaction and the job is queued from
SQLAlchemy's ``after_commit`` event; a rollback forgets the mark. A resource that opts out
(``datastore_load: "false"``, see optout.py) is neither marked nor queued.
"""

from __future__ import annotations

import logging
from typing import Any

from ckan import model
from sqlalchemy import event

from . import messages
from .jobs import check_loadable, enqueue_load
from .optout import opted_out, wants_load_on_update
from .prepare import canonical_format
from .settings import load_settings
from .status import write_status

log = logging.getLogger(__name__)

_PENDING_KEY = "testbed_loader_pending"


def install_commit_hooks() -> None:
    """Register the session listeners once per process (safe to call again)."""
    if not event.contains(model.Session, "after_commit", _enqueue_pending):
        event.listen(model.Session, "after_commit", _enqueue_pending)
        event.listen(model.Session, "after_rollback", _forget_pending)


def resource_saved(resource: model.Resource) -> None:
    """Called for a new resource or a changed file/URL, inside the transaction that saves it."""
    if resource.state == "active" and not opted_out(resource.extras or {}):
        _mark_pending(resource.id, {"url_type": resource.url_type, "format": resource.format})


def resource_updating(current: dict[str, Any], updated: dict[str, Any]) -> None:
    """Called before ``resource_update``: a format newly set to CSV/TSV/XLSX, or a lifted opt-out, needs a load."""
    format_changed = canonical_format(current.get("format")) != canonical_format(updated.get("format"))
    if wants_load_on_update(current, updated, format_changed):
        facts = {"url_type": updated.get("url_type", current.get("url_type")), "format": updated.get("format")}
        _mark_pending(current["id"], facts)


def _mark_pending(resource_id: str, facts: dict[str, Any]) -> None:
    if check_loadable(facts, load_settings()):
        return
    write_status(resource_id, "pending", messages.PENDING, commit=False)
    model.Session().info.setdefault(_PENDING_KEY, set()).add(resource_id)


def _enqueue_pending(session) -> None:
    resource_ids = session.info.pop(_PENDING_KEY, None)
    if resource_ids:
        settings = load_settings()
        for resource_id in sorted(resource_ids):
            enqueue_load(resource_id, force=False, settings=settings)


def _forget_pending(session) -> None:
    session.info.pop(_PENDING_KEY, None)

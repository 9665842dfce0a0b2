"""Per-resource load status, kept in CKAN's ``task_status`` table (task_type ``datastore_load``).

Writing here never touches the resource itself, so recording progress cannot trigger
``resource_update`` hooks (and with them another load).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from ckan import model

from .messages import TIMED_OUT

TASK_TYPE = "datastore_load"
TASK_KEY = "testbed_loader"
STATES = ("pending", "running", "complete", "error")
PUBLIC_KEYS = ("resource_id", "state", "message", "rows", "encoding", "started", "finished")


def now_iso() -> str:
    """Current UTC time as an ISO 8601 string (what the status stores and returns)."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def read_status(resource_id: str) -> dict[str, Any] | None:
    """The stored status of ``resource_id`` as a plain dict, or ``None`` if never loaded."""
    task = _task(resource_id)
    if task is None:
        return None
    value = json.loads(task.value or "{}")
    return {
        "resource_id": resource_id,
        "state": task.state,
        "message": value.get("message", ""),
        "rows": value.get("rows"),
        "encoding": value.get("encoding"),
        "started": value.get("started"),
        "finished": value.get("finished"),
        "sha256": value.get("sha256"),
    }


def public_status(status: dict[str, Any], job_timeout: int) -> dict[str, Any]:
    """What the status action and the resource page show: no internals, stale runs as errors.

    A job killed by the worker's timeout (or a crashed worker) cannot record its own end, so a
    load still ``running`` well after ``job_timeout`` is reported as failed.
    """
    shown = {key: status.get(key) for key in PUBLIC_KEYS}
    if status["state"] == "running" and status.get("started"):
        started = datetime.datetime.fromisoformat(status["started"])
        deadline = started + datetime.timedelta(seconds=job_timeout + 60)
        if datetime.datetime.now(datetime.UTC) > deadline:
            shown.update(state="error", message=TIMED_OUT)
    return shown


def write_status(resource_id: str, state: str, message: str, *, commit: bool = True, **details: Any) -> None:
    """Record ``state`` with a Japanese ``message`` and optional details (rows, started, ...).

    With ``commit=False`` the change joins the caller's transaction; that is how the upload
    request marks a resource ``pending`` in the same commit that saves the new file.
    """
    if state not in STATES:
        raise ValueError(f"unknown load state {state!r}")
    task = _task(resource_id)
    if task is None:
        task = model.TaskStatus(entity_id=resource_id, entity_type="resource", task_type=TASK_TYPE, key=TASK_KEY)
        model.Session.add(task)
    value = {"message": message, **details}
    task.state = state
    task.value = json.dumps(value, ensure_ascii=False)
    task.error = message if state == "error" else ""
    task.last_updated = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)  # the column is naive UTC
    if commit:
        model.Session.commit()


def delete_status(resource_id: str) -> None:
    """Forget the status of ``resource_id`` (the resource page then shows no load box)."""
    task = _task(resource_id)
    if task is not None:
        model.Session.delete(task)
        model.Session.commit()


def _task(resource_id: str) -> model.TaskStatus | None:
    return (
        model.Session.query(model.TaskStatus)
        .filter_by(entity_id=resource_id, task_type=TASK_TYPE, key=TASK_KEY)
        .first()
    )

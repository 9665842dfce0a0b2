"""Template helpers of data requests: the requests a dataset answered (shown on its page)."""

from __future__ import annotations

from typing import Any

import ckan.model as model
from ckan.common import current_user

from . import messages, roles
from .actions import PUBLISHING
from .model import CLOSED, Request

SHOWN = 5


def answered_by(dataset_id: str, limit: int = SHOWN) -> list[dict[str, Any]]:
    """Requests closed as 公開済み/一部対応 with this dataset, newest first, that the viewer may see."""
    if not dataset_id:
        return []
    viewer = model.User.get(current_user.name) if current_user.is_authenticated else None
    rows = (
        model.Session.query(Request)
        .filter(Request.dataset_id == dataset_id, Request.status == CLOSED, Request.resolution.in_(PUBLISHING))
        .order_by(Request.closed_at.desc())
        .limit(limit * 4)
        .all()
    )
    shown = [r for r in rows if roles.can_see(viewer, r)][:limit]
    return [{"id": r.id, "title": r.title, "resolution_label": messages.RESOLUTION_LABELS[r.resolution]} for r in shown]


def get_helpers() -> dict[str, Any]:
    return {"testbed_requests_answered_by": answered_by}

"""Template helper for the load status box on the resource page."""

from __future__ import annotations

from typing import Any

from .settings import load_settings
from .status import public_status, read_status


def testbed_loader_status(resource_id: str) -> dict[str, Any] | None:
    """The resource's load status as shown to users, or ``None`` if it was never loaded.

    Only called from the resource page, which CKAN shows only to users who may read the resource.
    """
    status = read_status(resource_id)
    return public_status(status, load_settings().job_timeout) if status else None

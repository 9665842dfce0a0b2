"""Which CKAN user a hub user is, and whether they may sign in: pure, no CKAN import (unit-tested).

The hub's OAuth2 provider answers ``GET /hub/api/user`` with the hub name (no ``sub``, no ``email``).
Trainees and instructors were given CKAN users named from that name when their sandbox was provisioned;
the rule is the project's ``testbed_config.names.ckan_user_name``, repeated here because this extension
imports nothing of the project (``tests/unit/test_ckan_sso_names.py`` keeps the two the same).
"""

from __future__ import annotations

import hashlib
import re

NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")  # testbed_config.NAME_RE
PREFIX = "tb-"


def ckan_user_name(hub_username: str) -> str:
    """CKAN user name of a hub user: ``tb-<name>``, or a hashed form for irregular names."""
    if NAME_RE.match(hub_username):
        return f"{PREFIX}{hub_username}"
    digest = hashlib.sha256(hub_username.encode()).hexdigest()[:10]
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", hub_username.lower()).strip("-_")[:30]
    return f"{PREFIX}x-{digest}" + (f"-{cleaned}" if cleaned else "")


# why a sign-in is refused (keys of messages.REFUSED)
NO_HUB_NAME = "no_hub_name"
UNKNOWN = "unknown"
DISABLED = "disabled"
REMOVED = "removed"
SYSADMIN = "sysadmin"


def refusal(hub_name: object, user_state: str | None, sysadmin: bool = False) -> str | None:
    """Why the hub user ``hub_name`` (whose CKAN user has ``user_state``, None when there is none) may not
    sign in to CKAN, or None when they may. Nothing is ever created: an unknown name is refused."""
    if not isinstance(hub_name, str) or not hub_name:
        return NO_HUB_NAME
    if user_state is None:
        return UNKNOWN
    if user_state == "deleted":
        return REMOVED
    if user_state != "active":
        return DISABLED
    if sysadmin:  # sysadmins sign in with CKAN's own form only
        return SYSADMIN
    return None

"""Names every part shares: hub services and their ports, state files, secrets, accounts.

The one place where these are spelled; the CLI, the hub config, the grader, the classroom service and
the deployment renderers import them from here (a unit test greps the rest of the tree for them).
"""

from __future__ import annotations

import hashlib
import re

from testbed_config import NAME_RE, StackConfig

# CKAN ------------------------------------------------------------------------------------------

# the plugins of the stack's CKAN, in load order (the local ckan.ini and the container image alike)
CKAN_PLUGINS = ["activity", "datastore", "datatables_view", "tracking", "testbed", "testbed_loader"]

# hub services ----------------------------------------------------------------------------------


def formgrader_name(course: str) -> str:
    """The nbgrader formgrader service of a course."""
    return f"formgrader-{course}"


def classroom_name(course: str) -> str:
    """The classroom service (progress board, certificates, deadlines) of a course."""
    return f"progress-{course}"


def formgrader_port(cfg: StackConfig, index: int) -> int:
    """Service ports are numbered from ``ports.services``: the formgraders first (one per course)..."""
    return cfg.ports.services + index


def classroom_port(cfg: StackConfig, index: int) -> int:
    """... then the classroom services (one per course)."""
    return cfg.ports.services + len(cfg.courses) + index


def service_ports(cfg: StackConfig) -> list[int]:
    """Every hub-managed service port, formgraders then classroom services."""
    n = len(cfg.courses)
    return [formgrader_port(cfg, i) for i in range(n)] + [classroom_port(cfg, i) for i in range(n)]


# a trainee's CKAN side ---------------------------------------------------------------------------


def _derive(prefix: str, hub_username: str) -> str:
    """``<prefix><name>`` for a regular hub name; other names get a hashed form under a distinct prefix."""
    if NAME_RE.match(hub_username):
        return f"{prefix}{hub_username}"
    # never the same as a regular name: those start with "<prefix>", these with "<prefix>x-"
    digest = hashlib.sha256(hub_username.encode()).hexdigest()[:10]
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", hub_username.lower()).strip("-_")[:30]
    return f"{prefix}x-{digest}" + (f"-{cleaned}" if cleaned else "")


def ckan_user_name(hub_username: str) -> str:
    """CKAN user name of a hub user (``tb-<name>``); always a valid CKAN name, distinct per hub name."""
    return _derive("tb-", hub_username)


def sandbox_org_name(hub_username: str) -> str:
    """Name of the trainee's sandbox organisation (``sandbox-<name>``)."""
    return _derive("sandbox-", hub_username)

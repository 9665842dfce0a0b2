"""Names every part shares: hub services and their ports, state files, secrets, accounts.

The one place where these are spelled; the CLI, the hub config, the grader, the classroom service and
the deployment renderers import them from here (a unit test greps the rest of the tree for them).
"""

from __future__ import annotations

from testbed_config import StackConfig

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

"""``update_limits``: per-user memory, process and CPU limits of the servers on one machine (the ``limits`` keys)."""

from __future__ import annotations

from testbed_config import StackConfig


def update_limits(c, cfg: StackConfig, is_root: bool) -> None:
    """Trainees' and instructors' limits for TestbedSpawner's cgroups (hub_config/cgroups.py); none in demo mode."""
    lim = cfg.limits
    if not is_root:  # the hub cannot create cgroups or set another account's limits
        return
    c.TestbedSpawner.trainee_limits = {
        "memory_mib": lim.trainee_memory_mib,
        "tasks": lim.trainee_processes,
        "cpu_cores": lim.trainee_cpu_cores,
    }
    c.TestbedSpawner.instructor_limits = {
        "memory_mib": lim.instructor_memory_mib,
        "tasks": lim.instructor_processes,
        "cpu_cores": lim.instructor_cpu_cores,
    }
    c.TestbedSpawner.instructor_names = sorted(
        set(cfg.admins) | {n for course in cfg.courses for n in course.instructors}
    )

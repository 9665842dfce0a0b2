"""Per-user cgroups of single-user servers on one machine: memory, task and CPU limits through cgroupfs.

The hub (root) creates ``<parent>/<unix name>`` in each controller hierarchy, writes the limits, and the
server's child process joins it before it drops to the trainee's uid (``join`` runs in the spawner's
preexec), so the server and every kernel or process it starts are counted together and cannot leave.
On stop whatever is left (a fork bomb's children, a background job) is killed and the group removed.

Both layouts are handled: cgroup v1 (one hierarchy per controller: ``memory``, ``pids``, ``cpu``; what
these machines have) and v2 (one unified tree). Where systemd is PID 1 it owns the tree and a scope
unit would be its way (TLJH's systemdspawner); ``detect`` then still finds cgroupfs and this module is
used as is (see docs/capacity.md, "Per-trainee limits").
"""

from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_FS = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Limits:
    """What one user's server and kernels may use together; 0 means no limit."""

    memory_mib: int = 0
    tasks: int = 0
    cpu_cores: float = 0.0

    @property
    def any(self) -> bool:
        return bool(self.memory_mib or self.tasks or self.cpu_cores)


def detect(fs: Path = CGROUP_FS) -> str:
    """``"v2"`` (unified), ``"v1"`` (a writable ``memory`` hierarchy) or ``""`` (no usable cgroupfs)."""
    if (fs / "cgroup.controllers").exists():
        return "v2" if os.access(fs, os.W_OK) else ""
    if (fs / "memory" / "cgroup.procs").exists() and os.access(fs / "memory", os.W_OK):
        return "v1"
    return ""


def _settings_v1(limits: Limits) -> dict[str, list[tuple[str, str]]]:
    """Controller -> [(file, value)] in the order they must be written."""
    mem = str(limits.memory_mib * 1024 * 1024) if limits.memory_mib else "-1"
    quota = str(int(limits.cpu_cores * CPU_PERIOD_US)) if limits.cpu_cores else "-1"
    return {
        # memsw (memory + swap) follows memory so that swap is no way around the limit; it must stay >= memory
        "memory": [("memory.limit_in_bytes", mem), ("memory.memsw.limit_in_bytes", mem)],
        "pids": [("pids.max", str(limits.tasks) if limits.tasks else "max")],
        "cpu": [("cpu.cfs_period_us", str(CPU_PERIOD_US)), ("cpu.cfs_quota_us", quota)],
    }


def _settings_v2(limits: Limits) -> list[tuple[str, str]]:
    mem = str(limits.memory_mib * 1024 * 1024) if limits.memory_mib else "max"
    quota = str(int(limits.cpu_cores * CPU_PERIOD_US)) if limits.cpu_cores else "max"
    return [
        ("memory.max", mem),
        ("memory.swap.max", "0" if limits.memory_mib else "max"),
        ("pids.max", str(limits.tasks) if limits.tasks else "max"),
        ("cpu.max", f"{quota} {CPU_PERIOD_US}"),
    ]


@dataclass(frozen=True)
class UserCgroup:
    """One Unix account's server's cgroup: ``<fs>/<controller>/<parent>/<name>`` (v1), ``<fs>/<parent>/<name>`` (v2)."""

    name: str
    parent: str = "testbed"
    version: str = "v1"
    fs: Path = CGROUP_FS

    def __post_init__(self):
        for part in (self.name, *self.parent.split("/")):
            if not _NAME_RE.match(part):
                raise ValueError(f"not a safe cgroup name: {part!r}")

    @property
    def dirs(self) -> list[Path]:
        """One directory per hierarchy the server joins."""
        if self.version == "v2":
            return [self.fs / self.parent / self.name]
        return [self.fs / c / self.parent / self.name for c in V1_CONTROLLERS if (self.fs / c).is_dir()]

    @property
    def memory_dir(self) -> Path:
        return (
            self.fs / self.parent / self.name if self.version == "v2" else self.fs / "memory" / self.parent / self.name
        )

    def create(self, limits: Limits) -> None:
        """Make the group (and its parent) and write the limits; re-running only rewrites the limits."""
        if self.version == "v2":
            self._enable_v2_controllers()
            d = self.fs / self.parent / self.name
            d.mkdir(parents=True, exist_ok=True)
            for file, value in _settings_v2(limits):
                _write(d / file, value, optional=file == "memory.swap.max")
            return
        for controller, settings in _settings_v1(limits).items():
            d = self.fs / controller / self.parent / self.name
            if not d.parent.parent.is_dir():
                continue  # controller not mounted here
            d.mkdir(parents=True, exist_ok=True)
            if controller == "memory":
                _write_v1_memory(d, settings)
                continue
            for file, value in settings:
                _write(d / file, value)

    def _enable_v2_controllers(self) -> None:
        path = self.fs
        for part in self.parent.split("/"):
            _write(path / "cgroup.subtree_control", "+memory +pids +cpu", optional=True)
            path = path / part
            path.mkdir(exist_ok=True)
        _write(path / "cgroup.subtree_control", "+memory +pids +cpu", optional=True)

    def join(self, pid: int = 0) -> None:
        """Move ``pid`` (0: the calling process) into the group in every hierarchy."""
        for d in self.dirs:
            _write(d / "cgroup.procs", str(pid or os.getpid()))

    def pids(self) -> set[int]:
        found: set[int] = set()
        for d in self.dirs:
            try:
                found.update(int(x) for x in (d / "cgroup.procs").read_text().split())
            except FileNotFoundError:
                pass
        return found

    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer stopped in this group (0 if not known)."""
        return oom_kills(self.memory_dir, self.version)

    def kill_all(self, timeout: float = 5.0) -> int:
        """SIGKILL every process still in the group (repeatedly: a fork bomb forks while it is killed)."""
        killed = 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            left = self.pids()
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        return killed

    def remove(self) -> list[Path]:
        """Remove the group's directories; returns those still busy (processes left)."""
        busy = []
        for d in self.dirs:
            try:
                d.rmdir()
            except FileNotFoundError:
                pass
            except OSError:
                busy.append(d)
        return busy


def oom_kills(memory_dir: Path, version: str) -> int:
    """The ``oom_kill`` counter of a memory cgroup directory (v1 ``memory.oom_control``, v2 ``memory.events``)."""
    file = memory_dir / ("memory.events" if version == "v2" else "memory.oom_control")
    try:
        for line in file.read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


def _write(path: Path, value: str, optional: bool = False) -> None:
    try:
        path.write_text(value)
    except FileNotFoundError:
        if not optional and not path.name.startswith("memory.memsw"):
            raise
    except OSError:
        if not optional:
            raise


def _write_v1_memory(d: Path, settings: list[tuple[str, str]]) -> None:
    """memsw must stay >= memory: raise memsw first when growing, memory first when shrinking."""
    mem, memsw = settings
    memsw_file = d / memsw[0]
    if not memsw_file.exists():
        _write(d / mem[0], mem[1])
        return
    current = int((d / mem[0]).read_text().strip())
    new = int(mem[1]) if mem[1] != "-1" else 1 << 62
    order = [memsw, mem] if new > current else [mem, memsw]
    for file, value in order:
        _write(d / file, value)

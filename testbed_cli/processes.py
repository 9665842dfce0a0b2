"""Processes of this stack's supervisord, found by the environment supervisord gives each program.

supervisord puts ``SUPERVISOR_SERVER_URL`` (its socket) and ``SUPERVISOR_PROCESS_NAME`` in every program's
environment, and children inherit it: PostgreSQL backends, gunicorn workers, RQ's work horse. That finds what
a SIGKILLed program leaves behind, and every service left running when supervisord itself died. Trainees'
servers do not carry it (the hub's spawner builds their environment from scratch), so they are never touched.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path

_URL = b"SUPERVISOR_SERVER_URL="
_NAME = b"SUPERVISOR_PROCESS_NAME="


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    name: str  # the supervisord program it belongs to


def _ppid(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def marked(sock: Path, proc_root: Path = Path("/proc")) -> list[Proc]:
    """Every live process started (directly or not) by the supervisord listening on ``sock``."""
    url = _URL + f"unix://{sock}".encode()
    found = []
    for entry in os.scandir(proc_root):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            env = Path(entry.path, "environ").read_bytes().split(b"\0")
            if url not in env:
                continue
            name = next((v[len(_NAME) :].decode() for v in env if v.startswith(_NAME)), "")
            found.append(Proc(pid, _ppid(pid), name))
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or a zombie
    return found


def descendants(procs: list[Proc], root: int) -> set[int]:
    """``root`` and every process below it (by parent pid) among ``procs``."""
    children: dict[int, list[int]] = {}
    for p in procs:
        children.setdefault(p.ppid, []).append(p.pid)
    out, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in out:
            continue
        out.add(pid)
        todo += children.get(pid, [])
    return out


def strays(procs: list[Proc], name: str, current_pid: int | None) -> list[int]:
    """Processes of program ``name`` that are not the current one or below it: what a killed instance left."""
    keep = descendants(procs, current_pid) if current_pid else set()
    return [p.pid for p in procs if p.name == name and p.pid not in keep and p.pid != os.getpid()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited; it only waits for its parent
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def kill(pids: list[int], sig: int = signal.SIGKILL) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def signal_orphans(sock: Path, stopsignals: dict[str, str], proc_root: Path = Path("/proc")) -> dict[str, list[int]]:
    """Send every process of a supervisord that is gone its program's stop signal (the top of each tree; the
    rest follow their parent). Returns the pids to wait for, by program."""
    procs = [p for p in marked(sock, proc_root) if p.pid != os.getpid()]
    pids = {p.pid for p in procs}
    by_name: dict[str, list[int]] = {}
    for p in procs:
        by_name.setdefault(p.name, []).append(p.pid)
    for p in procs:
        if p.ppid not in pids:  # the top of its tree: the program itself, or an orphaned child
            sig = getattr(signal, "SIG" + stopsignals.get(p.name, "TERM"), signal.SIGTERM)
            kill([p.pid], sig)
    return by_name


def wait_gone(pids: list[int], timeout: float) -> None:
    """Wait up to ``timeout`` seconds for ``pids`` to exit, then SIGKILL what is left (a shell loop waiting on
    ``sleep`` would take minutes). RuntimeError naming what would not die."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.05)
    left = [pid for pid in pids if alive(pid)]
    if not left:
        return
    kill(left)
    time.sleep(0.2)
    stuck = [pid for pid in left if alive(pid)]
    if stuck:
        raise RuntimeError(f"pids {stuck} survived SIGKILL")


def stop_orphans(
    sock: Path, stopsignals: dict[str, str], timeout: float = 5, proc_root: Path = Path("/proc")
) -> dict[str, list[int]]:
    """Stop every process of a supervisord that is gone: each program's top process gets its stop signal,
    whatever is still there after ``timeout`` seconds gets SIGKILL. Returns the pids stopped, by program;
    raises RuntimeError naming what would not die."""
    by_name = signal_orphans(sock, stopsignals, proc_root)
    wait_gone([pid for pids in by_name.values() for pid in pids], timeout)
    return by_name


def listener(port: int, proc_root: Path = Path("/proc")) -> int | None:
    """The pid listening on TCP ``port`` (IPv4 or IPv6), None when nothing is.

    For programs that overwrite their environment when they set their process title (redis-server): the
    environment marker cannot find those.
    """
    found = _listening_fd(port, proc_root)
    return found[0] if found else None


def take_listening_socket(port: int) -> socket.socket | None:
    """A duplicate of the socket another process listens on at TCP ``port`` (``pidfd_getfd``: Linux 5.6+, root),
    None when nothing listens or the kernel refuses. While the duplicate is open the port stays bound and
    connections wait in its backlog, whatever becomes of the process it came from."""
    found = _listening_fd(port)
    if not found:
        return None
    pid, fd = found
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        dup = libc.syscall(_SYS_PIDFD_GETFD, pidfd, fd, 0)
    finally:
        os.close(pidfd)
    if dup < 0:
        return None
    sock = socket.socket(fileno=dup)
    if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) != 1 or sock.getsockname()[1] != port:
        sock.close()
        return None
    return sock


_SYS_PIDFD_GETFD = 438  # x86-64, arm64 and every architecture of the unified syscall table (Linux 5.6+)


def _listening_fd(port: int, proc_root: Path = Path("/proc")) -> tuple[int, int] | None:
    """(pid, fd) of a process holding the socket that listens on TCP ``port``, None when nothing does."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            rows = (proc_root / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            f = row.split()
            if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(f"socket:[{f[9]}]")
    if not inodes:
        return None
    for entry in os.scandir(proc_root):
        if not entry.name.isdigit():
            continue
        try:
            for fd in os.scandir(Path(entry.path, "fd")):
                if os.readlink(fd.path) in inodes:
                    return int(entry.name), int(fd.name)
        except OSError:
            continue
    return None

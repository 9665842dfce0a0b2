"""A Jupyter kernel manager that starts every kernel inside a bubblewrap sandbox.

The kernel (untrusted trainee code) sees only read-only system directories, the hub's Python
environment and one private per-run directory; it has no network, its own PID namespace, a clean
environment (no hub/CKAN token) and resource limits. The one exception is opt-in per assignment
(``network="ckan"``, see grader.netpolicy): such a kernel still has no network of its own, but
reaches CKAN, and nothing else, through grader.relay, with ``CKAN_URL`` set and no token
(an anonymous visitor of the public catalogue).

Run as root, it also drops to an unprivileged account first (bwrap's ``--uid`` alone would not
change file access); run as a grader account (the formgrader service), the user namespace keeps
the same uid but the course files are simply not mounted. Channels use the ``ipc`` transport:
with the network unshared, TCP ports of the parent are unreachable from inside.
"""

from __future__ import annotations

import os
import pwd
import resource
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, Unicode

from grader.relay import UnixRelay, launch_command

BWRAP = "/usr/bin/bwrap"
SANDBOX_HOME = "/home/sandbox"


@dataclass(frozen=True)
class Limits:
    """Per-kernel resource limits (the wall-time limit is enforced by grader.execute)."""

    cpu_seconds: int = 60
    memory_bytes: int = 1536 * 1024 * 1024
    processes: int = 64
    file_bytes: int = 64 * 1024 * 1024
    open_files: int = 256


def _system_binds() -> list[str]:
    """Read-only binds of the system and the Python environment the kernel runs on."""
    args: list[str] = []
    for path in ("/usr", "/etc"):
        args += ["--ro-bind", path, path]
    for name in ("bin", "lib", "lib64", "sbin"):
        p = Path("/") / name
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    prefix = Path(sys.prefix).resolve()
    base = Path(sys.base_prefix).resolve()
    for p in sorted({prefix, base}):
        if not str(p).startswith("/usr"):
            args += ["--ro-bind", str(p), str(p)]
    return args


def bwrap_command(
    kernel_cmd: list[str], run_dir: Path, work_dir: Path, *, env: dict[str, str] | None = None
) -> list[str]:
    """The bwrap invocation around ``kernel_cmd`` (run_dir holds the connection file and sockets);
    ``env`` is added to the clean environment."""
    return [
        BWRAP,
        *_system_binds(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--tmpfs",
        "/home",
        "--bind",
        str(work_dir),
        SANDBOX_HOME,
        "--bind",
        str(run_dir),
        str(run_dir),
        "--chdir",
        SANDBOX_HOME,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        *[x for k, v in {**sandbox_env(), **(env or {})}.items() for x in ("--setenv", k, v)],
        "--",
        *kernel_cmd,
    ]


def sandbox_env() -> dict[str, str]:
    """The whole environment of a sandboxed kernel: nothing inherited, so no token leaks in."""
    return {
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
        "HOME": SANDBOX_HOME,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": "/tmp/ipython",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def sandbox_account(student: str | None, prefix: str = "jupyter-", fallback: str = "nobody") -> str:
    """The unprivileged account a kernel runs as: the trainee's own, else ``fallback``.

    ``"#UID"`` names an anonymous uid (no passwd entry, owns no file): one per grading worker, so a
    fork bomb in one submission cannot exhaust the process limit of another one's kernel."""
    if student:
        try:
            pwd.getpwnam(prefix + student)
            return prefix + student
        except KeyError:
            pass
    return fallback


def uid_gid(account: str) -> tuple[int, int]:
    """(uid, gid) of an account name or of ``"#UID"``."""
    if account.startswith("#"):
        return int(account[1:]), int(account[1:])
    pw = pwd.getpwnam(account)
    return pw.pw_uid, pw.pw_gid


def _preexec(limits: Limits, account: str | None):
    """Child-side setup before exec: limits first, then (as root) drop to ``account`` for good."""
    ids = uid_gid(account) if account and os.geteuid() == 0 else None

    def run() -> None:
        for which, value in (
            (resource.RLIMIT_CPU, limits.cpu_seconds),
            (resource.RLIMIT_AS, limits.memory_bytes),
            (resource.RLIMIT_NPROC, limits.processes),
            (resource.RLIMIT_FSIZE, limits.file_bytes),
            (resource.RLIMIT_NOFILE, limits.open_files),
            (resource.RLIMIT_CORE, 0),
        ):
            resource.setrlimit(which, (value, value))
        if ids is not None:
            os.setgroups([])
            os.setgid(ids[1])
            os.setuid(ids[0])

    return run


class SandboxKernelManager(AsyncKernelManager):
    """AsyncKernelManager whose kernels run under bubblewrap with resource limits (see module doc)."""

    sandbox_user = Unicode(
        "", help="Unprivileged account the kernel runs as when started by root (empty: 'nobody')."
    ).tag(config=True)
    cpu_seconds = Integer(Limits.cpu_seconds, help="CPU-time limit of the kernel, seconds.").tag(config=True)
    memory_bytes = Integer(Limits.memory_bytes, help="Address-space limit of the kernel, bytes.").tag(config=True)
    processes = Integer(Limits.processes, help="Process limit (RLIMIT_NPROC) of the kernel's account.").tag(config=True)
    file_bytes = Integer(Limits.file_bytes, help="Largest file the kernel may write, bytes.").tag(config=True)
    network = Unicode("", help="'' (no network) or 'ckan' (CKAN only, through grader.relay; no token).")
    ckan_url = Unicode("", help="CKAN_URL given to kernels with network='ckan'.")
    ckan_sandbox_org = Unicode("", help="CKAN_SANDBOX_ORG given to kernels with network='ckan' (the student's).")

    _run_dir: Path | None = None
    _source_cwd: str | None = None
    _relay: UnixRelay | None = None

    @property
    def limits(self) -> Limits:
        return Limits(
            cpu_seconds=self.cpu_seconds,
            memory_bytes=self.memory_bytes,
            processes=self.processes,
            file_bytes=self.file_bytes,
        )

    def _account(self) -> str | None:
        return (self.sandbox_user or "nobody") if os.geteuid() == 0 else None

    def _new_run_dir(self) -> Path:
        """An empty private run directory with its ``work`` folder (grader.warm: one in the template's spool)."""
        run_dir = Path(tempfile.mkdtemp(prefix="testbed-kernel-"))
        (run_dir / "work").mkdir()
        return run_dir

    async def _async_pre_start_kernel(self, **kw):
        if self._run_dir is None:
            self._run_dir = self._new_run_dir()
            self._source_cwd = kw.get("cwd")
            src = Path(self._source_cwd).resolve() if self._source_cwd else None
            if src and src.is_dir() and src != Path(tempfile.gettempdir()).resolve() and src != Path("/"):
                shutil.copytree(src, self._run_dir / "work", dirs_exist_ok=True, symlinks=False)
            account = self._account()
            if account:
                uid, gid = uid_gid(account)
                for p in [self._run_dir, *self._run_dir.rglob("*")]:
                    os.lchown(p, uid, gid)
            os.chmod(self._run_dir, 0o700)
        self.transport = "ipc"
        self.ip = str(self._run_dir / "kernel")
        self.connection_file = str(self._run_dir / "connection.json")
        kw.pop("cwd", None)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        assert self._run_dir is not None
        account = self._account()
        if account:
            os.chown(self.connection_file, *uid_gid(account))
        env: dict[str, str] = {}
        if self.network == "ckan" and self.ckan_url:
            kernel_cmd, env = self._with_ckan_relay(kernel_cmd, account)
        cmd = bwrap_command(kernel_cmd, self._run_dir, self._run_dir / "work", env=env)
        kw["env"] = {"PATH": "/usr/bin:/bin"}  # bwrap's own; the kernel's is set by --clearenv/--setenv
        kw["cwd"] = str(self._run_dir)
        kw["preexec_fn"] = _preexec(self.limits, account)
        await super()._async_launch_kernel(cmd, **kw)

    def _with_ckan_relay(self, kernel_cmd: list[str], account: str | None) -> tuple[list[str], dict[str, str]]:
        """Start the trusted half of the CKAN relay; return the launcher command and the kernel's env."""
        url = urlsplit(self.ckan_url)
        port = url.port or (443 if url.scheme == "https" else 80)
        sock = str(self._run_dir / "ckan.sock")
        if self._relay is None:
            self._relay = UnixRelay(sock, (url.hostname or "127.0.0.1", port), uid_gid(account) if account else None)
            self._relay.start()
        inside = f"{url.scheme or 'http'}://127.0.0.1:{port}{url.path.rstrip('/')}"
        env = {"CKAN_URL": inside, "CKAN_SANDBOX_ORG": self.ckan_sandbox_org}
        env = {k: v for k, v in env.items() if v}  # never a token: anonymous reads only
        return launch_command(kernel_cmd[0], port, sock, kernel_cmd), env

    async def _async_interrupt_kernel(self) -> None:
        """Interrupt by message: a SIGINT to the process group would hit bwrap and kill the sandbox."""
        if self.has_kernel:
            self._connect_control_socket()
            self.session.send(self._control_socket, self.session.msg("interrupt_request", content={}))
        else:
            raise RuntimeError("Cannot interrupt kernel. No kernel is running!")

    interrupt_kernel = _async_interrupt_kernel

    def remove_run_dir(self) -> None:
        if self._relay is not None:
            self._relay.stop()
            self._relay = None
        if self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
            self._run_dir = None

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.remove_run_dir()

    cleanup_resources = _async_cleanup_resources  # the async alias of the base class points at its own method

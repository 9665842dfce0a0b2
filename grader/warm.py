"""Warm sandboxed kernels: one template per grading worker, one fresh forked kernel per submission.

A cold kernel (grader.sandbox) costs a Python start and the notebook's imports (pandas, matplotlib:
most of a second of CPU) for every notebook graded. Here each worker keeps a *template* running
inside the same bubblewrap sandbox (same binds, limits, anonymous uid, no network) that has done
those imports once (grader.forkserver); every submission gets a new process forked from it, in
namespaces of its own, and that process is ended with the submission (never reused). See
grader.forkserver for what separates one submission's kernel from the next one's.

Trusted side (the grading worker, root):

- ``Template``: starts and talks to one template (stdin/stdout JSON lines);
- ``WarmKernelManager``: the ``SandboxKernelManager`` whose kernel is forked by a template instead of
  started by bwrap (nbclient drives it like any other kernel manager; jupyter_client's provisioner
  is replaced by ``ForkProvisioner``).
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Any, DottedObjectName, default

from grader.relay import UnixRelay
from grader.sandbox import (
    BWRAP,
    SANDBOX_HOME,
    Limits,
    SandboxKernelManager,
    _preexec,
    _system_binds,
    sandbox_env,
)

SPOOL_ROOT = Path("/run/testbed-warm")
ENV_FILE = "kernel-env.json"  # grader.forkserver.ENV_FILE
START_TIMEOUT = 120.0


class TemplateError(RuntimeError):
    """The template could not start (the worker grades with cold kernels then) or fork (that notebook fails)."""


class Template:
    """One running template (a sandboxed, pre-imported Python waiting to fork kernels)."""

    def __init__(self, uid: int, *, modules: list[str], limits: Limits | None = None, sandbox: bool = True):
        self.uid = uid
        self.sandbox = sandbox  # False: benchmarks only (the sandbox's cost), template and kernels unconfined
        self.modules = modules
        self.limits = limits or Limits()
        self.spool: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.loaded: list[str] = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._pids: list[int] = []
        self._exited: dict[int, int] = {}
        self._seq = 0

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def command(self) -> list[str]:
        assert self.spool is not None
        with open(Path(__file__).with_name("forkserver.py"), encoding="utf-8") as f:
            source = f.read()
        python = str(Path(sys.prefix) / "bin" / "python3")
        if not self.sandbox:
            return [python, "-I", "-c", source, "serve", str(self.spool), json.dumps(self.modules), "--plain"]
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
            "--dir",
            SANDBOX_HOME,
            "--remount-ro",
            "/home",
            "--remount-ro",
            "/dev",
            "--tmpfs",
            "/run",
            "--bind",
            str(self.spool),
            str(self.spool),
            "--chdir",
            SANDBOX_HOME,
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
            *[x for k, v in sandbox_env().items() for x in ("--setenv", k, v)],
            "--",
            python,
            "-I",
            "-c",
            source,
            "serve",
            str(self.spool),
            json.dumps(self.modules),
        ]

    def start(self) -> None:
        SPOOL_ROOT.mkdir(mode=0o711, exist_ok=True)
        self.spool = Path(tempfile.mkdtemp(prefix=f"{self.uid}-", dir=SPOOL_ROOT))
        os.chown(self.spool, self.uid, self.uid)
        os.chmod(self.spool, 0o700)
        self.proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={"PATH": "/usr/bin:/bin"},
            cwd="/",
            # the template runs no trainee code and forks for hours in the autograder: no CPU limit of its own; each
            # kernel sets the configured one in itself before anything of the submission runs (forkserver)
            preexec_fn=_preexec(replace(self.limits, cpu_seconds=resource.RLIM_INFINITY), f"#{self.uid}"),
        )
        first = self._readline(START_TIMEOUT)
        if not first or "ready" not in first:
            self.stop()
            why = (first or {}).get("unavailable") or "it did not start"
            raise TemplateError(f"the warm kernel template cannot isolate kernels here: {why}")
        self.loaded = first["ready"]
        threading.Thread(target=self._read, daemon=True).start()

    def _readline(self, timeout: float) -> dict | None:
        assert self.proc is not None and self.proc.stdout is not None
        if not select.select([self.proc.stdout], [], [], timeout)[0]:
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            msg = json.loads(line)
            with self._cond:
                if "pid" in msg:
                    self._pids.append(msg["pid"])
                elif "exited" in msg:
                    self._exited[msg["exited"]] = msg["status"]
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _send(self, msg: dict) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(msg) + "\n").encode())
        self.proc.stdin.flush()

    def new_dir(self) -> Path:
        """A fresh submission directory in the spool (owned by the template's uid)."""
        assert self.spool is not None
        self._seq += 1
        d = self.spool / f"s{self._seq}"
        d.mkdir(mode=0o700)
        (d / "work").mkdir()
        return d

    def fork(self, sub: Path, env: dict[str, str], *, ckan_port: int = 0) -> int:
        """Fork a kernel for the submission directory ``sub``; its pid (in the template's namespace). ``env``
        goes to the kernel through a file in ``sub`` (the template never sees anything of a trainee)."""
        if not self.alive:
            raise TemplateError("the warm kernel template is not running")
        env_file = sub / ENV_FILE
        env_file.write_text(json.dumps(env), encoding="utf-8")
        os.chmod(env_file, 0o600)
        if os.geteuid() == 0:
            os.chown(env_file, self.uid, self.uid)
        with self._cond:
            self._pids.clear()
            self._send({"fork": str(sub), "ckan_port": ckan_port, "cpu": self.limits.cpu_seconds})
            if not self._cond.wait_for(lambda: self._pids or not self.alive, timeout=30):
                raise TemplateError("the warm kernel template did not answer")
            if not self._pids:
                raise TemplateError("the warm kernel template ended")
            return self._pids.pop(0)

    def poll(self, pid: int) -> int | None:
        with self._cond:
            if pid in self._exited:
                return self._exited[pid]
            return None if self.alive else -signal.SIGKILL

    def wait(self, pid: int, timeout: float | None = None) -> int | None:
        with self._cond:
            self._cond.wait_for(lambda: pid in self._exited or not self.alive, timeout=timeout)
        return self.poll(pid)

    def kill(self, pid: int) -> None:
        if self.alive and pid not in self._exited:
            try:
                self._send({"kill": pid})
            except OSError:
                pass

    def stop(self) -> None:
        if self.proc is not None:
            try:
                if self.proc.stdin:
                    self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.spool is not None:
            shutil.rmtree(self.spool, ignore_errors=True)
            self.spool = None


class _Forked:
    """Enough of a Popen for the provisioner: the forked kernel, known to the template by ``pid``."""

    def __init__(self, template: Template, pid: int):
        self.template, self.pid = template, pid

    def poll(self) -> int | None:
        return self.template.poll(self.pid)

    def wait(self, timeout: float | None = None) -> int | None:
        return self.template.wait(self.pid, timeout)

    def kill(self) -> None:
        self.template.kill(self.pid)

    terminate = kill

    def send_signal(self, signum: int) -> None:
        if signum in (signal.SIGKILL, signal.SIGTERM):
            self.kill()


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching by a template's fork instead of a new process."""

    template: Template | None = None
    sub_dir: Path | None = None
    kernel_env: dict[str, str] = {}
    ckan_port = 0

    async def launch_kernel(self, cmd, **kwargs):
        assert self.template is not None and self.sub_dir is not None
        pid = self.template.fork(self.sub_dir, self.kernel_env, ckan_port=self.ckan_port)
        self.process = _Forked(self.template, pid)
        self.pid, self.pgid = pid, None
        return self.connection_info

    async def wait(self):
        ret = None
        if self.process:
            while (ret := self.process.poll()) is None:
                await asyncio.sleep(0.01)
            self.process = None
        return ret

    async def send_signal(self, signum: int) -> None:
        if self.process:
            self.process.send_signal(signum)


class WarmKernelClient(AsyncKernelClient):
    """jupyter_client's client, without the fixed 0.2 s wait at the end of ``wait_for_ready``.

    Stock ``wait_for_ready`` ends by draining IOPub until nothing came for 0.2 s: a fixed cost per
    kernel, and a kernel lives for one notebook here. The messages it drains belong to the
    kernel_info exchange, and nbclient reads only messages whose parent is the request it sent, so
    leftovers are ignored anyway. Readiness is decided exactly as stock does: a kernel_info reply on
    shell, then any message on IOPub (ipykernel's welcome message, or the status), else start over."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    wait_for_ready = _async_wait_for_ready


class WarmKernelManager(SandboxKernelManager):
    """A sandboxed kernel forked from a warm template (see module doc); used for one notebook, then gone."""

    template = Any(None, help="The grader.warm.Template that forks this kernel.")
    client_class = DottedObjectName("grader.warm.WarmKernelClient")

    @default("client_factory")
    def _warm_client_factory(self):
        return WarmKernelClient

    def _new_run_dir(self) -> Path:
        assert self.template is not None
        return self.template.new_dir()

    def _account(self) -> str | None:
        return f"#{self.template.uid}" if os.geteuid() == 0 else None

    async def _async_pre_start_kernel(self, **kw):
        assert self.template is not None
        km_kw = await super()._async_pre_start_kernel(**kw)  # the run dir in the spool, the folder copied in
        # the parent made a LocalProvisioner; the kernel is forked instead
        local = self.provisioner
        prov = ForkProvisioner(kernel_id=local.kernel_id, kernel_spec=local.kernel_spec, parent=self)
        prov.connection_info = local.connection_info
        prov.ports_cached = getattr(local, "ports_cached", False)
        prov.template, prov.sub_dir = self.template, self._run_dir
        self.provisioner = prov
        return km_kw

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        assert self._run_dir is not None and self.template is not None
        os.chown(self.connection_file, self.template.uid, self.template.uid)
        env = sandbox_env()
        prov = self.provisioner
        assert isinstance(prov, ForkProvisioner)
        if self.network == "ckan" and self.ckan_url:
            from urllib.parse import urlsplit

            url = urlsplit(self.ckan_url)
            port = url.port or (443 if url.scheme == "https" else 80)
            if self._relay is None:
                sock = str(self._run_dir / "ckan.sock")
                self._relay = UnixRelay(sock, (url.hostname or "127.0.0.1", port), (self.template.uid,) * 2)
                self._relay.start()
            env["CKAN_URL"] = f"{url.scheme or 'http'}://127.0.0.1:{port}{url.path.rstrip('/')}"
            if self.ckan_sandbox_org:
                env["CKAN_SANDBOX_ORG"] = self.ckan_sandbox_org
            prov.ckan_port = port
        prov.kernel_env = env
        # skip SandboxKernelManager's bwrap launch: the provisioner forks
        await super(SandboxKernelManager, self)._async_launch_kernel(kernel_cmd, **kw)

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        """Kill and wait for the template's word that the kernel's namespace is gone (stock polls every
        0.1 s; this kernel ends within milliseconds of the kill)."""
        if self.has_kernel:
            await self.provisioner.kill(restart=restart)
            deadline = time.monotonic() + 5
            while await self.provisioner.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            if self.has_kernel:
                await self.provisioner.wait()


def course_imports(course_root: Path | str, assignment: str) -> list[str]:
    """Modules the assignment's source notebooks import (dotted, in order of first appearance).

    Only the instructor's source copy is read (never a submission), and a module that the course
    folder itself provides (like a checker package next to the notebook) is left out: it is the
    trainee's copy that a kernel must import."""
    folder = Path(course_root) / "source" / assignment
    found: list[str] = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells") or []
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source")
            source = "".join(source) if isinstance(source, list) else str(source or "")
            lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    local = (folder / f"{top}.py").exists() or (folder / top).is_dir()
                    if not local and name not in found and top != "__future__":
                        found.append(name)
    return found


_active: dict[str, object] = {}


def activate(uid: int, modules: list[str], limits: Limits | None = None, sandbox: bool = True) -> None:
    """Use warm kernels in this process (the grading worker): templates start on first use. ``sandbox=False``:
    benchmarks only, to measure what the sandbox costs on the warm path."""
    _active.update(uid=uid, modules=modules, limits=limits, template=None, sandbox=sandbox)


def active_template() -> Template | None:
    """The running template of this worker (started, or restarted if it ended), or None when warm
    kernels are off or cannot start here (then kernels start cold, as before)."""
    if not _active:
        return None
    template = _active.get("template")
    if isinstance(template, Template) and template.alive:
        return template
    if isinstance(template, Template):
        template.stop()
    template = Template(
        int(_active["uid"]), modules=list(_active["modules"]), limits=_active["limits"], sandbox=_active["sandbox"]
    )
    try:
        template.start()
    except (OSError, TemplateError) as e:
        import logging

        logging.getLogger("grader.warm").warning("warm kernels unavailable, grading with cold kernels: %s", e)
        _active.clear()
        return None
    _active["template"] = template
    return template


def deactivate() -> None:
    template = _active.get("template")
    if isinstance(template, Template):
        template.stop()
    _active.clear()

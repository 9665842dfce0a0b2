"""Spawner: every hub user runs as a real Unix account with a private home (when the hub is root)."""

from __future__ import annotations

import asyncio
import os
import pwd
import resource
import shutil
import subprocess
import time

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Bool, Dict, Integer, List, Unicode

from hub_config import teams
from hub_config.cgroups import Limits, UserCgroup, detect

# Run by every kernel of a trainee (IPython runs $PYTHONSTARTUP): explains in Japanese when a limit stopped one.
KERNEL_HOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel_limits.py")

# Shared by every spawner of the hub process: how many servers may be starting (importing) at once.
_start_slots: asyncio.Semaphore | None = None


class TestbedSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that maps hub user ``name`` to Unix user ``<prefix><name>`` and creates it.

    In demo mode (hub not root) every server runs as the hub's own account.

    Starts are queued: at most ``max_concurrent_starts`` servers start (import and load their
    extensions, ≈1.1 CPU-s each) at a time, in arrival order. When a whole class logs in at once,
    the first trainees are ready in seconds instead of everyone waiting until all are ready
    (benchmarks/bench_burst.py, 40 at once on 2 cores: median 23 s with 3 slots; stock JupyterHub's
    unordered starts 29 s in the same run. Slot counts measured earlier, at 1.8 CPU-s a start:
    median 28 s with 3 slots, 34 s with 2, 40 s with 6).
    """

    max_concurrent_starts = Integer(0, help="Servers starting at the same time (0: the number of CPU cores + 1).").tag(
        config=True
    )

    unix_user_prefix = Unicode("jupyter-", help="Prefix of the Unix account of each hub user.").tag(config=True)
    create_users = Bool(True, help="Create the Unix account on first spawn (hub must be root).").tag(config=True)
    kernel_socket_root = Unicode(
        "/run/testbed-kernels",
        help="Parent of each trainee's private runtime directory (kernel sockets); empty: TCP kernels.",
    ).tag(config=True)

    def ensure_runtime_dir(self) -> str:
        """``<kernel_socket_root>/<uid>``: the server's runtime files and its kernels' Unix sockets.

        Kernels then talk to their server over Unix sockets (``KernelManager.transport = ipc``) instead
        of loopback TCP ports: no port picked by one server can be taken by another's kernel in the
        same second (a class starting 40 kernels at once hit that), and no other account can reach a
        trainee's kernel ports. A short path under ``/run`` keeps socket paths below the 107-byte
        limit, which a runtime directory in the home does not (``~/.local/share/jupyter/runtime``).
        """
        if os.geteuid() != 0 or not self.kernel_socket_root:
            return ""
        pw = pwd.getpwnam(self.unix_name)
        os.makedirs(self.kernel_socket_root, mode=0o711, exist_ok=True)
        os.chmod(self.kernel_socket_root, 0o711)  # root's: nobody lists or adds entries
        path = os.path.join(self.kernel_socket_root, str(pw.pw_uid))
        if os.path.islink(path) or (os.path.exists(path) and not os.path.isdir(path)):
            os.unlink(path)
        os.makedirs(path, mode=0o700, exist_ok=True)
        os.chown(path, pw.pw_uid, pw.pw_gid)
        os.chmod(path, 0o700)
        return path

    @property
    def unix_name(self) -> str:
        if os.geteuid() != 0:
            return pwd.getpwuid(os.geteuid()).pw_name
        return self.unix_user_prefix + self.user.name

    def ensure_unix_user(self) -> None:
        if os.geteuid() != 0 or not self.create_users:
            return
        name = self.unix_name
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            subprocess.run(
                ["/usr/sbin/useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name],
                check=True,
                capture_output=True,
            )
            pw = pwd.getpwnam(name)
            if self.kernel_socket_root:  # a removed account's uid may come back: not its runtime files
                shutil.rmtree(os.path.join(self.kernel_socket_root, str(pw.pw_uid)), ignore_errors=True)
        os.chmod(pw.pw_dir, 0o700)  # trainees must not read each other's work

    log_dir = Unicode("", help="Directory for one log file per user server (instead of the hub's stdout).").tag(
        config=True
    )

    team_group = Unicode(
        "", help="Group of the team workspaces' hub users (hub_config/teams.py); '': no team workspaces."
    ).tag(config=True)
    team_config_dir = Unicode(
        "", help="Jupyter config directory put first for team workspaces: real-time collaboration on."
    ).tag(config=True)

    roster_db = Unicode(
        "", help="The cohort roster: which team (班) and course a team workspace's hub user stands for; optional."
    ).tag(config=True)

    @property
    def is_team(self) -> bool:
        """Is this server a team's shared workspace (its hub user in ``team_group``)?"""
        return bool(self.team_group) and any(g.name == self.team_group for g in self.user.groups)

    def run_pre_spawn_hook(self):
        # a team workspace has no CKAN account of its own (the spawn hook's CKAN user and sandbox): members publish
        # from their own servers; the workspace reads the public catalogue
        if self.is_team:
            return None
        return super().run_pre_spawn_hook()

    trainee_limits = Dict(
        {}, help="Limits of a trainee's server and kernels together: memory_mib, tasks, cpu_cores (0 or absent: none)."
    ).tag(config=True)
    instructor_limits = Dict({}, help="The same for hub admins and the names in instructor_names.").tag(config=True)
    instructor_names = List(Unicode(), help="Hub users who get instructor_limits (course instructors).").tag(
        config=True
    )
    cgroup_parent = Unicode("testbed", help="Parent cgroup of the per-user groups, in each controller hierarchy.").tag(
        config=True
    )

    @property
    def limits(self) -> Limits:
        """This user's limits: the instructors' for admins and instructors, the trainees' otherwise."""
        instructor = self.user.admin or self.user.name in self.instructor_names
        return Limits(**(self.instructor_limits if instructor else self.trainee_limits))

    def ensure_cgroup(self) -> UserCgroup | None:
        """The user's cgroup with the limits written, or None (not root, no limits, no writable cgroupfs)."""
        limits = self.limits
        version = detect() if os.geteuid() == 0 and limits.any else ""
        if not version:
            return None
        group = UserCgroup(self.unix_name, parent=self.cgroup_parent, version=version)
        if group.pids():  # left over from a server that died without a stop (its kernels, a fork bomb)
            group.kill_all()
        group.create(limits)
        return group

    def release_cgroup(self) -> None:
        """Kill what the server left behind in its cgroup and remove the group."""
        version = detect() if os.geteuid() == 0 else ""
        if not version:
            return
        group = UserCgroup(self.unix_name, parent=self.cgroup_parent, version=version)
        if not any(d.exists() for d in group.dirs):
            return
        if kills := group.oom_kills():
            self.log.info(
                "%s: %d process(es) stopped at the memory limit during this server's life", self.unix_name, kills
            )
        if killed := group.kill_all():
            self.log.info("%s: killed %d process(es) left after the server stopped", self.unix_name, killed)
        if busy := group.remove():
            self.log.warning("%s: cgroup not removed, processes left in %s", self.unix_name, busy)

    async def stop(self, now=False):
        await super().stop(now=now)
        await asyncio.to_thread(self.release_cgroup)

    async def poll(self):
        # a server found dead (e.g. while the hub was down) is never stop()ped: release its group here
        status = await super().poll()
        if status is not None and not self.pending and os.geteuid() == 0:
            await asyncio.to_thread(self.release_cgroup)
        return status

    def _slots(self) -> asyncio.Semaphore:
        global _start_slots
        if _start_slots is None:
            # one more than the cores: a start also waits (on the hub, on disk), the CPU stays busy
            _start_slots = asyncio.Semaphore(self.max_concurrent_starts or (os.cpu_count() or 1) + 1)
        return _start_slots

    async def start(self):
        async with self._slots():
            ip, port = await self._launch()
            await self._until_listening(ip, port, deadline=time.monotonic() + self.http_timeout)
        return ip, port

    async def _until_listening(self, ip: str, port: int, deadline: float) -> None:
        """Hold the start slot until the server accepts connections (or exits, or time runs out)."""
        while time.monotonic() < deadline and self.proc is not None and self.proc.poll() is None:
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), timeout=1)
            except (TimeoutError, OSError):
                await asyncio.sleep(0.1)
                continue
            writer.close()
            return

    async def _launch(self):
        self.ensure_unix_user()
        self._runtime_dir = self.ensure_runtime_dir()
        self._cgroup = await asyncio.to_thread(self.ensure_cgroup)
        if not self.log_dir:
            return await super().start()
        # The server must not write into the hub's stdout: when the hub restarts, that pipe closes and
        # the server's next log line would fail. Each server logs to its own file (opened here, as root).
        path = os.path.join(self.log_dir, f"{self.user.name}.log")
        os.makedirs(self.log_dir, mode=0o750, exist_ok=True)
        if os.path.exists(path) and os.path.getsize(path) > 5 * 1024 * 1024:
            os.replace(path, path + ".1")
        logfile = open(path, "ab")  # noqa: SIM115 (handed to the child, closed right after)
        try:
            self.popen_kwargs = {**self.popen_kwargs, "stdout": logfile, "stderr": subprocess.STDOUT}
            return await super().start()
        finally:
            logfile.close()

    def make_preexec_fn(self, name):
        setuid = set_user_setuid(self.unix_name)
        group = getattr(self, "_cgroup", None)
        tasks = self.limits.tasks if os.geteuid() == 0 else 0

        def preexec():
            # joined in the child before exec: the server and all it starts are limited from their first instruction
            if group is not None:
                group.join()
            elif tasks:  # no cgroups: at least the process count, per uid (RLIMIT_AS would break numpy/pandas)
                resource.setrlimit(resource.RLIMIT_NPROC, (tasks, tasks))
            setuid()

        return preexec

    def user_env(self, env):
        pw = pwd.getpwnam(self.unix_name)
        env["USER"] = pw.pw_name
        env["HOME"] = pw.pw_dir
        env["SHELL"] = pw.pw_shell or "/bin/bash"
        if getattr(self, "_runtime_dir", ""):
            env["JUPYTER_RUNTIME_DIR"] = self._runtime_dir
        if self.limits.any:
            env["PYTHONSTARTUP"] = KERNEL_HOOK
            env["TESTBED_LIMITS"] = f"{self.limits.memory_mib} {self.limits.tasks}"
        if self.is_team:
            # jupyter-collaboration's server and JupyterLab extensions, off in the shared venv, on here only
            if self.team_config_dir:
                env["JUPYTER_CONFIG_PATH"] = self.team_config_dir
            env.pop("TESTBED_GUIDE", None)  # the course guide is each trainee's own, not the team folder's
            # the team and its members' course: where its deliverable goes (hub_config/team_submit.py)
            team, course = teams.roster_team(self.roster_db, self.user.name)
            env[teams.TEAM_ENV], env[teams.COURSE_ENV] = team, course
        else:
            # the workshop kit is placed in team folders only (hub_config/singleuser.py)
            env.pop("TESTBED_WORKSHOP", None)
            env.pop("TESTBED_WORKSHOP_GUIDE", None)
        return env

    def get_args(self):
        args = super().get_args()
        if getattr(self, "_runtime_dir", ""):
            args.append("--KernelManager.transport=ipc")
        return args

"""Spawner: every hub user runs as a real Unix account with a private home (when the hub is root)."""

from __future__ import annotations

import os
import pwd
import subprocess

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Bool, Unicode


class TestbedSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that maps hub user ``name`` to Unix user ``<prefix><name>`` and creates it.

    In demo mode (hub not root) every server runs as the hub's own account.
    """

    unix_user_prefix = Unicode("jupyter-", help="Prefix of the Unix account of each hub user.").tag(config=True)
    create_users = Bool(True, help="Create the Unix account on first spawn (hub must be root).").tag(config=True)

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
        os.chmod(pw.pw_dir, 0o700)  # trainees must not read each other's work

    log_dir = Unicode("", help="Directory for one log file per user server (instead of the hub's stdout).").tag(
        config=True
    )

    async def start(self):
        self.ensure_unix_user()
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
        return set_user_setuid(self.unix_name)

    def user_env(self, env):
        pw = pwd.getpwnam(self.unix_name)
        env["USER"] = pw.pw_name
        env["HOME"] = pw.pw_dir
        env["SHELL"] = pw.pw_shell or "/bin/bash"
        return env

"""Small wrappers around the operating system: commands, Debian packages, Unix accounts."""

from __future__ import annotations

import grp
import os
import pwd
import shlex
import shutil
import subprocess
from pathlib import Path

from testbed_cli.errors import SetupError

# util-linux puts runuser in /usr/sbin, which a minimal PATH (like the one given to subprocesses) lacks
RUNUSER = shutil.which("runuser", path="/usr/sbin:/usr/bin:/sbin:/bin") or "runuser"


def is_root() -> bool:
    return os.geteuid() == 0


def run(
    cmd: list[str],
    *,
    user: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
    capture: bool = True,
    input: str | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess:
    """Run a command (as ``user`` when root); on failure raise SetupError with its output."""
    if user and is_root() and user != "root":
        cmd = [RUNUSER, "-u", user, "--", *cmd]
    full_env = None
    if env is not None:
        full_env = {**os.environ, **env}
    proc = subprocess.run(
        cmd,
        env=full_env,
        cwd=cwd,
        text=True,
        input=input,
        capture_output=capture,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        out = ((proc.stdout or "") + (proc.stderr or "")).strip()
        tail = "\n".join(out.splitlines()[-25:])
        raise SetupError(f"コマンドが失敗しました (終了コード {proc.returncode}): {shlex.join(cmd)}\n{tail}")
    return proc


def missing_debs(packages: list[str]) -> list[str]:
    missing = []
    for pkg in packages:
        proc = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
        if "ok installed" not in proc.stdout:
            missing.append(pkg)
    return missing


def ensure_debs(packages: list[str], log=print) -> list[str]:
    """Install missing Debian packages (root or passwordless sudo); return what was installed."""
    missing = missing_debs(packages)
    if not missing:
        return []
    sudo: list[str] = []
    if not is_root():
        if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
            sudo = ["sudo"]
        else:
            raise SetupError(
                "必要な Debian パッケージが入っていません: " + " ".join(missing) + "\n"
                "管理者 (root) に次のコマンドを実行してもらってから、もう一度 ./testbed up を実行してください:\n"
                f"  sudo apt-get install -y {' '.join(missing)}"
            )
    log(f"Debian パッケージを入れています: {' '.join(missing)}")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    lists = Path("/var/lib/apt/lists")
    if not any(lists.glob("*Packages*")):
        run([*sudo, "apt-get", "update", "-q"], env=env)
    proc = run([*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env, check=False)
    if proc.returncode != 0:
        # a stale package list is the usual cause: refresh once and retry
        run([*sudo, "apt-get", "update", "-q"], env=env)
        run([*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env)
    return missing


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def ensure_group(name: str) -> None:
    if not group_exists(name):
        run(["groupadd", "--system", name])


def ensure_system_user(name: str, home: Path) -> None:
    """A no-login system account that owns a service's files."""
    if not user_exists(name):
        run(["useradd", "--system", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin", name])


def ensure_login_user(name: str, home: Path, groups: list[str] = ()) -> None:
    """A real Unix account for a hub user, with a private (0700) home."""
    if not user_exists(name):
        run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", "--user-group", name])
    for g in groups:
        ensure_group(g)
        run(["usermod", "-a", "-G", g, name])
    pw = pwd.getpwnam(name)
    home = Path(pw.pw_dir)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, pw.pw_uid, pw.pw_gid)
    os.chmod(home, 0o700)


def chown(path: Path, user: str, group: str | None = None, recursive: bool = False) -> None:
    if not is_root():
        return
    pw = pwd.getpwnam(user)
    gid = grp.getgrnam(group).gr_gid if group else pw.pw_gid
    os.chown(path, pw.pw_uid, gid)
    if recursive:
        for root, dirs, files in os.walk(path):
            for n in dirs + files:
                os.lchown(os.path.join(root, n), pw.pw_uid, gid)

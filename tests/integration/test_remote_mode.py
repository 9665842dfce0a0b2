"""Remote mode's sign-in on a second, throw-away hub: sign up → pending → an instructor approves → signed in.

The shared stack runs in on-site mode and must not be switched, so this module starts a second
JupyterHub (with its own proxy, started by that hub) from the checkout's ``hub_config`` with a
temporary stack config in remote mode: free loopback ports, a temporary state directory with
freshly generated secrets, and the staff password in its own ``passwords.sqlite``. No single-user
server is spawned; the hub and everything it started are stopped afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml

from hub_config import passwords

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
STAFF_PASSWORD = "staff-" + secrets.token_hex(6)
START_TIMEOUT = 40


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _children(pid: int) -> set[int]:
    """All descendants of a process (the proxy and the culler the hub started)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                kids = {int(k) for k in task.read_text().split()}
            except OSError:
                continue
            todo.extend(kids - found)
            found |= kids
    return found


def _write_state(tmp: Path, layout) -> Path:
    """A temporary stack config in remote mode, and the secrets and staff password its hub reads."""
    hub, proxy_api, hub_api = _free_ports(3)
    state = tmp / "state"
    sec = state / "secrets"
    sec.mkdir(parents=True, mode=0o700)
    for name in ("proxy-auth-token", "hub-admin-token", "formgrader-odtb-token", "progress-odtb-token"):
        (sec / name).write_text(secrets.token_urlsafe(32) + "\n")
    (sec / "hub-cookie-secret").write_text(secrets.token_hex(32) + "\n")
    for f in sec.iterdir():
        f.chmod(0o600)
    stack = {
        "mode": "remote",
        "state_dir": str(state),
        "prefix": str(layout.cfg.prefix),  # the installed venvs and proxy of the running stack
        "ports": {"hub": hub, "hub_api": hub_api, "proxy_api": proxy_api, "services": _free_ports(1)[0]},
        "admins": ["instructor"],
    }
    (tmp / "stack.yaml").write_text(yaml.safe_dump(stack), encoding="utf-8")
    passwords.set_password(state / "hub" / "passwords.sqlite", "instructor", STAFF_PASSWORD)
    overrides = state / "hub" / "jupyterhub_config.d"
    overrides.mkdir(parents=True)
    # this hub starts (and on exit stops) its own proxy, unlike the stack's supervised one
    (overrides / "test-proxy.py").write_text(
        "c.ConfigurableHTTPProxy.should_start = True\n"
        f"c.ConfigurableHTTPProxy.command = [{str(layout.chp)!r}]\n"
        f"c.ConfigurableHTTPProxy.pid_file = {str(tmp / 'proxy.pid')!r}\n"
        "c.JupyterHub.cleanup_proxy = True\n"
        # no formgrader/progress board runs for this hub: without them it starts at once (it waits ~30 s each)
        "_ext = {s['name'] for s in c.JupyterHub.services if 'url' in s}\n"
        "c.JupyterHub.services = [s for s in c.JupyterHub.services if s['name'] not in _ext]\n"
        "c.JupyterHub.load_roles = [r for r in c.JupyterHub.load_roles\n"
        "                           if not any(n in str(r) for n in _ext)]\n"
    )
    return tmp / "stack.yaml"


class RemoteHub:
    """The second hub's process (and whatever it started), restartable on the same state."""

    def __init__(self, layout, tmp: Path, stack: Path):
        self.layout, self.tmp, self.stack = layout, tmp, stack
        cfg = yaml.safe_load(stack.read_text())
        self.url = f"http://127.0.0.1:{cfg['ports']['hub']}"
        self.token = ""
        self.state = Path(cfg["state_dir"])
        self.log = tmp / "hub.log"
        self.proc: subprocess.Popen | None = None
        self.started: set[int] = set()

    def start(self) -> None:
        env = {**os.environ, "TESTBED_STACK": str(self.stack), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(self.layout.hub_venv / "bin" / "jupyterhub"), "-f", str(REPO / "hub_config/jupyterhub_config.py")],
                cwd=self.tmp,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            self.started |= _children(self.proc.pid)
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"second hub did not come up; its log:\n{self.log.read_text(errors='replace')[-4000:]}")
            time.sleep(0.5)
        self.token = (self.state / "secrets" / "hub-admin-token").read_text().strip()

    def stop(self) -> None:
        self.started |= _children(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in self.started:  # whatever the hub did not stop itself (proxy, culler)
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.started = set()


@pytest.fixture(scope="module")
def remote_hub_process(tmp_path_factory, layout):
    """A second hub in remote mode (RemoteHub), stopped with all it started."""
    tmp = tmp_path_factory.mktemp("remote-hub")
    hub = RemoteHub(layout, tmp, _write_state(tmp, layout))
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture
def remote_hub(remote_hub_process):
    """(public URL, operator token, its log) of the second hub."""
    return remote_hub_process.url, remote_hub_process.token, remote_hub_process.log


def _text(r: requests.Response) -> str:
    return r.content.decode("utf-8")  # the hub's pages declare UTF-8 in <meta>, not in Content-Type


def _xsrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    page.raise_for_status()
    return re.search(r'name="_xsrf" value="([^"]+)"', _text(page)).group(1)


def _sign_up(url: str, name: str, password: str, confirmation: str | None = None) -> requests.Response:
    s = requests.Session()
    form = {
        "_xsrf": _xsrf(s, f"{url}/hub/signup"),
        "username": name,
        "signup_password": password,
        "signup_password_confirmation": password if confirmation is None else confirmation,
    }
    return s.post(f"{url}/hub/signup", data=form, timeout=10)


def _login(url: str, name: str, password: str) -> tuple[requests.Session, requests.Response]:
    s = requests.Session()
    form = {"_xsrf": _xsrf(s, f"{url}/hub/login"), "username": name, "password": password}
    return s, s.post(f"{url}/hub/login?next=", data=form, timeout=10, allow_redirects=False)


def test_sign_up_waits_for_approval_then_signs_in(remote_hub, unique):
    """Is a new sign-up refused at login while pending, approved by an instructor, then signed in to the course?"""
    url, token, _ = remote_hub
    name, password = f"trainee-{unique()}", "midorino-" + secrets.token_hex(4)

    page = _sign_up(url, name, password)
    assert page.status_code == 200
    assert "登録を受け付けました" in _text(page) and "受講登録" in _text(page)

    _, pending = _login(url, name, password)
    assert pending.status_code == 403  # the sign-in page again, no redirect into the hub
    assert "承認を待っています" in _text(pending)

    admin, ok = _login(url, "instructor", STAFF_PASSWORD)
    assert ok.status_code == 302
    area = admin.get(f"{url}/hub/authorize", timeout=10)
    assert area.status_code == 200 and name in _text(area) and "承認待ち" in _text(area)
    approve = admin.get(f"{url}/hub/authorize/{name}", timeout=10, allow_redirects=False)
    assert approve.status_code == 302

    session, signed_in = _login(url, name, password)
    assert signed_in.status_code == 302
    home = session.get(f"{url}/hub/home", timeout=10, allow_redirects=False)
    assert home.status_code == 200 and name in _text(home)
    # the new trainee is in the course (nbgrader and the progress board read the group)
    user = requests.get(f"{url}/hub/api/users/{name}", headers={"Authorization": f"token {token}"}, timeout=10)
    assert user.json()["groups"] == ["nbgrader-odtb"]
    # a signed-in trainee may not see or change approvals
    assert session.get(f"{url}/hub/authorize", timeout=10).status_code == 403
    assert session.get(f"{url}/hub/authorize/{name}", timeout=10, allow_redirects=False).status_code == 403
    assert _login(url, name, password)[1].status_code == 302  # still approved

    _, wrong = _login(url, name, password + "x")
    assert wrong.status_code == 403 and "パスワードが違います" in _text(wrong)


def _approved_trainee(url: str, admin: requests.Session, name: str, password: str) -> None:
    assert "登録を受け付けました" in _text(_sign_up(url, name, password))
    assert admin.get(f"{url}/hub/authorize/{name}", timeout=10, allow_redirects=False).status_code == 302


def _post_form(session: requests.Session, url: str, **fields) -> requests.Response:
    return session.post(url, data={"_xsrf": _xsrf(session, url), **fields}, timeout=10)


def test_instructor_resets_a_forgotten_password_and_trainees_change_their_own(remote_hub, unique):
    """Can an admin set a new password for a trainee (a trainee cannot for others), and a trainee change their own?"""
    url, *_ = remote_hub
    admin, _ = _login(url, "instructor", STAFF_PASSWORD)
    name, other = f"trainee-{unique()}", f"trainee-{unique()}"
    _approved_trainee(url, admin, name, "first-pass-123")
    _approved_trainee(url, admin, other, "other-pass-123")

    page = _post_form(
        admin,
        f"{url}/hub/change-password/{name}",
        new_password="reset-pass-456",
        new_password_confirmation="reset-pass-456",
    )
    assert "パスワードを変更しました" in _text(page)
    assert _login(url, name, "first-pass-123")[1].status_code == 403
    trainee, ok = _login(url, name, "reset-pass-456")
    assert ok.status_code == 302

    forbidden = trainee.post(
        f"{url}/hub/change-password/{other}",
        timeout=10,
        data={
            "_xsrf": _xsrf(trainee, f"{url}/hub/change-password"),
            "new_password": "hijack-pass-1",
            "new_password_confirmation": "hijack-pass-1",
        },
    )
    assert forbidden.status_code == 403
    assert _login(url, other, "other-pass-123")[1].status_code == 302

    wrong = _post_form(
        trainee,
        f"{url}/hub/change-password",
        old_password="nope-nope-1",
        new_password="mine-pass-789",
        new_password_confirmation="mine-pass-789",
    )
    assert "今のパスワードが違います" in _text(wrong)
    done = _post_form(
        trainee,
        f"{url}/hub/change-password",
        old_password="reset-pass-456",
        new_password="mine-pass-789",
        new_password_confirmation="mine-pass-789",
    )
    assert "パスワードを変更しました" in _text(done)
    assert _login(url, name, "mine-pass-789")[1].status_code == 302

    staff_page = admin.get(f"{url}/hub/change-password", timeout=10)
    assert staff_page.status_code == 200 and "運用者に依頼してください" in _text(staff_page)


def test_nobody_can_sign_up_as_staff_or_with_a_weak_password(remote_hub, unique):
    """Are staff or grader names, non-ASCII names, a short password and a mismatched confirmation refused?"""
    url, *_ = remote_hub
    for taken in ("instructor", "grader-odtb"):
        page = _sign_up(url, taken, "long-enough-1234")
        assert "すでに使われています" in _text(page)
    _, staff = _login(url, "instructor", "long-enough-1234")
    assert staff.status_code == 403  # only the stored staff password signs an instructor in

    assert "8 文字以上" in _text(_sign_up(url, f"t-{unique()}", "short"))
    assert "24 文字以内" in _text(_sign_up(url, "佐藤花子", "long-enough-1234"))  # not a Unix account name
    assert "一致しません" in _text(_sign_up(url, f"t-{unique()}", "long-enough-1234", "long-enough-12345"))


def test_idle_culler_runs_as_a_hub_service(remote_hub):
    """Did the hub start the idle culler, and may it list users with their servers (its scoped role)?"""
    url, token, log = remote_hub
    r = requests.get(f"{url}/hub/api/services", headers={"Authorization": f"token {token}"}, timeout=10)
    r.raise_for_status()
    culler = r.json()["idle-culler"]
    assert "--timeout=3600" in culler["command"]  # the default idle_timeout_minutes
    os.kill(culler["pid"], 0)  # alive
    # its first pass runs at start: the hub logs who asked and what it answered
    deadline = time.monotonic() + 10
    while "GET /hub/api/users?state=[secret] (idle-culler@" not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the idle culler never asked the hub for its users"
        time.sleep(0.5)
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if "(idle-culler@" in ln]
    assert lines and all(" 200 " in ln for ln in lines), lines


def test_a_hub_restart_keeps_signed_up_trainees_in_their_course(remote_hub_process, unique):
    """After a restart, is every approved sign-up still (or again) in the course group, with no start-up error?"""
    url, token = remote_hub_process.url, remote_hub_process.token
    name, password = f"trainee-{unique()}", "midorino-" + secrets.token_hex(4)
    admin, _ = _login(url, "instructor", STAFF_PASSWORD)
    _approved_trainee(url, admin, name, password)
    assert _login(url, name, password)[1].status_code == 302
    api = {"Authorization": f"token {token}"}
    requests.delete(f"{url}/hub/api/groups/nbgrader-odtb/users", headers=api, json={"users": [name]}, timeout=10)
    remote_hub_process.stop()
    remote_hub_process.start()
    user = requests.get(f"{url}/hub/api/users/{name}", headers={"Authorization": f"token {remote_hub_process.token}"})
    assert user.json()["groups"] == ["nbgrader-odtb"]
    assert "Error adding user" not in remote_hub_process.log.read_text(errors="replace")

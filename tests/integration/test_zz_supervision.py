"""Crash recovery and persistence of the running stack (runs last: it restarts services).

Is a killed CKAN web process or hub brought back by the supervisor, with nothing lost?
Does `./testbed down` then `./testbed up` keep every dataset, user and file?
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def _testbed(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "testbed"), *args], capture_output=True, text=True, timeout=timeout)


def _pid(layout, name: str) -> int:
    from testbed_cli import supervisor

    return supervisor.states(layout)[name]["pid"]


def _restarted(layout, name: str, old: int) -> bool:
    """A new process that the supervisor counts as up (it stayed alive past startsecs).

    Health alone is not enough right after a SIGKILL: the dead master's orphaned workers may still
    answer for a moment on the inherited socket.
    """
    from testbed_cli import supervisor

    info = supervisor.states(layout)[name]
    return info["pid"] not in (0, old) and info["statename"] == "RUNNING"


def _wait(check, timeout: float = 90, stable: float = 3.0) -> bool:
    """True once ``check`` has held continuously for ``stable`` seconds (within ``timeout``)."""
    deadline = time.monotonic() + timeout
    since = None
    while time.monotonic() < deadline:
        try:
            ok = check()
        except Exception:
            ok = False
        if ok:
            since = since or time.monotonic()
            if time.monotonic() - since >= stable:
                return True
        else:
            since = None
        time.sleep(0.3)
    return False


@pytest.fixture
def marker_dataset(ckan_admin, unique):
    org = ckan_admin.action.organization_create(name=f"org-{unique()}", title="再起動テスト課")
    ds = ckan_admin.action.package_create(
        name=f"ds-{unique()}", title="再起動しても消えないデータ", owner_org=org["id"]
    )
    yield ds
    ckan_admin.action.dataset_purge(id=ds["id"])
    ckan_admin.action.organization_purge(id=org["id"])


def test_killed_ckan_web_comes_back(layout, ckan_admin, marker_dataset):
    """Is CKAN's web server restarted by the supervisor after a SIGKILL, with the data intact?"""
    from testbed_cli import ckan

    old = _pid(layout, "ckan-web")
    os.kill(old, signal.SIGKILL)
    assert _wait(lambda: _restarted(layout, "ckan-web", old) and ckan.is_healthy(layout))
    assert ckan_admin.action.package_show(id=marker_dataset["id"])["title"] == "再起動しても消えないデータ"


def test_killed_hub_comes_back_and_trainee_server_survives(layout, hub, trainee):
    """Is the hub restarted after a SIGKILL, and does the trainee's running server stay reachable?"""
    from testbed_cli import hub as hubmod

    hub.run_code(trainee, "open('keep.txt', 'w').write('まだある')")
    old = _pid(layout, "hub")
    os.kill(old, signal.SIGKILL)
    assert _wait(lambda: _restarted(layout, "hub", old) and hubmod.hub_healthy(layout))
    user = hub.request("GET", f"/users/{trainee}").json()
    assert user["servers"][""]["ready"]
    out = hub.run_code(trainee, "print(open('keep.txt').read())")
    assert out["stdout"].strip() == "まだある"


def test_down_then_up_keeps_datasets_users_and_files(layout, hub, ckan_admin, marker_dataset, unique):
    """Does `./testbed down` then `./testbed up` keep every dataset, hub user and trainee file?"""
    name = f"tr{unique()}"
    hub.create_user(name)
    hub.start_server(name)
    try:
        hub.run_code(name, "open('work.txt', 'w').write('研修のメモ')")
        down = _testbed("down")
        assert down.returncode == 0, down.stderr
        st = _testbed("status", "--json")
        assert st.returncode != 0
        up = _testbed("up")
        assert up.returncode == 0, up.stderr[-3000:]
        assert ckan_admin.action.package_show(id=marker_dataset["id"])["name"] == marker_dataset["name"]
        assert hub.request("GET", f"/users/{name}").status_code == 200
        hub.start_server(name)
        out = hub.run_code(name, "print(open('work.txt').read())")
        assert out["stdout"].strip() == "研修のメモ"
    finally:
        hub.delete_user(name)

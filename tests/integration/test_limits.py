"""Per-trainee limits on the running stack: a kernel past the memory limit and a fork bomb are stopped, the
trainee's server survives and gets a Japanese explanation, and another trainee's cells stay fast meanwhile.

Needs the hub running as root on a machine with a writable cgroupfs (hub_config/cgroups.py).
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import websocket

from hub_config.cgroups import detect

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0 or not detect(), reason="needs root and a writable cgroupfs"),
]

LATENCY_LIMIT = 0.2  # seconds, for a trivial cell of another trainee


class Kernel:
    """One kernel of a trainee's server over its websocket: run cells, notice restarts."""

    def __init__(self, hub, name: str):
        self.hub, self.name = hub, name
        self.base = f"{hub.public}/user/{name}/api"
        r = requests.post(f"{self.base}/kernels", headers=hub._h(), json={"name": "python3"}, timeout=60)
        assert r.status_code == 201, r.text
        self.id = r.json()["id"]
        url = self.base.replace("http", "ws", 1) + f"/kernels/{self.id}/channels"
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {hub.token}"], timeout=60)
        self.session = uuid.uuid4().hex
        self.restarted = False

    def run(self, code: str, timeout: float = 60) -> dict:
        """Run ``code``; {'stdout', 'error', 'restarted'} (restarted: the kernel died while running it)."""
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "username": self.name, "session": self.session}
        header |= {"msg_type": "execute_request", "version": "5.3"}
        content = {"code": code, "silent": False, "store_history": False, "user_expressions": {}}
        content |= {"allow_stdin": False, "stop_on_error": True}
        self.ws.send(
            json.dumps(
                {"header": header, "parent_header": {}, "metadata": {}, "channel": "shell"} | {"content": content}
            )
        )
        out = {"stdout": "", "error": None, "restarted": False}
        deadline = time.monotonic() + timeout
        self.ws.settimeout(timeout)
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            kind, body = msg["msg_type"], msg.get("content", {})
            if kind == "status" and body.get("execution_state") in ("restarting", "dead"):
                out["restarted"] = True
                return out
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "stream":
                out["stdout"] += body["text"]
            elif kind == "error":
                out["error"] = f"{body['ename']}: {body['evalue']}"
            elif kind == "status" and body["execution_state"] == "idle":
                return out
        raise AssertionError(f"cell did not finish in {timeout:g} s")

    def run_when_back(self, code: str, timeout: float = 90) -> dict:
        """Run ``code`` once the restarted kernel answers again, as JupyterLab does.

        The kernel is asked for its info (which runs no cell) until its iopub status for that request
        arrives, the "nudge" jupyter_server and JupyterLab use; only then is ``code`` sent, once. Right after
        a restart the iopub channel is connected after the shell channel: a cell sent as soon as the shell
        answers ran, but its output (the explanation printed above it) was lost, and a retried cell showed
        only its own output.
        """
        deadline = time.monotonic() + timeout
        while not self._answers(timeout=5):
            if time.monotonic() > deadline:
                raise AssertionError(f"the kernel did not come back within {timeout:g} s")
        return self.run(code, timeout=max(10.0, deadline - time.monotonic()))

    def _answers(self, timeout: float) -> bool:
        """True when the iopub status of a kernel_info_request arrives within ``timeout`` seconds."""
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "username": self.name, "session": self.session}
        header |= {"msg_type": "kernel_info_request", "version": "5.3"}
        self.ws.send(
            json.dumps({"header": header, "parent_header": {}, "metadata": {}, "channel": "shell"} | {"content": {}})
        )
        deadline = time.monotonic() + timeout
        self.ws.settimeout(timeout)
        try:
            while time.monotonic() < deadline:
                msg = json.loads(self.ws.recv())
                if msg.get("channel") == "iopub" and msg["msg_type"] == "status":
                    if msg.get("parent_header", {}).get("msg_id") == msg_id:
                        return True
        except websocket.WebSocketTimeoutException:
            pass
        return False

    def close(self) -> None:
        self.ws.close()
        requests.delete(f"{self.base}/kernels/{self.id}", headers=self.hub._h(), timeout=30)


class LatencyProbe(threading.Thread):
    """Another trainee running a trivial cell every 50 ms, timing each."""

    def __init__(self, kernel: Kernel):
        super().__init__(daemon=True)
        self.kernel, self.times, self.stop = kernel, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            t = time.monotonic()
            self.kernel.run("1 + 1", timeout=30)
            self.times.append(time.monotonic() - t)
            time.sleep(0.05)

    def report(self) -> dict:
        self.stop.set()
        self.join(timeout=35)
        ts = sorted(self.times)
        return {"n": len(ts), "median": statistics.median(ts), "p95": ts[int(0.95 * (len(ts) - 1))], "max": ts[-1]}


@pytest.fixture
def other_trainee(hub, unique, layout, ckan_url):
    """A second trainee with a running server, running trivial cells (as the conftest ``trainee`` fixture)."""
    from ckan_seed.trainees import remove_trainee

    name = f"tr{unique()}"
    hub.create_user(name)
    hub.start_server(name)
    kernel = Kernel(hub, name)
    kernel.run("1 + 1")  # warm
    yield kernel
    kernel.close()
    hub.delete_user(name)
    token = (layout.secrets / "ckan-admin-token").read_text().strip()
    remove_trainee(ckan_url, token, name, token_db=layout.hub_dir / "ckan-tokens.sqlite")


def cgroup_dir(stack_config, controller: str, name: str) -> Path:
    return Path("/sys/fs/cgroup") / controller / "testbed" / f"{stack_config.unix_user_prefix}{name}"


def test_is_a_kernel_past_the_memory_limit_stopped_and_explained_while_others_stay_fast(
    hub, trainee, other_trainee, stack_config
):
    """A kernel allocating without end is stopped at the trainee's limit; the server lives on, the restarted
    kernel's first cell explains in Japanese, and another trainee's cells stay under 200 ms meanwhile."""
    limit = stack_config.limits.trainee_memory_mib
    assert (cgroup_dir(stack_config, "memory", trainee) / "memory.limit_in_bytes").read_text().strip() == str(
        limit << 20
    )
    kernel = Kernel(hub, trainee)
    probe = LatencyProbe(other_trainee)
    probe.start()
    time.sleep(1)
    try:
        t = time.monotonic()
        out = kernel.run("blocks = []\nwhile True:\n    blocks.append(b'x' * (32 << 20))", timeout=120)
        stopped_after = time.monotonic() - t
        assert out["restarted"] or (out["error"] or "").startswith("MemoryError"), out
        after = kernel.run_when_back("print('ok')")
        time.sleep(1)
    finally:
        latency = probe.report()
        kernel.close()
    print(f"\nmemory: stopped after {stopped_after:.1f} s; other trainee's cells {latency}")
    assert "メモリの上限" in after["stdout"] and "ok" in after["stdout"], after
    assert hub.run_code(trainee, "print(6 * 7)")["stdout"].strip() == "42"  # the server survived
    assert latency["n"] > 5 and latency["p95"] < LATENCY_LIMIT, latency


BOMB = """
import os, time
end, parent, made, refused = time.time() + 4, os.getpid(), 0, 0
while time.time() < end:
    try:
        if os.fork() == 0:
            made = refused = 0
            continue
        made += 1
    except OSError:
        refused += 1
        time.sleep(0.05)
while True:  # every process reaps its own children before leaving: nothing outlives the cell
    try:
        os.wait()
    except ChildProcessError:
        break
if os.getpid() != parent:
    os._exit(0)
print(made, refused)
"""


def test_is_a_fork_bomb_stopped_at_the_process_limit_while_others_stay_fast(hub, trainee, other_trainee, stack_config):
    """An exponential fork bomb (4 s, then it unwinds) never holds more tasks than the limit, the kernel
    keeps working, another trainee's cells stay under 200 ms, and stopping the server empties its cgroup."""
    tasks = stack_config.limits.trainee_processes
    pids = cgroup_dir(stack_config, "pids", trainee)
    assert (pids / "pids.max").read_text().strip() == str(tasks)
    kernel = Kernel(hub, trainee)
    probe = LatencyProbe(other_trainee)
    probe.start()
    time.sleep(1)
    try:
        t = time.monotonic()
        out = kernel.run(BOMB, timeout=60)
        took = time.monotonic() - t
        explained = kernel.run("raise BlockingIOError(11, 'Resource temporarily unavailable')")
    finally:
        latency = probe.report()
        kernel.close()
    peak = int((pids / "pids.peak").read_text()) if (pids / "pids.peak").exists() else None
    print(
        f"\nfork bomb: {out['stdout'].strip()} (forks, refusals by the first process) in {took:.1f} s; "
        f"peak tasks {peak}; other trainee's cells {latency}"
    )
    assert out["error"] is None and not out["restarted"], out
    made, refused = map(int, out["stdout"].split())
    assert refused > 0
    assert peak is None or peak <= tasks
    assert "上限" in explained["stdout"]
    assert latency["n"] > 5 and latency["p95"] < LATENCY_LIMIT, latency
    r = hub.request("DELETE", f"/users/{trainee}/server")
    assert r.status_code in (202, 204), r.text
    deadline = time.monotonic() + 30
    while pids.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pids.exists(), "the trainee's cgroup was not removed when the server stopped"

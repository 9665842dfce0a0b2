"""The proxy's routing table outlives the proxy (hub_config/proxy_routes.cjs, CHP's --storage-backend).

A real configurable-http-proxy, the one the stack runs, on spare ports with its own routes file: does a route the
hub added still send requests to the trainee's server after the proxy was killed with SIGKILL and started again,
before anyone re-adds it? Is a removed route gone after the restart, is the file private, and does a broken file
leave a proxy that starts (empty) instead of one that cannot?
"""

from __future__ import annotations

import http.server
import os
import signal
import socket
import stat
import subprocess
import threading
import time

import pytest
import requests

pytestmark = pytest.mark.integration
TOKEN = "test-proxy-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = f"server {self.server.server_port}: {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def backend():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_port
    srv.shutdown()


@pytest.fixture
def proxy(layout, tmp_path, backend):
    """start() runs CHP with the persistent store exactly as hub.proxy_command builds it (ports swapped)."""
    from testbed_cli import hub

    public, api = _free_port(), _free_port()
    routes = tmp_path / "routes.json"
    cmd = hub.proxy_command(layout)
    for flag, port in (("--port", public), ("--api-port", api), ("--default-target", backend)):
        cmd[cmd.index(flag) + 1] = str(port) if flag != "--default-target" else f"http://127.0.0.1:{port}"
    cmd[cmd.index("--ip") + 1] = "127.0.0.1"
    env = {"PATH": os.environ["PATH"], "CONFIGPROXY_AUTH_TOKEN": TOKEN, "TESTBED_PROXY_ROUTES": str(routes)}
    procs = []

    def start():
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(p)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{api}/api/routes", headers=_auth(), timeout=1)
                return p
            except requests.ConnectionError:
                time.sleep(0.1)
        p.kill()
        raise AssertionError("the proxy did not start: " + (p.stdout.read() if p.stdout else ""))

    yield {"start": start, "public": public, "api": api, "routes": routes}
    for p in procs:
        p.kill()
        p.wait()


def _auth() -> dict:
    return {"Authorization": f"token {TOKEN}"}


def test_routes_survive_a_killed_proxy(proxy, tmp_path):
    trainee_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=trainee_server.serve_forever, daemon=True).start()
    try:
        port = trainee_server.server_port
        api = f"http://127.0.0.1:{proxy['api']}/api/routes"
        p = proxy["start"]()
        for user, target in (("alice", f"http://127.0.0.1:{port}"), ("bob", "http://127.0.0.1:9")):
            r = requests.post(f"{api}/user/{user}", headers=_auth(), json={"target": target, "user": user})
            assert r.status_code == 201, r.text
        assert requests.delete(f"{api}/user/bob", headers=_auth()).status_code == 204
        assert stat.S_IMODE(os.stat(proxy["routes"]).st_mode) == 0o600
        os.kill(p.pid, signal.SIGKILL)
        p.wait()

        proxy["start"]()  # nobody re-adds anything
        routes = requests.get(api, headers=_auth()).json()
        assert routes["/user/alice"]["target"] == f"http://127.0.0.1:{port}"
        assert "/user/bob" not in routes
        r = requests.get(f"http://127.0.0.1:{proxy['public']}/user/alice/api/status", timeout=5)
        assert r.text == f"server {port}: /user/alice/api/status"
        # anything else still goes to the default target (the hub)
        r = requests.get(f"http://127.0.0.1:{proxy['public']}/user/bob/lab", timeout=5)
        assert r.text.startswith("server ") and f"server {port}" not in r.text
    finally:
        trainee_server.shutdown()


def test_a_broken_routes_file_starts_an_empty_proxy(proxy):
    proxy["routes"].write_text('{"/user/alice": {"target": ')  # cut off mid-write
    proxy["start"]()
    routes = requests.get(f"http://127.0.0.1:{proxy['api']}/api/routes", headers=_auth()).json()
    assert list(routes) == ["/"]

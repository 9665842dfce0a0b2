"""The proxy's public socket outlives a crash of the proxy (issue #18: an open notebook reconnects within seconds).

A supervisord of its own (in a temporary folder, the project's config writer and plugin) runs the installed
configurable-http-proxy as the stack does: an fcgi-program whose listening socket supervisord holds
(``supervisord_plugin/testbed_sockets.py``), served through ``hub_config/proxy_listen_fd.cjs``. While a client asks
every 20 ms, the proxy is killed with SIGKILL: no request may be refused or reset, and the proxy is back by itself.
The same run with the proxy binding its port itself (the stock way) is refused: the test can tell the difference.
"""

from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import xmlrpc.client
from pathlib import Path

import pytest

from testbed_cli import supervisor
from testbed_cli.supervision import supervisord_path
from testbed_config import StackConfig
from testbed_config.layout import Layout

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def backend():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def _supervised_proxy(tmp_path: Path, layout: Layout, backend: int, held: bool):
    """supervisord in ``tmp_path`` running the installed proxy on a fresh port; (rpc, port, process)."""
    port, api = _port(), _port()
    mini = Layout(StackConfig(state_dir=tmp_path / "state", prefix=layout.cfg.prefix))
    env = {"CONFIGPROXY_AUTH_TOKEN": "test-token"}
    if held:
        env |= {"NODE_OPTIONS": f"--require {REPO / 'hub_config' / 'proxy_listen_fd.cjs'}"}
        env |= {"TESTBED_PROXY_FD_PORT": str(port)}
    program = supervisor.Program(
        "proxy",
        [str(layout.chp), "--ip", "127.0.0.1", "--port", str(port), "--api-ip", "127.0.0.1", "--api-port", str(api)]
        + ["--default-target", f"http://127.0.0.1:{backend}", "--log-level", "warn"],
        environment=env,
        socket=f"tcp://127.0.0.1:{port}" if held else None,
    )
    supervisor.write_config(mini, [program])
    conf = mini.supervisor_conf
    proc = subprocess.Popen(
        [str(supervisord_path()), "-n", "-c", str(conf)],
        env={
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(REPO / "testbed_cli" / "supervisord_plugin"),
        },
        cwd="/",
    )
    deadline = time.monotonic() + 20
    while not supervisor.is_running(mini):
        assert time.monotonic() < deadline and proc.poll() is None, (mini.logs / "supervisord.log").read_text()
        time.sleep(0.1)
    rpc = supervisor.client(mini)
    rpc.supervisor.startProcess("proxy")
    return rpc, port, proc


def _failures_while_killed(rpc: xmlrpc.client.ServerProxy, port: int) -> tuple[int, int, bool]:
    """Ask every 20 ms; SIGKILL the proxy after 0.5 s; (requests, failed, back with a new pid)."""
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 20
    while True:  # the proxy is up before the clock starts
        try:
            urllib.request.urlopen(url, timeout=2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the proxy did not start"
            time.sleep(0.1)
    old = rpc.supervisor.getProcessInfo("proxy")["pid"]
    done, failed, asked = time.monotonic() + 6, 0, 0
    killed = False
    started = time.monotonic()
    while time.monotonic() < done:
        if not killed and time.monotonic() - started > 0.5:
            os.kill(old, signal.SIGKILL)
            killed = True
        asked += 1
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                failed += r.status != 200
        except OSError:
            failed += 1
        time.sleep(0.02)
    info = rpc.supervisor.getProcessInfo("proxy")
    return asked, failed, info["statename"] == "RUNNING" and info["pid"] != old


@pytest.mark.parametrize("held", [True, False], ids=["socket-held", "stock-bind"])
def test_no_request_is_refused_while_the_proxy_restarts(tmp_path, layout, backend, held):
    """With the socket held, is every request answered across a SIGKILL of the proxy (and without it, refused)?"""
    if not layout.chp.exists():
        pytest.skip("configurable-http-proxy is not installed (./testbed up)")
    rpc, port, proc = _supervised_proxy(tmp_path, layout, backend, held)
    try:
        asked, failed, back = _failures_while_killed(rpc, port)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert back and asked > 20
    if held:
        assert failed == 0, f"{failed} of {asked} requests failed while the proxy restarted"
    else:
        assert failed > 0, "the stock proxy was never refused: the test cannot tell the difference"

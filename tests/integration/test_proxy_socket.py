"""The proxy's public socket outlives a crash of the proxy (issue #18: an open notebook reconnects within seconds).

A supervisord of its own (in a temporary folder, the project's config writer and plugin) runs the installed
configurable-http-proxy as the stack does: an fcgi-program whose listening socket supervisord holds
(``supervisord_plugin/testbed_sockets.py``), served through ``hub_config/proxy_listen_fd.cjs``. While a client asks
every 20 ms, the proxy is killed with SIGKILL: no request may be refused or reset, and the proxy is back by itself.
The same run with the proxy binding its port itself (the stock way) is refused: the test can tell the difference.
Told to stop (SIGTERM), the proxy answers the requests it has already taken before it exits
(``proxy_listen_fd.cjs``). After a SIGKILL of supervisord itself, the socket is taken from the orphaned proxy,
the orphan is stopped and the socket handed to a new supervisord (what the guardian does): no request is refused
across that either.
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
SLOW_SECONDS = 1.5


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow":
            time.sleep(SLOW_SECONDS)
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


def _supervised_proxy(tmp_path: Path, layout: Layout, backend: int, held: bool, inherit: socket.socket | None = None):
    """supervisord in ``tmp_path`` running the installed proxy on a fresh port (``inherit``'s port when given: the
    new supervisord adopts that listening socket, as after a crash of supervisord); (rpc, port, process)."""
    port, api = (inherit.getsockname()[1] if inherit else _port()), _port()
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
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(REPO / "testbed_cli" / "supervisord_plugin")}
    if inherit:
        env["TESTBED_INHERITED_SOCKETS"] = str(inherit.fileno())
    proc = subprocess.Popen(
        [str(supervisord_path()), "-n", "-c", str(conf)],
        env=env,
        cwd="/",
        pass_fds=(inherit.fileno(),) if inherit else (),
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


def test_a_request_in_flight_is_answered_when_the_proxy_is_told_to_stop(tmp_path, layout, backend):
    """A request the proxy has taken when it gets SIGTERM (supervisord's stop, the guardian's stop of an orphan):
    is it answered before the proxy exits, and does the proxy exit all the same?"""
    if not layout.chp.exists():
        pytest.skip("configurable-http-proxy is not installed (./testbed up)")
    rpc, port, proc = _supervised_proxy(tmp_path, layout, backend, held=True)
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=20).close()
        pid = rpc.supervisor.getProcessInfo("proxy")["pid"]
        answer: dict = {}

        def ask() -> None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/slow", timeout=30) as r:
                    answer["status"] = r.status
            except OSError as e:
                answer["error"] = repr(e)

        asker = threading.Thread(target=ask, daemon=True)
        asker.start()
        time.sleep(SLOW_SECONDS / 3)  # the proxy has passed it on and waits for the backend
        stopped_at = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        asker.join(timeout=30)
        while Path(f"/proc/{pid}").exists() and _state(pid) != "Z" and time.monotonic() - stopped_at < 10:
            time.sleep(0.05)
        gone_after = time.monotonic() - stopped_at
        # supervisord starts it again (and must not be stopped in the same instant: a SIGTERM that reaches its
        # child between fork and exec is lost, and supervisord then waits stopwaitsecs for nothing)
        deadline = time.monotonic() + 20
        while (info := rpc.supervisor.getProcessInfo("proxy"))["statename"] != "RUNNING" or info["pid"] == pid:
            assert time.monotonic() < deadline, f"the proxy was not started again: {info}"
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert answer == {"status": 200}, f"the request in flight was not answered: {answer}"
    assert gone_after < 5, f"the proxy took {gone_after:.1f} s to exit after SIGTERM"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def _ask_until(port: int, stop: threading.Event, counts: dict) -> None:
    """Ask every 20 ms until ``stop``; count the requests and the failures."""
    while not stop.is_set():
        counts["asked"] += 1
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=15) as r:
                counts["failed"] += r.status != 200
        except OSError:
            counts["failed"] += 1
        time.sleep(0.02)


def test_no_request_is_refused_while_supervisord_is_replaced(tmp_path, layout, backend):
    """supervisord and its proxy die (SIGKILL); the listening socket, taken from the orphaned proxy with
    ``processes.take_listening_socket``, is adopted by a new supervisord: is every request answered meanwhile?"""
    if not layout.chp.exists():
        pytest.skip("configurable-http-proxy is not installed (./testbed up)")
    from testbed_cli import processes

    rpc, port, proc = _supervised_proxy(tmp_path / "first", layout, backend, held=True)
    second = None
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=20).close()
        old = rpc.supervisor.getProcessInfo("proxy")["pid"]
        stop, counts = threading.Event(), {"asked": 0, "failed": 0}
        asker = threading.Thread(target=_ask_until, args=(port, stop, counts), daemon=True)
        asker.start()
        time.sleep(0.5)
        proc.kill()  # supervisord dies; its proxy runs on as an orphan holding the socket
        proc.wait(timeout=10)
        taken = processes.take_listening_socket(port)
        assert taken is not None, "the orphaned proxy's listening socket could not be taken"
        # what the guardian does to orphans (supervision.start_supervision): the stop signal, found by the marker
        # of the dead supervisord's socket; the port stays bound by `taken` and the orphan answers what it took
        first = Layout(StackConfig(state_dir=tmp_path / "first" / "state", prefix=layout.cfg.prefix))
        by_name = processes.signal_orphans(first.supervisor_sock, {"proxy": "TERM"})
        assert old in by_name.get("proxy", []), f"the orphaned proxy {old} was not found: {by_name}"
        processes.wait_gone(by_name["proxy"], 10)
        time.sleep(0.5)  # requests now wait in the backlog
        second_rpc, second_port, second = _supervised_proxy(tmp_path / "second", layout, backend, True, inherit=taken)
        taken.close()
        assert second_port == port
        second_rpc.supervisor.getProcessInfo("proxy")
        time.sleep(2.0)
        stop.set()
        asker.join(timeout=30)
    finally:
        for p in (proc, second):
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=30)
    assert counts["asked"] > 20
    assert counts["failed"] == 0, (
        f"{counts['failed']} of {counts['asked']} requests failed while supervisord was replaced"
    )

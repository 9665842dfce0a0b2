"""grader.relay: the Unix-socket → TCP relay that is a graded kernel's only way to CKAN."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from grader.relay import MAX_CONNECTIONS, UnixRelay, launch_command

pytestmark = pytest.mark.unit


def _echo(conn):
    try:
        while data := conn.recv(4096):
            conn.sendall(data)
    except OSError:
        pass


def _echo_server():
    srv = socket.create_server(("127.0.0.1", 0))

    def run():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=_echo, args=(conn,), daemon=True).start()

    threading.Thread(target=run, daemon=True).start()
    return srv


def _client(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s


def test_does_the_relay_carry_bytes_both_ways(tmp_path):
    """Does a connection to the Unix socket reach the TCP target and get its answer back?"""
    srv = _echo_server()
    relay = UnixRelay(str(tmp_path / "r.sock"), srv.getsockname())
    relay.start()
    try:
        c = _client(relay.path)
        payload = b"x" * 300_000
        threading.Thread(target=c.sendall, args=(payload,), daemon=True).start()
        got = b""
        while len(got) < len(payload):
            got += c.recv(65536)
        assert got == payload
        assert (tmp_path / "r.sock").stat().st_mode & 0o777 == 0o600
    finally:
        relay.stop()
        srv.close()
    assert not (tmp_path / "r.sock").exists()


def test_does_the_relay_refuse_connections_beyond_its_cap(tmp_path):
    """Are connections beyond MAX_CONNECTIONS closed at once instead of queued?"""
    srv = _echo_server()
    relay = UnixRelay(str(tmp_path / "r.sock"), srv.getsockname())
    relay.start()
    try:
        held = [_client(relay.path) for _ in range(MAX_CONNECTIONS)]
        for c in held:  # make sure each is relayed (accepted and counted) before the extra one
            c.sendall(b"hi")
            assert c.recv(2) == b"hi"
        extra = _client(relay.path)
        try:  # closed unanswered: EOF, or a reset/broken pipe, depending on timing
            extra.sendall(b"hi")
            assert extra.recv(2) == b""
        except (ConnectionResetError, BrokenPipeError):
            pass
    finally:
        relay.stop()
        srv.close()


def test_does_stop_end_live_connections(tmp_path):
    """Does stop() close connections still open (a kernel that never hangs up)?"""
    srv = _echo_server()
    relay = UnixRelay(str(tmp_path / "r.sock"), srv.getsockname())
    relay.start()
    c = _client(relay.path)
    c.sendall(b"hi")
    assert c.recv(2) == b"hi"
    started = time.monotonic()
    relay.stop()
    assert c.recv(2) == b""
    assert time.monotonic() - started < 3
    srv.close()


def test_is_the_launcher_isolated_python():
    """Does the in-sandbox launcher run the relay source in isolated mode, then the kernel after '--'?"""
    cmd = launch_command("/venv/bin/python", 5000, "/run/x/ckan.sock", ["/venv/bin/python", "-m", "ipykernel_launcher"])
    assert cmd[:3] == ["/venv/bin/python", "-I", "-c"]
    assert "import socket" in cmd[3]
    assert cmd[4:] == ["launch", "5000", "/run/x/ckan.sock", "--", "/venv/bin/python", "-m", "ipykernel_launcher"]

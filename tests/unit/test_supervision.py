"""Self-healing without a running stack: the guardian's listener section, orphan detection and stopping,
the systemd unit, worker registrations, and a status that never calls a stopped service healthy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testbed_cli import guardian, processes, redis, stack, supervision
from testbed_cli.supervisor import Program
from testbed_config import StackConfig
from testbed_config.layout import Layout

pytestmark = pytest.mark.unit


@pytest.fixture
def layout(tmp_path):
    return Layout(StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt"))


def _spawn(sock: Path, name: str, code: str = "import time; time.sleep(60)") -> subprocess.Popen:
    env = {**os.environ, "SUPERVISOR_SERVER_URL": f"unix://{sock}", "SUPERVISOR_PROCESS_NAME": name}
    return subprocess.Popen([sys.executable, "-c", code], env=env, start_new_session=True)


def test_guardian_is_an_event_listener_that_starts_with_supervisord():
    """Is the guardian rendered as an [eventlistener] (autostart, stderr log only, its events) and a program not?"""
    text = Program("g", ["/bin/x"], events=guardian.EVENTS).render(Path("/logs"))
    assert text.startswith("[eventlistener:g]")
    assert "autostart=true" in text and "events=PROCESS_STATE_STARTING,PROCESS_STATE_EXITED" in text
    assert "stderr_logfile=/logs/g.log" in text and "redirect_stderr" not in text
    plain = Program("p", ["/bin/x"]).render(Path("/logs"))
    assert plain.startswith("[program:p]") and "autostart=false" in plain and "redirect_stderr=true" in plain


def test_guardian_parses_supervisord_event_headers():
    """Does the listener read supervisord's header and payload tokens?"""
    head = guardian.parse_payload("ver:3.0 server:supervisor serial:21 eventname:PROCESS_STATE_EXITED len:54\n")
    assert head["eventname"] == "PROCESS_STATE_EXITED" and head["len"] == "54"
    body = guardian.parse_payload("processname:proxy groupname:proxy from_state:RUNNING expected:0 pid:2766")
    assert body == {
        "processname": "proxy",
        "groupname": "proxy",
        "from_state": "RUNNING",
        "expected": "0",
        "pid": "2766",
    }


def test_strays_are_what_a_killed_program_left_not_its_successor():
    """Are the processes of a program outside its current process tree the strays, and nothing else?"""
    procs = [
        processes.Proc(10, 1, "ckan-worker"),  # the killed worker's horse, reparented to init
        processes.Proc(20, 5, "ckan-worker"),  # the new worker
        processes.Proc(21, 20, "ckan-worker"),  # its child
        processes.Proc(30, 5, "redis"),
    ]
    assert processes.strays(procs, "ckan-worker", 20) == [10]
    assert sorted(processes.strays(procs, "ckan-worker", None)) == [10, 20, 21]


def test_stop_orphans_stops_only_this_stacks_processes(tmp_path):
    """Does stopping a dead supervisord's orphans stop its programs (SIGKILL for one ignoring SIGTERM) and
    leave processes of another supervisord alone?"""
    sock = tmp_path / "supervisor.sock"
    mine = _spawn(sock, "hub")
    stubborn = _spawn(
        sock, "ckan-web", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    )
    other = _spawn(tmp_path / "other.sock", "hub")
    try:
        deadline = time.monotonic() + 10
        while len(processes.marked(sock)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # let the stubborn one install its handler
        stopped = processes.stop_orphans(sock, {"hub": "TERM"}, timeout=1)
        assert stopped == {"hub": [mine.pid], "ckan-web": [stubborn.pid]}
        assert mine.wait(5) is not None and stubborn.wait(5) is not None
        assert other.poll() is None
        assert processes.marked(sock) == []
    finally:
        for p in (mine, stubborn, other):
            p.kill()
            p.wait()


def test_systemd_unit_restarts_supervisord_and_starts_at_boot(layout):
    """Does the unit restart a dead supervisord, start at boot, and keep trainees' servers on a restart?"""
    text = supervision.render_unit(layout, python="/opt/py")
    assert f"--nodaemon -c {layout.supervisor_conf}" in text
    assert "Restart=on-failure" in text and "WantedBy=multi-user.target" in text
    assert "KillMode=process" in text
    assert f"ExecStartPre=/opt/py -m testbed_cli.supervision --stack {layout.stack_yaml} stop-orphans" in text


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit_and_would_refuse_a_broken_one(layout, tmp_path):
    """Does systemd's own checker (``systemd-analyze verify``, offline) accept the unit ``up`` installs, and refuse
    the same unit with a broken line (so the check can fail)?"""
    good = tmp_path / "testbed.service"
    good.write_text(supervision.render_unit(layout))
    run = subprocess.run(["systemd-analyze", "verify", str(good)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    bad = tmp_path / "broken.service"
    bad.write_text(good.read_text().replace("ExecStart=/", "ExecStart=relative/"))
    run = subprocess.run(["systemd-analyze", "verify", str(bad)], capture_output=True, text=True)
    assert run.returncode != 0 and "bad unit file setting" in run.stderr, run.stderr


def test_worker_registrations_are_read_from_an_rq_reply():
    """Are RQ's registered pids and heartbeats taken from the raw Redis reply (missing fields skipped)?"""
    reply = [b"+OK", b"*2", b"$4", b"7710", b"$27", b"2026-12-06T21:06:35.565797Z", b""]
    assert redis._bulk_values(reply) == [b"7710", b"2026-12-06T21:06:35.565797Z"]
    assert redis._bulk_values([b"+OK", b"*2", b"$-1", b"$-1", b""]) == []


def test_status_without_supervisord_is_not_healthy(layout, monkeypatch):
    """With supervisord gone, is every service reported not healthy (never 「正常 (STOPPED)」), and the
    supervisor as not running, even when a service's own probe would pass?"""
    monkeypatch.setattr(stack, "checks", lambda layout: {"postgres": lambda: True, "hub": lambda: True})
    result = stack.status(layout)
    assert result["supervisor"] == {"running": False}
    assert result["services"]["postgres"] == {"healthy": False, "state": "STOPPED", "pid": None}


def test_a_listening_socket_taken_from_a_process_keeps_its_port_after_that_process_dies():
    """Does ``take_listening_socket`` hand over the socket another process listens on, so that a client that
    connects after that process was killed waits in the backlog instead of being refused?"""
    import socket

    code = (
        "import socket, sys, time\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)\n"
        "print(s.getsockname()[1], flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        port = int(child.stdout.readline())
        taken = processes.take_listening_socket(port)
        assert taken is not None and taken.getsockname()[1] == port
    finally:
        child.kill()
        child.wait()
    with taken, socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        conn, _ = taken.accept()  # the connection made after the owner died is there to be served
        conn.sendall(b"ok")
        assert client.recv(2) == b"ok"
        conn.close()
    with pytest.raises(ConnectionRefusedError):  # and the test can tell: once nothing holds it, it is refused
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert processes.take_listening_socket(port) is None

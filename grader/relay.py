"""A byte relay: the one way out of the grading sandbox, to CKAN only, for assignments that opt in.

A graded kernel has no network namespace of its own to reach anything with. For an assignment
whose source notebook declares ``{"testbed": {"network": "ckan"}}`` (grader.netpolicy), two relays
give it exactly one destination:

- inside the sandbox, the kernel's launcher (``launch``) listens on ``127.0.0.1:PORT`` and
  forwards each connection to a Unix socket in the kernel's private run directory, then execs the
  kernel (the listener lives on in a forked child; bwrap's PID namespace ends it with the kernel);
- outside, the trusted worker (``UnixRelay``) accepts on that Unix socket and forwards each
  connection to CKAN's TCP address, at most ``MAX_CONNECTIONS`` at a time.

The kernel gets no token, so CKAN sees an anonymous visitor. Hub, database, Redis, other
trainees' servers, the LAN and the internet stay unreachable.

The launcher runs this file's source with ``python -c`` inside the sandbox, where the project is
not mounted: it must import nothing but the standard library.
"""

from __future__ import annotations

import os
import socket
import sys
import threading

MAX_CONNECTIONS = 8
CHUNK = 65536


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    """Copy ``src`` to ``dst`` until EOF or an error, then half-close ``dst``."""
    try:
        while data := src.recv(CHUNK):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(listener: socket.socket, connect, *, max_connections: int = MAX_CONNECTIONS, stop=None, open_=None) -> None:
    """Accept on ``listener`` and pipe each connection to a new ``connect()`` socket, both ways.

    Returns when the listener is shut down or ``stop`` (a threading.Event) is set. ``open_`` (a
    set) collects the live sockets so the caller can close them."""
    slots = threading.BoundedSemaphore(max_connections)
    live = open_ if open_ is not None else set()

    def handle(conn: socket.socket) -> None:
        try:
            upstream = connect()
        except OSError:
            conn.close()
            slots.release()
            return
        live.update((conn, upstream))
        back = threading.Thread(target=_pipe, args=(upstream, conn), daemon=True)
        back.start()
        _pipe(conn, upstream)
        back.join()
        for s in (conn, upstream):
            live.discard(s)
            s.close()
        slots.release()

    while stop is None or not stop.is_set():
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        except OSError:
            return
        if stop is not None and stop.is_set():
            conn.close()
            return
        conn.settimeout(None)
        if not slots.acquire(blocking=False):
            conn.close()  # too many at once: refuse rather than queue
            continue
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


class UnixRelay:
    """Trusted side: a Unix socket (owned by the sandbox account) whose connections go to ``target``."""

    def __init__(self, path: str, target: tuple[str, int], owner: tuple[int, int] | None = None):
        self.path, self.target, self.owner = path, target, owner
        self._stop = threading.Event()
        self._live: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def _connect(self) -> socket.socket:
        return socket.create_connection(self.target, timeout=10)

    def start(self) -> None:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.path)
        os.chmod(self.path, 0o600)
        if self.owner is not None:
            os.chown(self.path, *self.owner)
        listener.listen(MAX_CONNECTIONS)
        listener.settimeout(0.5)
        self._listener = listener
        self._thread = threading.Thread(
            target=serve, args=(listener, self._connect), kwargs={"stop": self._stop, "open_": self._live}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._listener is not None:
            try:  # wakes the accept() at once (a close alone leaves it blocked until its timeout)
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
        for s in list(self._live):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=2)
        try:
            os.unlink(self.path)
        except OSError:
            pass


def launch_command(python: str, port: int, sock_path: str, kernel_cmd: list[str]) -> list[str]:
    """The in-sandbox launcher: relay 127.0.0.1:``port`` → ``sock_path``, then exec ``kernel_cmd``."""
    with open(__file__, encoding="utf-8") as f:
        source = f.read()
    return [python, "-I", "-c", source, "launch", str(port), sock_path, "--", *kernel_cmd]


def _launch(port: int, sock_path: str, kernel_cmd: list[str]) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))  # bound before the kernel starts: no race on the first request
    listener.listen(MAX_CONNECTIONS)

    def connect() -> socket.socket:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sock_path)
        return s

    if os.fork() == 0:
        serve(listener, connect)
        os._exit(0)
    listener.close()
    os.execv(kernel_cmd[0], kernel_cmd)


if __name__ == "__main__" and sys.argv[1:2] == ["launch"]:
    _launch(int(sys.argv[2]), sys.argv[3], sys.argv[5:])

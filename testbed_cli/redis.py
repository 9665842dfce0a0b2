"""The private Redis server for CKAN's background jobs (loopback only, password required)."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime

from testbed_cli import secrets, system
from testbed_cli.layout import Layout
from testbed_config import names


def ensure_config(layout: Layout, user: str | None) -> bool:
    d = layout.redis_dir
    d.mkdir(parents=True, exist_ok=True)
    conf = d / "redis.conf"
    text = "\n".join(
        [
            "bind 127.0.0.1",
            "protected-mode yes",
            f"port {layout.cfg.ports.redis}",
            f"dir {d}",
            "daemonize no",
            "save 300 1",
            "appendonly no",
            f"requirepass {secrets.get(layout.state, names.REDIS)}",
            "maxmemory 256mb",
            "",
        ]
    )
    changed = not conf.exists() or conf.read_text() != text
    if changed:
        conf.write_text(text)
    os.chmod(conf, 0o600)
    os.chmod(d, 0o700)
    if user:
        system.chown(d, user, recursive=True)
    return changed


def command(layout: Layout) -> list[str]:
    return ["/usr/bin/redis-server", str(layout.redis_dir / "redis.conf")]


def call(layout: Layout, *args: str, timeout: float = 2.0) -> list[bytes]:
    """Send one authenticated command with the RESP protocol; return the raw reply lines."""
    pw = secrets.get(layout.state, names.REDIS)

    def enc(parts):
        out = f"*{len(parts)}\r\n"
        for p in parts:
            b = p.encode()
            out += f"${len(b)}\r\n{p}\r\n"
        return out.encode()

    with socket.create_connection(("127.0.0.1", layout.cfg.ports.redis), timeout=timeout) as s:
        s.sendall(enc(["AUTH", pw]) + enc(list(args)))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if data.count(b"\r\n") >= 2 and not data.endswith(b"$"):
                # enough for the small replies used here
                try:
                    s.settimeout(0.05)
                    more = s.recv(65536)
                    if more:
                        data += more
                        continue
                except OSError:
                    pass
                break
    return data.split(b"\r\n")


def is_ready(layout: Layout) -> bool:
    try:
        lines = call(layout, "PING")
    except OSError:
        return False
    return b"+PONG" in lines


def worker_count(layout: Layout) -> int:
    """Number of RQ workers registered (CKAN's jobs worker registers itself in Redis)."""
    try:
        lines = call(layout, "SCARD", "rq:workers")
    except OSError:
        return 0
    for ln in lines:
        if ln.startswith(b":"):
            return int(ln[1:])
    return 0


def _bulk_values(lines: list[bytes]) -> list[bytes]:
    """The bulk strings of a (small) reply, in order."""
    return [lines[i + 1] for i, ln in enumerate(lines[:-1]) if ln.startswith(b"$") and ln != b"$-1"]


def worker_heartbeats(layout: Layout) -> dict[int, datetime]:
    """pid -> last heartbeat (UTC) of each RQ worker registered in Redis.

    A registration outlives a killed worker by up to its TTL (7 minutes), so counting keys is no health
    check: callers compare these pids with the live, supervised one.
    """
    try:
        keys = _bulk_values(call(layout, "SMEMBERS", "rq:workers"))
        out = {}
        for key in keys:
            try:
                pid, beat = _bulk_values(call(layout, "HMGET", key.decode(), "pid", "last_heartbeat"))[:2]
                when = datetime.strptime(beat.decode(), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
            except ValueError:  # a half-written or foreign registration
                continue
            out[int(pid)] = when
        return out
    except OSError:
        return {}

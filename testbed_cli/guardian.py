"""The stack's guardian: a supervisord event listener that heals what supervisord alone leaves broken.

- The proxy (re)started: it holds no routes, and the hub would only notice at its next periodic check
  (minutes of "Redirect loop detected" for every trainee). The guardian asks the hub to sync at once
  (``POST /hub/api/proxy`` with the operator's token).
- A program died unexpectedly: what it left behind (RQ's work horse, PostgreSQL backends, gunicorn workers)
  is killed, so the restarted program starts clean and nothing keeps running unsupervised.
- supervisord itself died (the listener's stdin closes while supervisord's pid file remains): where no init
  system restarts supervisord (``--recover``), the guardian stops the orphaned services and starts supervision
  again (``stack.start_supervision``).

Run by supervisord as root: ``python -m testbed_cli.guardian --stack <state>/run/stack.yaml [--recover]``.
It writes its own log, ``<state>/logs/guardian.log`` (supervisord's pipes die with supervisord).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request

from testbed_cli import hub, processes, secrets, supervisor
from testbed_cli.layout import Layout
from testbed_config import japan_time, load_config, names

NAME = "guardian"
EVENTS = ["PROCESS_STATE_STARTING", "PROCESS_STATE_EXITED"]
PROXY = "proxy"
REDIS, WORKER = "redis", "ckan-worker"


def log(layout: Layout, msg: str) -> None:
    stamp = japan_time.now().strftime("%Y-%m-%d %H:%M:%S")
    try:
        with open(layout.logs / f"{NAME}.log", "a", encoding="utf-8") as f:
            f.write(f"{stamp} {msg}\n")
    except OSError:
        pass


def parse_payload(text: str) -> dict[str, str]:
    head = text.split("\n", 1)[0]
    return dict(tok.split(":", 1) for tok in head.split() if ":" in tok)


def sync_routes(layout: Layout, timeout: float = 30) -> bool:
    """Wait for the proxy's API, then have the hub re-add every route. False when the hub never answered
    (a hub that starts later syncs by itself)."""
    cfg = layout.cfg
    proxy_token = secrets.get(layout.state, names.PROXY_AUTH_TOKEN)
    deadline = time.monotonic() + timeout
    while hub._get(f"http://127.0.0.1:{cfg.ports.proxy_api}/api/routes", token=proxy_token)[0] != 200:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    req = urllib.request.Request(f"http://127.0.0.1:{cfg.ports.hub_api}/hub/api/proxy", data=b"", method="POST")
    req.add_header("Authorization", f"token {secrets.get(layout.state, names.HUB_ADMIN_TOKEN)}")
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                if resp.status < 300:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


def reap(layout: Layout, name: str) -> list[int]:
    """Kill what an unexpectedly exited program left behind (not its restarted successor)."""
    current = supervisor.states(layout).get(name, {}).get("pid") or None
    left = processes.strays(processes.marked(layout.supervisor_sock), name, current)
    processes.kill(left)
    return left


def handle(layout: Layout, event: str, payload: dict[str, str]) -> None:
    name = payload.get("processname", "")
    if name == NAME:
        return
    if event == "PROCESS_STATE_EXITED" and payload.get("expected") == "0":
        left = reap(layout, name)
        log(layout, f"{name} (pid {payload.get('pid')}) exited unexpectedly; killed what it left: {left}")
    elif name == PROXY and event == "PROCESS_STATE_STARTING":

        def run():
            t0 = time.monotonic()
            ok = sync_routes(layout)
            log(layout, f"proxy {event}: route sync {'done' if ok else 'not answered'} in {time.monotonic() - t0:.1f}s")

        threading.Thread(target=run, daemon=True).start()
    elif name == REDIS and event == "PROCESS_STATE_STARTING":
        threading.Thread(target=reregister_worker, args=(layout,), daemon=True).start()


def reregister_worker(layout: Layout, timeout: float = 15) -> None:
    """A restarted Redis lost the jobs worker's registration (RQ re-registers only on start): once Redis
    answers, restart the worker when Redis does not list it, so health and the queue agree again."""
    from testbed_cli import redis, stack

    deadline = time.monotonic() + timeout
    while not redis.is_ready(layout):
        if time.monotonic() > deadline:
            return
        time.sleep(0.1)
    info = supervisor.states(layout).get(WORKER, {})
    if info.get("statename") == "RUNNING" and not stack.worker_healthy(layout):
        supervisor.restart(layout, WORKER)
        log(layout, "redis restarted: restarted ckan-worker to register it again")


def supervisord_died(layout: Layout, wait: float = 3) -> bool:
    """supervisord's pid file is still there (a clean shutdown removes it) and its process is gone."""
    pidfile = layout.run / "supervisord.pid"
    deadline = time.monotonic() + wait
    while True:
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            return False
        if not processes.alive(pid):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def listen(layout: Layout, recover: bool) -> None:
    stdin, stdout = sys.stdin, sys.stdout
    while True:
        stdout.write("READY\n")
        stdout.flush()
        line = stdin.readline()
        if not line:
            break
        headers = parse_payload(line)
        payload = stdin.read(int(headers.get("len", "0")))
        try:
            handle(layout, headers.get("eventname", ""), parse_payload(payload))
        except Exception:  # the guardian must outlive any one bad event
            log(layout, "error handling " + line.strip() + "\n" + traceback.format_exc())
        stdout.write("RESULT 2\nOK")
        stdout.flush()
    if recover and supervisord_died(layout):
        from testbed_cli import supervision

        log(layout, "supervisord died; stopping the orphaned services and starting supervision again")
        t0 = time.monotonic()
        try:
            stopped = supervision.start_supervision(layout, log=lambda m: log(layout, m))
            log(layout, f"supervision restored in {time.monotonic() - t0:.1f}s (stopped orphans: {stopped})")
        except Exception:
            log(layout, "could not restore supervision\n" + traceback.format_exc())


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--stack", required=True, help="the effective stack config (<state>/run/stack.yaml)")
    p.add_argument("--recover", action="store_true", help="restart supervision when supervisord dies")
    a = p.parse_args(argv)
    layout = Layout(load_config(a.stack))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # supervisord stopping us: no recovery
    listen(layout, a.recover)


if __name__ == "__main__":
    main()

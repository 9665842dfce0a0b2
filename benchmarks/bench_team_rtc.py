"""Team workspaces under load: edit-to-visible between teammates, and what one team server costs. Needs root.

N teams of M real trainees are made on the running stack through the project's own code (cohort members, then
``./testbed cohort team set`` for each, which makes the team hub users, groups, shares and starts the servers, as
``tests/helpers/teams.py`` does). Every member is a real collaboration client, as JupyterLab's document provider is:
``PUT /user/<team>/api/collaboration/session/<path>``, then the websocket ``/api/collaboration/room/json:notebook:<id>``
through the hub's proxy, signed in with the member's own hub token (scope ``access:servers!server=<team>/``, which the
share grants), a pycrdt ``Doc`` in jupyter-ydoc's notebook layout synced with pycrdt's ``Provider``. Each member
types into its own cell of the team's notebook: every 0.5-1 s a word-sized insert carrying a unique marker, plus an
awareness update (its cursor), as JupyterLab sends. Every other member of the team records when the marker arrives
in its own copy of the document; all clients live in one process, so send and arrival share one clock.

Runs, same clients, same pace: ``stock`` = one team of M against jupyter-collaboration in a stock ``jupyter lab``
of the hub venv (token auth, no hub or proxy: the extension's own cost); ``stock-nodelay`` = the same with TCP_NODELAY
on its websockets (where the ~40 ms floor of the others comes from: tornado leaves Nagle's algorithm on);
``1 team`` = one team of M on the stack while the other team servers idle; ``N teams`` = all N teams at once.
Per run: p50/p95/max edit-to-visible per team and overall, edits lost (a marker some teammate never received, missing
from the saved notebook, or copies that differ at the end), each team server's RSS (before, peak, after: its Unix
account's processes) and CPU, the hub's and the proxy's CPU, the clients' own CPU.

    /opt/testbed/venvs/cli/bin/python benchmarks/bench_team_rtc.py [--teams 8] [--members 5] [--seconds 60] [--runs ...]

Target (issue 15): edit-to-visible <= 2 s p95 with 8 teams of 5 editing at once on the 2-core machine; 0 lost.
The clients run in the hub venv's Python (``--clients``: pycrdt, jupyter-ydoc, tornado), the rest in the CLI venv.
Everything made is removed at the end: trainees, team hub users, groups, Unix accounts, folders and archives.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = "共同編集の計測-{run}.ipynb"
MARK = re.compile(r"§(\d+)\.(\d+);")
PACE = (0.5, 1.0)  # seconds between one member's edits
DRAIN = 20.0  # seconds to wait after the last edit for every marker to arrive


def _state_files() -> tuple[str, str]:
    from testbed_config.names import PASSWORD_DB, ROSTER_DB

    return PASSWORD_DB, ROSTER_DB


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))] if xs else float("nan")


# --- the clients (hub venv: pycrdt, jupyter-ydoc, tornado) ----------------------------------------------------------


class _Socket:
    """pycrdt's ``Channel`` over a tornado websocket client (binary frames)."""

    def __init__(self, conn, path: str):
        self.conn, self._path = conn, path

    @property
    def path(self) -> str:
        return self._path

    def __aiter__(self):
        return self

    async def __anext__(self) -> bytes:
        msg = await self.conn.read_message()
        if msg is None:
            raise StopAsyncIteration
        return msg if isinstance(msg, bytes) else msg.encode()

    async def recv(self) -> bytes:
        return await self.__anext__()

    async def send(self, message: bytes) -> None:
        await self.conn.write_message(message, binary=True)


class _Phase:
    """When the members start typing, and when the last edit has had time to arrive everywhere."""

    def __init__(self):
        self.typing, self.drained = asyncio.Event(), asyncio.Event()


async def _member(team: dict, idx: int, seconds: float, sent: dict, seen: dict, ready, go) -> dict:
    """One member: open the team notebook like JupyterLab, type into cell ``idx + 1``, record teammates' edits."""
    from jupyter_ydoc import YNotebook
    from pycrdt import Awareness, Doc, Provider, create_awareness_message
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    from tornado.websocket import websocket_connect

    me = team["members"][idx]
    headers = {"Authorization": f"token {me['token']}"}
    session = await AsyncHTTPClient().fetch(
        f"{team['base']}/api/collaboration/session/{quote(team['path'])}",
        method="PUT",
        headers=headers,
        body=json.dumps({"format": "json", "type": "notebook"}),
        request_timeout=60,
    )
    s = json.loads(session.body)
    room = f"json:notebook:{s['fileId']}"
    url = team["base"].replace("http", "ws", 1) + f"/api/collaboration/room/{room}?sessionId={s['sessionId']}"
    conn = await websocket_connect(HTTPRequest(url, headers=headers, request_timeout=60), max_message_size=1 << 30)
    conn.protocol.set_nodelay(True)  # as browsers do (Chromium and Firefox set TCP_NODELAY on their sockets)
    channel = _Socket(conn, room)
    doc = Doc()
    nb = YNotebook(doc)
    tid = team["id"]

    def arrived(events) -> None:
        now = time.monotonic()
        for e in events:
            for op in getattr(e, "delta", None) or ():
                text = op.get("insert") if isinstance(op, dict) else None
                if isinstance(text, str):
                    for m, seq in MARK.findall(text):
                        key = (tid, int(m), int(seq))
                        if int(m) != idx and key in sent:
                            seen.setdefault(key, {}).setdefault(idx, now - sent[key])

    nb.ycells.observe_deep(arrived)
    awareness = Awareness(doc)
    awareness.set_local_state({"user": {"username": me["name"], "name": me["name"]}, "cursors": []})
    typed = 0
    async with Provider(doc, channel):
        while len(nb.ycells) < len(team["members"]) + 1:  # synced: the notebook's cells are here
            await asyncio.sleep(0.05)
        await channel.send(create_awareness_message(awareness.encode_awareness_update([doc.client_id])))
        ready()
        await go.typing.wait()
        await asyncio.sleep(random.uniform(0, PACE[1]))
        source = nb.ycells[idx + 1]["source"]
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            marker = f"§{idx}.{typed};"
            sent[(tid, idx, typed)] = time.monotonic()
            source.insert(len(source), marker)
            awareness.set_local_state_field("cursors", [{"head": len(source), "anchor": len(source)}])
            await channel.send(create_awareness_message(awareness.encode_awareness_update([doc.client_id])))
            typed += 1
            await asyncio.sleep(random.uniform(*PACE))
        await go.drained.wait()
        text = "".join(str(nb.ycells[i]["source"]) for i in range(len(nb.ycells)))
    conn.close()
    return {"team": tid, "member": idx, "typed": typed, "text_markers": len(MARK.findall(text))}


async def _clients(spec: dict) -> dict:
    """Every member of every team of ``spec`` at once; the arrivals and what was lost."""
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=200)
    sent: dict = {}
    seen: dict = {}
    members = sum(len(t["members"]) for t in spec["teams"])
    count = {"ready": 0}
    go = _Phase()
    all_ready = asyncio.Event()

    def ready() -> None:
        count["ready"] += 1
        if count["ready"] == members:
            all_ready.set()

    tasks = [
        asyncio.create_task(_member(t, i, spec["seconds"], sent, seen, ready, go))
        for t in spec["teams"]
        for i in range(len(t["members"]))
    ]
    waiting = asyncio.create_task(all_ready.wait())
    deadline = time.monotonic() + 180
    while not waiting.done() and time.monotonic() < deadline and not any(t.done() for t in tasks):
        await asyncio.wait([*tasks, waiting], timeout=1, return_when=asyncio.FIRST_COMPLETED)
    if not waiting.done():
        for t in tasks:
            t.cancel()
        errors = [repr(t.exception()) for t in tasks if t.done() and not t.cancelled() and t.exception()]
        raise RuntimeError(f"only {count['ready']} of {members} clients connected: {errors[:3]}")
    print("READY", flush=True)  # the parent samples /proc from here
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    go.typing.set()
    await asyncio.sleep(spec["seconds"] + PACE[1])
    drain_start = time.monotonic()
    sizes = {t["id"]: len(t["members"]) for t in spec["teams"]}
    while time.monotonic() - drain_start < DRAIN:
        if len(sent) and all(len(seen.get(k, ())) == sizes[k[0]] - 1 for k in list(sent)):
            break
        await asyncio.sleep(0.2)
    go.drained.set()
    results = await asyncio.gather(*tasks)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    out: dict = {"teams": {}, "client_cpu_s": cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime}
    for t in spec["teams"]:
        tid, n = t["id"], len(t["members"])
        keys = [k for k in sent if k[0] == tid]
        lat = [v for k in keys for v in seen.get(k, {}).values()]
        lost = sum(1 for k in keys if len(seen.get(k, {})) < n - 1)
        mine = [r for r in results if r["team"] == tid]
        diverged = sum(1 for r in mine if r["text_markers"] != len(keys))
        out["teams"][tid] = {"edits": len(keys), "latencies": lat, "lost": lost, "diverged": diverged}
    return out


def run_clients_here() -> None:
    """``--clients``: read the spec (JSON) on stdin, print READY when connected, then the result (JSON)."""
    spec = json.loads(sys.stdin.read())
    print(json.dumps(asyncio.run(_clients(spec))), flush=True)


# --- /proc ----------------------------------------------------------------------------------------------------------

CLK = os.sysconf("SC_CLK_TCK")


def _procs() -> dict[int, tuple[int, int, float, int]]:
    """pid -> (ppid, uid, CPU seconds, RSS KiB) of every process."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            uid = os.stat(f"/proc/{entry}").st_uid
        except OSError:
            continue
        rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        out[int(entry)] = (int(fields[1]), uid, sum(int(x) for x in fields[11:13]) / CLK, rss)
    return out


def _tree(procs: dict, root: int) -> list[int]:
    """``root`` and its descendants running as the same user: the hub's own process without the single-user
    servers it spawned (other Unix accounts), a stock server with its kernels."""
    kids: dict[int, list[int]] = {}
    for pid, (ppid, *_) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        p = todo.pop()
        if p in procs and procs[p][1] == procs.get(root, (0, -1))[1]:
            found.append(p)
            todo += kids.get(p, [])
    return found


class Sampler:
    """Every second: RSS and CPU of each watched group of processes (a team server's account, or a pid's tree)."""

    def __init__(self, uids: dict[str, int], pids: dict[str, int]):
        self.uids, self.pids = uids, pids
        self.peak: dict[str, float] = {}
        self._stop = threading.Event()

    def now(self) -> dict[str, tuple[float, float]]:
        """group -> (CPU seconds so far, RSS MiB)."""
        procs = _procs()
        out = {}
        for name, uid in self.uids.items():
            mine = [p for p, v in procs.items() if v[1] == uid]
            out[name] = (sum(procs[p][2] for p in mine), sum(procs[p][3] for p in mine) / 1024)
        for name, pid in self.pids.items():
            mine = _tree(procs, pid)
            out[name] = (sum(procs[p][2] for p in mine), sum(procs[p][3] for p in mine) / 1024)
        return out

    def _loop(self) -> None:
        while not self._stop.wait(1.0):
            for name, (_, rss) in self.now().items():
                self.peak[name] = max(self.peak.get(name, 0.0), rss)

    def __enter__(self):
        self.before = self.now()
        self.t0 = time.monotonic()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.during = self.now()
        self.seconds = time.monotonic() - self.t0
        self._stop.set()
        self._thread.join()


# --- one run --------------------------------------------------------------------------------------------------------


def _notebook(members: int) -> dict:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# 班のメモ (計測)"}]
    cells += [
        {"cell_type": "code", "metadata": {}, "source": f"# {i + 1} 人目", "outputs": [], "execution_count": None}
        for i in range(members)
    ]
    kernel = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    return {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}


def put_notebook(base: str, token: str, path: str, members: int) -> None:
    import requests

    r = requests.put(
        f"{base}/api/contents/{quote(path)}",
        headers={"Authorization": f"token {token}"},
        data=json.dumps({"type": "notebook", "content": _notebook(members)}),
        timeout=60,
    )
    r.raise_for_status()


def saved_markers(base: str, token: str, path: str) -> int:
    """Markers in the notebook as the server saved it to disk (the contents API reads the file)."""
    import requests

    r = requests.get(f"{base}/api/contents/{quote(path)}", headers={"Authorization": f"token {token}"}, timeout=60)
    r.raise_for_status()
    return sum(len(MARK.findall("".join(c["source"]))) for c in r.json()["content"]["cells"])


def run(label: str, python: Path, teams: list[dict], seconds: float, uids: dict, pids: dict, admin: dict) -> dict:
    """One run: the clients of ``teams`` in the hub venv's Python while /proc is sampled; the figures."""
    print(f"[{label}] {len(teams)} team(s) x {len(teams[0]['members'])}, {seconds:g} s of typing…", flush=True)
    for t in teams:
        put_notebook(t["base"], admin[t["id"]], t["path"], len(t["members"]))
    proc = subprocess.Popen(
        [str(python), __file__, "--clients"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        proc.stdin.write(json.dumps({"teams": teams, "seconds": seconds}))
        proc.stdin.close()
        sampler = Sampler(uids, {**pids, "clients (pycrdt)": proc.pid})
        idle = sampler.now()
        line = proc.stdout.readline()
        if line.strip() != "READY":
            raise RuntimeError(f"the clients did not connect: {line}")
        with sampler:
            result = json.loads(proc.stdout.readline())
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    time.sleep(3)  # the server saves 1 s after the last change
    after = sampler.now()
    for t in teams:
        on_disk = saved_markers(t["base"], admin[t["id"]], t["path"])
        result["teams"][t["id"]]["unsaved"] = result["teams"][t["id"]]["edits"] - on_disk
    result.update(
        label=label,
        idle=idle,
        before=sampler.before,
        during=sampler.during,
        after=after,
        peak=sampler.peak,
        seconds=sampler.seconds,
    )
    return result


# --- the stock jupyter-collaboration server -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The ``stock-nodelay`` run: jupyter-collaboration's websocket handler with Nagle's algorithm off. Tornado leaves it on
# (``WebSocketHandler.set_nodelay``); each small Y update then waits for the previous one's delayed ACK (~40 ms).
NODELAY_CONFIG = """\
from jupyter_server_ydoc.handlers import YDocWebSocketHandler

_open = YDocWebSocketHandler.open


async def _open_nodelay(self, *args, **kwargs):
    self.set_nodelay(True)
    return await _open(self, *args, **kwargs)


YDocWebSocketHandler.open = _open_nodelay
"""


class StockServer:
    """``jupyter lab`` of the hub venv with jupyter-collaboration's server extensions on (the team servers' config
    directory first, as the spawner does: the venv's own config turns them off), token auth, no hub or proxy,
    in a throw-away folder. ``nodelay``: its collaboration websockets with TCP_NODELAY (``NODELAY_CONFIG``)."""

    def __init__(self, hub_venv: Path, team_config: Path, nodelay: bool = False):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-rtc-stock-"))
        self.token = secrets.token_hex(24)
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        (self.dir / "config").mkdir()
        if nodelay:
            (self.dir / "config" / "jupyter_server_config.py").write_text(NODELAY_CONFIG)
        self.proc = subprocess.Popen(
            [
                str(hub_venv / "bin" / "jupyter-lab"),
                "--no-browser",
                "--allow-root",
                f"--ServerApp.port={port}",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.root_dir={self.dir}",
                f"--IdentityProvider.token={self.token}",
            ],
            cwd=self.dir,
            stdout=open(self.dir / "server.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            env={
                "PATH": f"{hub_venv / 'bin'}:/usr/bin:/bin",
                "HOME": str(self.dir),
                "LANG": "C.UTF-8",
                "JUPYTER_CONFIG_PATH": str(team_config),
                "JUPYTER_CONFIG_DIR": str(self.dir / "config"),
            },
            start_new_session=True,
        )
        import requests

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/api/status", params={"token": self.token}, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        log = (self.dir / "server.log").read_text()[-2000:]
        self.close()
        raise RuntimeError("stock jupyter lab did not start:\n" + log)

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # it had already stopped
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


# --- the table ------------------------------------------------------------------------------------------------------


def _ms3(lat: list[float]) -> str:
    """p50 / p95 / max in ms."""
    return f"{_pct(lat, 50) * 1e3:.0f} / {_pct(lat, 95) * 1e3:.0f} / {max(lat, default=float('nan')) * 1e3:.0f}"


def summarise(res: dict, servers: list[str], hub_groups: list[str], restarted: list[str] = ()) -> list[tuple]:
    label, secs = res["label"], res["seconds"]
    rows = []
    lat_all = []
    for tid, t in sorted(res["teams"].items()):
        lat = t["latencies"]
        lat_all += lat
        if len(res["teams"]) > 1:
            rows.append(
                (
                    label,
                    f"  team {tid}: p50 / p95 / max ms",
                    f"{_ms3(lat)} ({t['edits']} edits)",
                )
            )
    edits = sum(t["edits"] for t in res["teams"].values())
    lost = sum(t["lost"] for t in res["teams"].values())
    unsaved = sum(t["unsaved"] for t in res["teams"].values())
    diverged = sum(t["diverged"] for t in res["teams"].values())
    head = [
        (
            label,
            "edit-to-visible p50 / p95 / max ms",
            _ms3(lat_all),
        ),
        (label, "edits typed / arrivals", f"{edits} / {len(lat_all)} ({edits / secs:.0f} edits/s)"),
        (label, "edits lost (a teammate / the saved file / copies differ)", f"{lost} / {unsaved} / {diverged}"),
    ]
    rss_idle = [res["idle"][s][1] for s in servers]
    rss_peak = [res["peak"].get(s, res["during"][s][1]) for s in servers]
    rss_after = [res["after"][s][1] for s in servers]
    cpu = [(res["during"][s][0] - res["before"][s][0]) / secs for s in servers]
    n = len(servers)
    mem = f"{statistics.mean(rss_idle):.0f} / {statistics.mean(rss_peak):.0f} / {statistics.mean(rss_after):.0f}" + (
        f" (largest peak {max(rss_peak):.0f})" if n > 1 else ""
    )
    head += [
        (label, f"team server RSS MiB before / peak / after{' (mean of ' + str(n) + ')' if n > 1 else ''}", mem),
        (
            label,
            f"team server CPU, cores{' (mean; all ' + str(n) + ')' if n > 1 else ''}",
            f"{statistics.mean(cpu):.3f}" + (f" (all: {sum(cpu):.2f})" if n > 1 else ""),
        ),
    ]
    for g in hub_groups:
        cores = (res["during"][g][0] - res["before"][g][0]) / secs
        value = "not measured (restarted by a ./testbed up meanwhile)" if g in restarted else f"{cores:.3f}"
        head.append((label, f"{g} CPU, cores", value))
    head.append((label, "clients (pycrdt, one process) CPU, cores", f"{res['client_cpu_s'] / secs:.3f}"))
    return head + rows


def print_table(rows: list[tuple], title: str) -> None:
    rows = [("run", "measure", "value"), *rows]
    w = [max(len(str(r[i])) for r in rows) for i in range(3)]
    print(f"\n{title}")
    for i, r in enumerate(rows):
        print("| " + " | ".join(str(c).ljust(w[j]) for j, c in enumerate(r)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (x + 2) for x in w) + "|")


# --- the stack ------------------------------------------------------------------------------------------------------


def stop_servers(hub, users: list[str], timeout: float = 300) -> None:
    """Stop the team servers all at once (a team server takes about a minute to stop: one after the other, as the
    workspaces' removal does, 8 teams would take 8 minutes)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(users) or 1) as pool:
        list(pool.map(lambda u: hub.request("DELETE", f"/users/{u}/server"), users))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(not hub.request("GET", f"/users/{u}").json().get("servers") for u in users):
            return
        time.sleep(1)


def sweep(layout, hub, names: list[str], team_names: list[str], wait: float = 600) -> list[str]:
    """Remove what a run made, again, after ``teams_of`` did (idempotent): another engineer's ``./testbed up``
    restarts the hub and can break that cleanup half way, and ``up`` itself makes the workspaces of any team still in
    the roster. Trainees first (their roster rows), then the workspaces. The hub users still there afterwards."""
    import requests

    from hub_config import passwords
    from hub_config import teams as hub_teams
    from testbed_cli import cohort_roster, progress, team_workspaces

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if requests.get(hub.api + "/", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(2)
    cohort_roster.forget(layout.hub_dir / _state_files()[1], names)
    progress.export_rosters(layout)
    for n in names:
        if hub.request("GET", f"/users/{n}").status_code != 404:
            hub.delete_user(n)
        passwords.delete(layout.hub_dir / _state_files()[0], n)
    for team in team_names:
        team_workspaces.delete(layout, team)
        user = hub_teams.team_user_name(team)
        for archive in (layout.state / "archive").glob(f"{layout.cfg.unix_user_prefix}{user}-*"):
            archive.unlink()
    users = [*names, *(hub_teams.team_user_name(t) for t in team_names)]
    return [n for n in users if hub.request("GET", f"/users/{n}").status_code != 404]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--teams", type=int, default=8, help="teams editing at once (default 8)")
    ap.add_argument("--members", type=int, default=5, help="members per team (default 5)")
    ap.add_argument("--seconds", type=float, default=60, help="seconds of typing per run (default 60)")
    ap.add_argument(
        "--runs",
        default="stock,stock-nodelay,one,all",
        help="which runs, comma-separated: stock, stock-nodelay, one, all",
    )
    ap.add_argument("--clients", action="store_true", help=argparse.SUPPRESS)  # internal: the client process
    args = ap.parse_args()
    if args.clients:
        run_clients_here()
        return
    if os.geteuid() != 0:
        sys.exit("run as root: the team servers are real Unix accounts")
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "tests"))
    import pwd

    from helpers.hub import HubClient
    from helpers.teams import teams_of, wait_ready

    from hub_config.teams import TEAM_CONFIG_DIR
    from testbed_cli import supervisor
    from testbed_config import load_config
    from testbed_config.layout import Layout

    layout = Layout(load_config(os.environ.get("TESTBED_CONFIG")))
    hub = HubClient.from_layout(layout)
    python = layout.hub_venv / "bin" / "python"
    course = layout.cfg.courses[0]
    tag = secrets.token_hex(2)
    people = {
        f"rtc{tag}t{t}m{m}": (f"共同 {t + 1}班{m + 1}", secrets.token_urlsafe(12), f"計測{tag}-{t + 1}班")
        for t in range(args.teams)
        for m in range(args.members)
    }
    team_names = sorted({p[2] for p in people.values()})
    runs = args.runs.split(",")
    rows: list[tuple] = []

    def services() -> dict[str, int]:
        state = supervisor.states(layout)  # read again per run: another engineer's `./testbed up` restarts them
        return {"hub": state["hub"]["pid"], "proxy": state["proxy"]["pid"]}

    def measured(label: str, teams: list[dict], uids: dict) -> None:
        pids = services()
        res = run(label, python, teams, args.seconds, uids, pids, {t["id"]: hub.token for t in teams})
        now = services()  # the websockets go through the proxy: a hub restart does not break them
        restarted = [g for g in pids if now[g] != pids[g]]
        rows.extend(summarise(res, sorted(uids), list(pids), restarted))

    print(f"making {args.teams} teams of {args.members} trainees (./testbed cohort team set)…", flush=True)
    t_make = time.monotonic()
    failed = None
    try:
        with teams_of(hub, layout, course.id, people) as made:
            print(f"  made in {time.monotonic() - t_make:.0f} s; waiting for the team servers…", flush=True)
            for ws in made.values():
                wait_ready(hub, ws, timeout=300)
            uids = {ws: pwd.getpwnam(layout.cfg.unix_user_prefix + ws).pw_uid for ws in made.values()}
            specs = []
            for i, team in enumerate(team_names):
                ws = made[team]
                scopes = [f"access:servers!server={ws}/"]  # what the share grants, in the member's own token
                members = [
                    {"name": n, "token": hub.user_token(n, scopes)} for n in sorted(people) if people[n][2] == team
                ]
                specs.append({"id": str(i + 1), "ws": ws, "base": f"{hub.public}/user/{ws}", "members": members})
            for name in ("stock", "stock-nodelay"):
                if name not in runs:
                    continue
                stock = StockServer(layout.hub_venv, layout.hub_venv / TEAM_CONFIG_DIR, nodelay=name != "stock")
                try:
                    team = {**specs[0], "base": stock.base, "path": NOTEBOOK.format(run=name)}
                    team["members"] = [{**m, "token": stock.token} for m in team["members"]]
                    res = run(name, python, [team], args.seconds, {}, {"server": stock.proc.pid}, {"1": stock.token})
                    rows.extend(summarise(res, ["server"], []))
                finally:
                    stock.close()
            if "one" in runs:
                ws = specs[0]["ws"]
                measured("1 team", [{**specs[0], "path": NOTEBOOK.format(run="one")}], {ws: uids[ws]})
            if "all" in runs and (args.teams > 1 or "one" not in runs):
                measured(f"{args.teams} teams", [{**s, "path": NOTEBOOK.format(run="all")} for s in specs], uids)
            print("cleaning up (trainees, team users, groups, Unix accounts, folders, archives)…", flush=True)
            stop_servers(hub, sorted(made.values()))
    except Exception as e:  # the table of the runs done so far is still printed
        failed = e
        traceback.print_exc()
    finally:
        left = sweep(layout, hub, sorted(people), team_names)
    print_table(
        rows,
        f"team workspaces: {args.teams} teams x {args.members} members typing for {args.seconds:g} s "
        f"(an edit every {PACE[0]:g}-{PACE[1]:g} s each), {os.cpu_count()} cores",
    )
    print("target: edit-to-visible p95 <= 2000 ms with 8 teams of 5 at once; 0 edits lost")
    print(f"left behind after cleanup: {len(left)} hub users" + (f" ({', '.join(left)})" if left else ""))
    if failed:
        sys.exit(f"failed: {failed}")


if __name__ == "__main__":
    main()

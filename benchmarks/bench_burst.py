"""Classroom burst: N trainees sign in at once and each runs a cell that queries CKAN. Prints a table.

Three runs on the same machine, same single-user environment, same N Unix accounts:

1. this stack's hub, servers started by the logins themselves (queued starts, hub_config/spawner.py);
2. this stack's hub after `./testbed class start` (servers started before class);
3. plain JupyterHub 6.1.1 (stock LocalProcessSpawner, DummyAuthenticator, its own proxy) on free
   ports, spawning the same N users (hub names = their Unix accounts).

A trainee's "login to ready" is the browser's path: POST the sign-in form, open /hub/spawn, follow the
spawn-pending page's progress event stream until it says ready, then open /user/<name>/lab with the
session's cookies (through the server's OAuth redirects) until JupyterLab's page comes back. The
cell then runs in a kernel of that server (``package_search`` through ckanapi, with the trainee's
own CKAN token in runs 1-2).

    /opt/testbed/venvs/cli/bin/python benchmarks/bench_burst.py [-n 40] [--spread 60] [--runs ours,class,plain]

--spread 60 is the issue's scenario (N sign-ins within 60 s); --spread 0 is the worst case (all at once).

Targets (issue "Trainee CKAN accounts, …"): 40 trainees together, all ready <= 60 s, median <= 30 s,
0 failures; idle trainee server <= 120 MiB RSS; after `class start`, p95 login-to-ready <= 3 s.
Stock here (FINDINGS): 40 at once → all ready after 103 s, median 100 s, 150 MiB per idle server.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from helpers.hub import HubClient  # noqa: E402

from ckan_seed import trainees as ckan_trainees  # noqa: E402
from hub_config import passwords  # noqa: E402
from testbed_cli import classroom, cohort, progress, supervisor  # noqa: E402
from testbed_cli import cohort_roster as roster  # noqa: E402
from testbed_config import load_config, names  # noqa: E402
from testbed_config.layout import Layout  # noqa: E402

CELL = (
    "import os, ckanapi\n"
    "c = ckanapi.RemoteCKAN(os.environ['CKAN_URL'], apikey=os.environ.get('CKAN_API_TOKEN'))\n"
    "print(c.action.package_search(q='避難', rows=1)['count'])\n"
)


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))] if xs else float("nan")


def _mem(pid: int) -> tuple[float, float]:
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss / 1024, pss / 1024


def processes_of(unix_names: list[str]) -> dict[str, dict[str, list[int]]]:
    """Per account: pids of its single-user server and of its kernels."""
    uids = {}
    for n in unix_names:
        try:
            uids[os.stat(f"/home/{n}").st_uid] = n
        except OSError:
            pass
    found: dict[str, dict[str, list[int]]] = {n: {"server": [], "kernel": []} for n in unix_names}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            uid = os.stat(f"/proc/{entry}").st_uid
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if uid in uids:
            server = "jupyterhub-singleuser" in cmd or "hub_config.singleuser" in cmd  # stock / this stack
            kind = "server" if server else "kernel" if "ipykernel" in cmd else None
            if kind:
                found[uids[uid]][kind].append(int(entry))
    return found


CLK = os.sysconf("SC_CLK_TCK")


def cpu_by_group(supervised: dict[str, int], unix_names: list[str]) -> dict[str, float]:
    """CPU seconds (user + system, incl. waited-for children) so far, per stack service and for
    the trainees' servers and kernels. Processes that ended are not counted: sample while alive."""
    uids = set()
    for n in unix_names:
        try:
            uids.add(os.stat(f"/home/{n}").st_uid)
        except OSError:
            pass
    parent, cpu, owner, cmd = {}, {}, {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            owner[int(entry)] = os.stat(f"/proc/{entry}").st_uid
            cmd[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        cpu[int(entry)] = sum(int(x) for x in fields[11:15]) / CLK
    out = {name: 0.0 for name in supervised}
    out.update({"trainee servers": 0.0, "trainee kernels": 0.0})
    for pid, secs in cpu.items():
        if owner.get(pid) in uids:
            server = b"jupyterhub-singleuser" in cmd[pid] or b"hub_config.singleuser" in cmd[pid]  # stock / ours
            key = "trainee servers" if server else "trainee kernels"
            out[key] += secs
            continue
        p = pid
        while p > 1:
            hit = next((n for n, top in supervised.items() if top == p), None)
            if hit:
                out[hit] += secs
                break
            p = parent.get(p, 1)
    return out


def browser_login(public: str, user: str, password: str, timeout: float) -> float:
    """Sign in like a browser and wait until the user's server answers; seconds taken."""
    t0 = time.monotonic()
    s = requests.Session()
    s.get(f"{public}/hub/login", timeout=30)
    r = s.post(
        f"{public}/hub/login",
        data={"username": user, "password": password, "_xsrf": s.cookies.get("_xsrf")},
        timeout=60,
        allow_redirects=False,
    )
    if r.status_code != 302:
        raise RuntimeError(f"sign-in refused ({r.status_code})")
    s.get(f"{public}/hub/spawn/{user}", timeout=60)  # → the spawn-pending page
    deadline = t0 + timeout
    # the spawn-pending page's script: one event stream until the server is ready, then JupyterLab
    try:
        with s.get(f"{public}/hub/api/users/{user}/server/progress", stream=True, timeout=timeout) as events:
            for line in events.iter_lines(decode_unicode=True):
                if line and line.startswith("data:") and json.loads(line[5:]).get("ready"):
                    break
                if time.monotonic() > deadline:
                    break
    except requests.RequestException:
        pass
    while time.monotonic() < deadline:
        try:  # JupyterLab's page, from the single-user server (via its OAuth redirects)
            r = s.get(f"{public}/user/{user}/lab", timeout=30)
            if r.status_code == 200 and urlsplit(r.url).path == f"/user/{user}/lab":
                return time.monotonic() - t0
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"not ready after {timeout:.0f} s")


def burst(hub: HubClient, users: dict[str, str], spread: float, timeout: float) -> dict:
    """All ``users`` (name → password) sign in within ``spread`` seconds; each then runs CELL."""
    results: dict[str, dict] = {}
    start = time.monotonic()

    def one(i_name):
        i, name = i_name
        time.sleep(spread * i / max(1, len(users) - 1) if spread else 0)
        res = {"ready": None, "cell": None, "error": None}
        try:
            res["ready"] = browser_login(hub.public, name, users[name], timeout)
            res["ready_at"] = time.monotonic() - start
            t = time.monotonic()
            out = hub.run_code(name, CELL, timeout=120, keep_kernel=True)  # idle memory counts the kernel
            if out["error"]:
                raise RuntimeError(out["error"])
            res["cell"] = time.monotonic() - t
        except Exception as e:  # reported as a failure in the table
            res["error"] = f"{type(e).__name__}: {e}"
        results[name] = res

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        list(pool.map(one, enumerate(sorted(users))))
    return results


def summarise(label: str, results: dict, mem: dict[str, tuple[float, float, float, float]]) -> list[tuple]:
    ok = [r for r in results.values() if not r["error"]]
    ready = [r["ready"] for r in ok]
    cells = [r["cell"] for r in ok]
    failed = len(results) - len(ok)
    all_ready = max((r["ready_at"] for r in ok), default=float("nan"))
    srv_rss = statistics.median([m[0] for m in mem.values() if m[0]] or [0])
    srv_pss = statistics.median([m[1] for m in mem.values() if m[1]] or [0])
    krn_rss = statistics.median([m[2] for m in mem.values() if m[2]] or [0])
    first_error = next((r["error"] for r in results.values() if r["error"]), "")
    return [
        (label, "all ready (s)", f"{all_ready:.1f}"),
        (label, "login→ready p50 / p95 (s)", f"{_pct(ready, 50):.1f} / {_pct(ready, 95):.1f}"),
        (label, "CKAN cell p50 / p95 (s)", f"{_pct(cells, 50):.2f} / {_pct(cells, 95):.2f}"),
        (label, "failures", f"{failed} ({first_error})" if failed else "0"),
        (label, "idle server RSS / PSS p50 (MiB)", f"{srv_rss:.0f} / {srv_pss:.0f}"),
        (label, "kernel RSS p50 (MiB)", f"{krn_rss:.0f}"),
    ]


def measure_memory(unix_names: list[str]) -> dict[str, tuple[float, float, float, float]]:
    time.sleep(10)  # settle to idle
    out = {}
    for name, procs in processes_of(unix_names).items():
        srv = [_mem(p) for p in procs["server"]]
        krn = [_mem(p) for p in procs["kernel"]]
        out[name] = (
            sum(r for r, _ in srv),
            sum(p for _, p in srv),
            sum(r for r, _ in krn),
            sum(p for _, p in krn),
        )
    return out


def stop_servers(hub: HubClient, names: list[str]) -> None:
    for n in names:
        hub.request("DELETE", f"/users/{n}/server")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        running = [n for n in names if (hub.request("GET", f"/users/{n}").json().get("servers") or {})]
        if not running:
            return
        time.sleep(1)


# --- the plain JupyterHub -----------------------------------------------------------------------

PLAIN_CONFIG = """
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.db_url = "sqlite:///{state}/{hub_db}"
c.JupyterHub.cookie_secret_file = "{state}/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {{"benchadmin"}}
c.JupyterHub.services = [{{"name": "bench", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "bench", "scopes": ["admin:users", "admin:servers", "access:servers"],
                             "services": ["bench"]}}]
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {{"CKAN_URL": {ckan!r}, "PATH": {path!r}}}
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
"""


class PlainHub:
    """Stock JupyterHub 6.1.1 with its own proxy, on free loopback ports, in a throw-away directory."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.dir = Path(tempfile.mkdtemp(prefix="bench-plainhub-"))
        self.password = secrets.token_urlsafe(12)
        self.token = secrets.token_hex(24)
        port, hub_port, proxy_api = _free_ports(3)
        self.public = f"http://127.0.0.1:{port}"
        (self.dir / "cookie_secret").write_text(secrets.token_hex(32))
        os.chmod(self.dir / "cookie_secret", 0o600)
        hub_bin = layout.hub_venv / "bin"
        (self.dir / "config.py").write_text(
            PLAIN_CONFIG.format(
                port=port,
                hub_port=hub_port,
                proxy_api=proxy_api,
                chp=str(layout.chp),
                state=self.dir,
                hub_db=names.HUB_DB,
                password=self.password,
                token=self.token,
                singleuser=str(hub_bin / "jupyterhub-singleuser"),
                ckan=layout.cfg.ckan_internal_url,
                path=f"{hub_bin}:/usr/local/bin:/usr/bin:/bin",
            )
        )
        self.client = HubClient(f"http://127.0.0.1:{hub_port}/hub/api", self.public, self.token, "")
        self.proc = subprocess.Popen(
            [str(hub_bin / "jupyterhub"), "-f", str(self.dir / "config.py")],
            cwd=self.dir,
            stdout=open(self.dir / "hub.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            env={"PATH": f"{hub_bin}:/usr/bin:/bin", "HOME": str(self.dir), "LANG": "C.UTF-8"},
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.client.api, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError("plain hub did not start:\n" + (self.dir / "hub.log").read_text()[-2000:])

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


# --- the run --------------------------------------------------------------------------------------


def make_trainees(layout: Layout, n: int, tag: str) -> dict[str, str]:
    entries = [roster.Entry(0, f"bench{tag}{i:02d}", f"負荷 試験{i:02d}", "ベンチマーク課") for i in range(n)]
    cohort.add(layout, entries, log=lambda *_: None)
    pw = {}
    for e in entries:  # the sheet is for humans: set known passwords instead
        pw[e.username] = secrets.token_urlsafe(12)
        passwords.set_password(cohort.password_db(layout), e.username, pw[e.username])
    return pw


def drop_trainees(layout: Layout, users: list[str]) -> None:
    hub = HubClient.from_layout(layout)
    url, token = layout.cfg.ckan_internal_url, (layout.secrets / names.CKAN_ADMIN_TOKEN).read_text().strip()
    for n in users:
        hub.delete_user(n)
        unix = layout.cfg.unix_user_prefix + n
        subprocess.run(["pkill", "-KILL", "-u", unix], capture_output=True)  # kernels still shutting down
        subprocess.run(["/usr/sbin/userdel", "-r", unix], capture_output=True)
        passwords.delete(cohort.password_db(layout), n)
        ckan_trainees.remove_trainee(url, token, n, token_db=cohort.token_db(layout))
    roster.forget(cohort.roster_db(layout), users)
    progress.export_rosters(layout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=40, help="trainees (default 40)")
    ap.add_argument("--spread", type=float, default=60.0, help="sign-ins spread evenly over N seconds (0: at once)")
    ap.add_argument("--runs", default="ours,class,plain", help="which runs, comma-separated")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: trainees are real Unix accounts")
    layout = Layout(load_config())
    runs = args.runs.split(",")
    tag = secrets.token_hex(2)
    hub = HubClient.from_layout(layout)
    rows: list[tuple] = [("run", "measure", "value")]
    users = make_trainees(layout, args.n, tag)
    names = sorted(users)
    unix = [layout.cfg.unix_user_prefix + n for n in names]
    try:
        if "ours" in runs:
            print(f"[1] {args.n} sign-ins on this stack's hub (cold servers)…", flush=True)
            supervised = {n: i["pid"] for n, i in supervisor.states(layout).items() if i["pid"]}
            before = cpu_by_group(supervised, unix)
            res = burst(hub, users, args.spread, args.timeout)
            after = cpu_by_group(supervised, unix)
            rows += summarise("testbed", res, measure_memory(unix))
            spent = {k: after[k] - before.get(k, 0.0) for k in after if after[k] - before.get(k, 0.0) > 0.05}
            total = sum(spent.values())
            rows.append(("testbed", "CPU-s per trainee (burst)", f"{total / args.n:.2f}"))
            for k, v in sorted(spent.items(), key=lambda kv: -kv[1]):
                rows.append(("testbed", f"  of which {k}", f"{v / args.n:.2f}"))
            stop_servers(hub, names)
        if "class" in runs:
            print("[2] ./testbed class start, then the same sign-ins…", flush=True)
            t = time.monotonic()
            started = classroom.start_all(layout, names, parallel=4)
            rows.append(("testbed + class start", "class start (s)", f"{time.monotonic() - t:.1f}"))
            if started.failed:
                rows.append(("testbed + class start", "class start failures", str(len(started.failed))))
            res = burst(hub, users, args.spread, args.timeout)
            rows += summarise("testbed + class start", res, measure_memory(unix))
            stop_servers(hub, names)
        if "plain" in runs:
            print("[3] plain JupyterHub spawning the same accounts…", flush=True)
            plain = PlainHub(layout)
            try:
                plain_users = {u: plain.password for u in unix}
                for u in unix:  # the kernel needs the CKAN token env only in our hub: the cell is anonymous here
                    plain.client.create_user(u)
                res = burst(plain.client, plain_users, args.spread, args.timeout)
                rows += summarise("plain JupyterHub", res, measure_memory(unix))
                stop_servers(plain.client, unix)
            finally:
                plain.close()
    finally:
        print("cleaning up…", flush=True)
        stop_servers(hub, names)
        drop_trainees(layout, names)
    w = [max(len(str(r[i])) for r in rows) for i in range(3)]
    print(f"\nclassroom burst: {args.n} trainees, sign-ins spread over {args.spread:g} s, {os.cpu_count()} cores")
    for i, r in enumerate(rows):
        print(" | ".join(str(c).ljust(w[j]) for j, c in enumerate(r)))
        if i == 0:
            print("-+-".join("-" * x for x in w))
    print(
        "targets: all ready <= 60 s, p50 <= 30 s, 0 failures; idle server <= 120 MiB RSS; after class start p95 <= 3 s"
    )


if __name__ == "__main__":
    main()

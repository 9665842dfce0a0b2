"""Mixed soak: N trainees work at once for some minutes, with the per-trainee limits on. Prints a table.

Each trainee is a real Unix account with a running server (its cgroup limits from the stack config) and one
kernel kept open, like a trainee with a notebook open. Each repeats, with 1-3 s of "thinking" between, a random
mix of what trainees do in a lesson: run a small cell, run a cell that searches CKAN with their own token
(ckanapi in the kernel), open a dataset page, search the catalogue (the API call behind /dataset, with facets),
read a DataStore table, and save their notebook (the contents API, as JupyterLab's autosave).

Two runs in the same process, same requests: one trainee alone ("quiet", the stack's own baseline) and N
together. Every failure (HTTP >= 400, exception, a cell error) is counted and the first few printed.

    /opt/testbed/venvs/cli/bin/python benchmarks/bench_soak.py [-n 30] [--minutes 5]

Targets (issue "Hardening"): 0 errors; package_search p95 <= 100 ms with 30 active trainees. Needs root
(trainees are real Unix accounts); removes its trainees (hub, Unix, CKAN side) at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import websocket

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from helpers.hub import HubClient  # noqa: E402

from hub_config.cgroups import detect  # noqa: E402
from testbed_config import load_config  # noqa: E402
from testbed_config.layout import Layout  # noqa: E402

WORDS = ["避難", "人口", "AED", "公園", "ごみ", "保育", "バス", "図書館", "観光", "統計"]
KINDS = {
    "cell": "セル (計算)",
    "cell_ckan": "セル (CKAN 検索, ckanapi)",
    "dataset_page": "データセットのページ",
    "package_search": "package_search (ファセット付き)",
    "datastore": "datastore_search",
    "save": "ノートブックの保存",
}


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))] if xs else float("nan")


class Trainee:
    """One trainee's open notebook: a kernel over its websocket, the server's contents API, CKAN over HTTP."""

    def __init__(self, hub: HubClient, name: str, ckan: str, datasets: list[str], resources: list[str]):
        self.hub, self.name, self.ckan = hub, name, ckan
        self.datasets, self.resources = datasets, resources
        self.base = f"{hub.public}/user/{name}/api"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {hub.token}"
        r = self.http.post(f"{self.base}/kernels", json={"name": "python3"}, timeout=60)
        r.raise_for_status()
        url = self.base.replace("http", "ws", 1) + f"/kernels/{r.json()['id']}/channels"
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {hub.token}"], timeout=60)
        self.session = uuid.uuid4().hex
        self.anonymous = requests.Session()

    def cell(self, code: str, timeout: float = 60) -> None:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "username": self.name, "session": self.session}
        header |= {"msg_type": "execute_request", "version": "5.3"}
        content = {"code": code, "silent": False, "store_history": False, "user_expressions": {}}
        content |= {"allow_stdin": False, "stop_on_error": True}
        self.ws.send(
            json.dumps(
                {"header": header, "parent_header": {}, "metadata": {}, "channel": "shell"} | {"content": content}
            )
        )
        deadline = time.monotonic() + timeout
        self.ws.settimeout(timeout)
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "error":
                raise RuntimeError(f"cell error: {msg['content']['ename']}: {msg['content']['evalue']}")
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return
        raise TimeoutError("cell did not finish")

    def do(self, kind: str) -> None:
        word = random.choice(WORDS)
        if kind == "cell":
            self.cell("total = sum(range(200_000))\nprint(total)")
        elif kind == "cell_ckan":
            self.cell(
                "import os, ckanapi\n"
                "c = ckanapi.RemoteCKAN(os.environ['CKAN_URL'], apikey=os.environ.get('CKAN_API_TOKEN'))\n"
                f"print(c.action.package_search(q={word!r}, rows=5)['count'])"
            )
        elif kind == "dataset_page":
            self._ok(self.anonymous.get(f"{self.ckan}/dataset/{random.choice(self.datasets)}", timeout=30))
        elif kind == "package_search":
            facets = json.dumps(["organization", "tags", "res_format", "license_id"])
            params = {"q": word, "rows": 20, "facet.field": facets}
            self._ok(self.anonymous.get(f"{self.ckan}/api/3/action/package_search", params=params, timeout=30))
        elif kind == "datastore":
            params = {"resource_id": random.choice(self.resources), "limit": 50}
            self._ok(self.anonymous.get(f"{self.ckan}/api/3/action/datastore_search", params=params, timeout=30))
        elif kind == "save":
            cell = {"cell_type": "code", "metadata": {}, "source": f"# {word}\nprint(1)", "outputs": []}
            cell["execution_count"] = None
            nb = {"cells": [cell] * 20, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            self._ok(
                self.http.put(f"{self.base}/contents/soak.ipynb", json={"type": "notebook", "content": nb}, timeout=30)
            )

    @staticmethod
    def _ok(r: requests.Response) -> None:
        if r.status_code >= 400:
            raise RuntimeError(f"HTTP {r.status_code} {r.url[:100]}")

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass


def work(trainees: list[Trainee], seconds: float, think: tuple[float, float]) -> tuple[dict, dict, list[str]]:
    """Every trainee repeats random requests for ``seconds``; latencies and error counts per kind."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    samples: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop(t: Trainee) -> None:
        rng = random.Random(t.name)
        time.sleep(rng.uniform(0, think[1]))  # not all in the same instant
        while time.monotonic() < stop:
            kind = rng.choice(list(KINDS))
            t0 = time.monotonic()
            try:
                t.do(kind)
                with lock:
                    times[kind].append(time.monotonic() - t0)
            except Exception as exc:  # counted, never hidden
                with lock:
                    errors[kind] += 1
                    if len(samples) < 5:
                        samples.append(f"{t.name} {kind}: {exc}"[:200])
            time.sleep(rng.uniform(*think))

    with ThreadPoolExecutor(max_workers=len(trainees)) as pool:
        list(pool.map(loop, trainees))
    return times, errors, samples


def catalogue(ckan: str) -> tuple[list[str], list[str]]:
    """Names of the official datasets and ids of resources in the DataStore."""
    r = requests.get(f"{ckan}/api/3/action/package_search", params={"rows": 1000}, timeout=60).json()["result"]
    datasets = [d["name"] for d in r["results"]]
    resources = [res["id"] for d in r["results"] for res in d["resources"] if res.get("datastore_active")]
    if not datasets or not resources:
        sys.exit("the catalogue is empty: run ./testbed up (it seeds the sample catalogue)")
    return datasets, resources


def peak_memory_mib(cfg, unix: list[str]) -> float:
    """Largest peak memory of one trainee's cgroup (server + kernels), v1 or v2; nan without cgroups."""
    root = Path("/sys/fs/cgroup")
    peaks = []
    for n in unix:
        for path in (
            root / "memory" / "testbed" / n / "memory.max_usage_in_bytes",
            root / "testbed" / n / "memory.peak",
        ):
            if path.exists():
                peaks.append(int(path.read_text()) / 2**20)
    return max(peaks) if peaks else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=30, help="trainees (default 30)")
    ap.add_argument("--minutes", type=float, default=5.0, help="length of the soak (default 5)")
    ap.add_argument("--quiet-seconds", type=float, default=30.0, help="length of the one-trainee baseline")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: trainees are real Unix accounts")
    layout = Layout(load_config())
    cfg = layout.cfg
    hub = HubClient.from_layout(layout)
    ckan = cfg.ckan_internal_url
    datasets, resources = catalogue(ckan)
    limits = cfg.limits
    print(
        f"limits: {limits.trainee_memory_mib} MiB, {limits.trainee_processes} processes, "
        f"{limits.trainee_cpu_cores} cores per trainee; cgroups: {detect() or 'none'}",
        flush=True,
    )
    tag = secrets.token_hex(2)
    names_ = [f"soak{tag}{i:02d}" for i in range(args.n)]
    trainees: list[Trainee] = []
    try:
        print(f"starting {args.n} trainees' servers…", flush=True)
        for n in names_:
            hub.create_user(n)

        def start(n: str) -> Trainee:
            hub.start_server(n, timeout=300)
            return Trainee(hub, n, ckan, datasets, resources)

        with ThreadPoolExecutor(max_workers=4) as pool:
            trainees = list(pool.map(start, names_))
        print(f"quiet: 1 trainee for {args.quiet_seconds:g} s…", flush=True)
        quiet, quiet_err, _ = work(trainees[:1], args.quiet_seconds, (0.2, 0.5))
        print(f"soak: {args.n} trainees for {args.minutes:g} min…", flush=True)
        load, load_err, samples = work(trainees, args.minutes * 60, (1.0, 3.0))
        peak = peak_memory_mib(cfg, [cfg.unix_user_prefix + n for n in names_])
    finally:
        for t in trainees:
            t.close()
        print("removing the soak's trainees…", flush=True)
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(hub.delete_user, names_))

    head = ("request", "quiet n", "quiet p50 ms", "quiet p95 ms", f"{args.n} n", "p50 ms", "p95 ms", "errors")
    rows = [head]
    for kind, label in KINDS.items():
        q, lo = quiet.get(kind, []), load.get(kind, [])
        rows.append(
            (
                label,
                str(len(q)),
                f"{_pct(q, 50) * 1000:.0f}",
                f"{_pct(q, 95) * 1000:.0f}",
                str(len(lo)),
                f"{_pct(lo, 50) * 1000:.0f}",
                f"{_pct(lo, 95) * 1000:.0f}",
                str(load_err.get(kind, 0) + quiet_err.get(kind, 0)),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    print()
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    total_errors = sum(load_err.values()) + sum(quiet_err.values())
    ps95 = _pct(load.get("package_search", []), 95) * 1000
    print(f"\nrequests: {sum(len(v) for v in load.values())} in {args.minutes:g} min; errors: {total_errors}")
    print(f"largest trainee memory peak (server + kernels): {peak:.0f} MiB of {limits.trainee_memory_mib} MiB")
    print(f"targets: 0 errors ({'met' if total_errors == 0 else 'MISSED'}); package_search p95 <= 100 ms "
          f"({ps95:.0f} ms: {'met' if ps95 <= 100 else 'MISSED'})")  # fmt: skip
    for s in samples:
        print("  error:", s)


if __name__ == "__main__":
    main()

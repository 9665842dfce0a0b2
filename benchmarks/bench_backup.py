"""Backup and restore of a class of 40 while it works (issue 19). Needs root; changes the running stack, then
puts it back.

On the running stack, N trainees (default 40) are made through the project's own code (``cohort.add``, then
``./testbed class start``: Unix accounts, homes, CKAN users and sandboxes, as for a real class); each gets a day's
work in their home (the course's lesson notebooks, a 1 MB CSV of their own, a 200 KB chart) and one published dataset
with an uploaded file in their sandbox. Then W of them (default 10) keep working while the backups run: each saves
a notebook through their server's contents API behind the hub's proxy, searches CKAN and asks the hub who they are,
in a loop; every request counts, a non-2xx answer or an exception is a failure.

Runs, same state, same load, one after the other:

- ``idle load``: the load alone for a few seconds (latency without a backup);
- ``testbed backup``: ``./testbed backup --to TMP`` (pg_dump of both databases, the state trees and homes with SQLite
  files by the online backup API, sha256 of every member);
- ``pg_dump + tar``: what an operator would script by hand, as the stock baseline: ``pg_dump -Fc`` of both
  databases and one ``tar czf`` of the same state trees and homes (no SQLite snapshot, no checksums);
- ``testbed restore``: ``./testbed restore --yes`` of the backup just made (services stopped, state replaced,
  started again, with the trainees' servers that were running; the load paused meanwhile, as a class would be);
  healthy afterwards, and does the class's work go on (the same load for a few seconds)?

Printed: seconds, size, requests and failures during each run, request p50/p95. Targets: backup of a 40-trainee class
while it runs <= 2 min with no request failing; restore <= 5 min. Everything made is removed at the end (trainees,
their datasets and sandboxes, Unix accounts, the backups) and the stack's record of its last backup is put back.

    /opt/testbed/venvs/cli/bin/python benchmarks/bench_backup.py [-n 40] [--working 10] [--no-restore]
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_burst import drop_trainees, make_trainees, stop_servers  # noqa: E402
from helpers.backups import backup_status_kept  # noqa: E402
from helpers.hub import HubClient  # noqa: E402

from testbed_cli import backup, classroom, postgres  # noqa: E402
from testbed_cli.layout import Layout  # noqa: E402
from testbed_config import load_config, names  # noqa: E402
from testbed_config.ckan_client import CkanClient  # noqa: E402

LESSONS = REPO / "courses" / "odtb" / "source"


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def give_work(layout: Layout, name: str, ckan: CkanClient) -> None:
    """A day's work in the trainee's home, and one dataset published in their sandbox."""
    account = pwd.getpwnam(layout.cfg.unix_user_prefix + name)
    home = Path(account.pw_dir)
    work = home / "研修"
    work.mkdir(exist_ok=True)
    for nb in sorted(LESSONS.rglob("kyozai_*.ipynb"))[:6]:
        shutil.copy(nb, work / nb.name)
    rng = random.Random(name)
    areas = ["北町", "南町", "中央"]
    rows = [f"{i},{rng.choice(areas)},{rng.randint(0, 9999)},{rng.random():.6f}" for i in range(25_000)]
    (work / "集計.csv").write_text("番号,地域,件数,割合\n" + "\n".join(rows) + "\n", encoding="utf-8")
    (work / "グラフ.png").write_bytes(rng.randbytes(200_000))
    for path in [work, *work.iterdir()]:
        os.chown(path, account.pw_uid, account.pw_gid)
    org = names.sandbox_org_name(name)
    ds = ckan.call("package_create", name=f"{org}-bench", title="バックアップ計測の公開データ", owner_org=org)
    csv = home / "研修" / "集計.csv"
    with open(csv, "rb") as f:
        requests.post(
            f"{ckan.url}/api/3/action/resource_create",
            headers={"Authorization": ckan.token},
            data={"package_id": ds["id"], "name": "集計", "format": "CSV"},
            files={"upload": ("shukei.csv", f)},
            timeout=120,
        ).raise_for_status()


class Load:
    """W trainees working in a loop: save a notebook, search CKAN, ask the hub; every request recorded."""

    def __init__(self, hub: HubClient, ckan_url: str, working: list[str]):
        self.hub, self.ckan_url, self.working = hub, ckan_url, working
        self.samples: list[tuple[float, float, bool, str]] = []  # (start, seconds, ok, what)
        self._stop = threading.Event()
        self._pause = threading.Event()
        self._threads: list[threading.Thread] = []

    def _one(self, name: str) -> None:
        s = requests.Session()
        h = {"Authorization": f"token {self.hub.token}"}
        nb = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        i = 0
        while not self._stop.is_set():
            if self._pause.is_set():
                time.sleep(0.2)
                continue
            i += 1
            nb["cells"] = [{"cell_type": "markdown", "metadata": {}, "source": f"作業メモ {i} " * 50, "id": "a"}]
            calls = [
                (
                    "save",
                    "PUT",
                    f"{self.hub.public}/user/{name}/api/contents/作業メモ.ipynb",
                    {"data": json.dumps({"type": "notebook", "content": nb}), "headers": h},
                ),  # fmt: skip
                ("ckan", "GET", f"{self.ckan_url}/api/3/action/package_search", {"params": {"q": "避難", "rows": 5}}),
                ("hub", "GET", f"{self.hub.public}/hub/api/users/{name}", {"headers": h}),
            ]
            for what, method, url, kw in calls:
                t0 = time.time()
                try:
                    ok = s.request(method, url, timeout=60, **kw).status_code < 300
                except requests.RequestException:
                    ok = False
                self.samples.append((t0, time.time() - t0, ok, what))
                time.sleep(random.uniform(0.2, 0.6))

    def start(self) -> None:
        for name in self.working:
            t = threading.Thread(target=self._one, args=(name,), daemon=True)
            t.start()
            self._threads.append(t)

    def pause(self, on: bool) -> None:
        (self._pause.set if on else self._pause.clear)()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=70)

    def during(self, t0: float, t1: float) -> dict:
        got = [s for s in self.samples if t0 <= s[0] < t1]
        lat = [s[1] * 1000 for s in got]
        failed = [s[3] for s in got if not s[2]]
        kinds = ", ".join(f"{k} {failed.count(k)}" for k in sorted(set(failed)))
        failures = f"{len(failed)} ({kinds})" if failed else "0"
        return {"requests": len(got), "failed": failures, "p50": _pct(lat, 50), "p95": _pct(lat, 95)}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def stock_backup(layout: Layout, dest: Path, homes: list[str]) -> None:
    """The operator's hand-made baseline: pg_dump -Fc of both databases, one tar.gz of the same trees."""
    for db in backup.DATABASES:
        pg_dump = [str(postgres.PG_BIN / "pg_dump"), *backup.pg_args(layout), "-Fc", "-f", str(dest / f"{db}.dump")]
        subprocess.run([*pg_dump, db], check=True, env=backup._pg_env(layout))
    trees = [str(layout.state / t) for t in backup.STATE_TREES if (layout.state / t).exists()]
    subprocess.run(["tar", "czf", str(dest / "files.tar.gz"), "--warning=no-file-changed", *trees, *homes], check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=40, help="trainees (default 40)")
    ap.add_argument("--working", type=int, default=10, help="trainees working during the backups (default 10)")
    ap.add_argument("--no-restore", action="store_true", help="skip the restore run")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: trainees are real Unix accounts, and backups read every home")
    layout = Layout(load_config())
    if not postgres.is_ready(layout):
        sys.exit("the stack is not running: ./testbed up")
    hub = HubClient.from_layout(layout)
    ckan = CkanClient(layout.cfg.ckan_internal_url, (layout.secrets / names.CKAN_ADMIN_TOKEN).read_text().strip())
    tag = os.urandom(2).hex()
    scratch = Path(tempfile.mkdtemp(prefix="bench-backup-", dir="/var/tmp"))
    rows: list[tuple] = [("run", "seconds", "size", "requests", "failed", "p50 ms", "p95 ms")]
    load = None
    with backup_status_kept(layout):  # ./testbed backup records each backup it makes
        users = make_trainees(layout, args.n, tag)
        trainees = sorted(users)
        try:
            print(f"[setup] {args.n} trainees: class start, a day's work each…", flush=True)
            t = time.monotonic()
            started = classroom.start_all(layout, trainees, parallel=4)
            if started.failed:
                sys.exit(f"class start failed for {started.failed}")
            for name in trainees:
                give_work(layout, name, ckan)
            print(f"  ready in {time.monotonic() - t:.0f} s", flush=True)
            homes = [pwd.getpwnam(layout.cfg.unix_user_prefix + n).pw_dir for n in trainees]
            load = Load(hub, layout.cfg.ckan_internal_url, trainees[: args.working])
            load.start()

            t0 = time.time()
            time.sleep(15)
            rows.append(("idle load", "", "", *_figures(load.during(t0, time.time()))))

            print("[1] ./testbed backup while they work…", flush=True)
            ours = scratch / "ours"
            ours.mkdir()
            t0 = time.time()
            proc = subprocess.run([str(REPO / "testbed"), "backup", "--to", str(ours)], capture_output=True, text=True)
            t1 = time.time()
            if proc.returncode != 0:
                sys.exit(proc.stdout + proc.stderr)
            (made,) = [p for p in ours.iterdir() if p.is_dir()]
            rows.append(("testbed backup", f"{t1 - t0:.1f}", _mb(_size(made)), *_figures(load.during(t0, t1))))

            print("[2] pg_dump + tar (stock) while they work…", flush=True)
            stock = scratch / "stock"
            stock.mkdir()
            t0 = time.time()
            stock_backup(layout, stock, homes)
            t1 = time.time()
            rows.append(("pg_dump + tar (stock)", f"{t1 - t0:.1f}", _mb(_size(stock)), *_figures(load.during(t0, t1))))
            shutil.rmtree(stock)

            if not args.no_restore:
                print("[3] ./testbed restore (the class paused)…", flush=True)
                load.pause(True)
                time.sleep(2)
                t0 = time.time()
                restore = [str(REPO / "testbed"), "restore", "--yes", str(made)]
                proc = subprocess.run(restore, capture_output=True, text=True)
                t1 = time.time()
                if proc.returncode != 0:
                    sys.exit(proc.stdout + proc.stderr)
                healthy = subprocess.run([str(REPO / "testbed"), "status"], capture_output=True).returncode == 0
                state = "healthy" if healthy else "UNHEALTHY"
                rows.append(("testbed restore", f"{t1 - t0:.1f}", "", "", "", "", state))
                load.pause(False)
                t0 = time.time()
                time.sleep(15)
                rows.append(("load after restore", "", "", *_figures(load.during(t0, time.time()))))
        finally:
            print("cleaning up…", flush=True)
            if load is not None:
                load.stop()
            stop_servers(hub, trainees)
            for name in trainees:
                org = names.sandbox_org_name(name)
                try:
                    ckan.call("dataset_purge", id=f"{org}-bench")
                except Exception:  # never made, or gone with a failed setup
                    pass
            drop_trainees(layout, trainees)
            for name in trainees:
                try:
                    ckan.call("organization_purge", id=names.sandbox_org_name(name))
                except Exception:
                    pass
            shutil.rmtree(scratch, ignore_errors=True)
    w = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    print(f"\nbackup of a working class: {args.n} trainees, {args.working} working, {os.cpu_count()} cores")
    for i, r in enumerate(rows):
        print(" | ".join(str(c).ljust(w[j]) for j, c in enumerate(r)))
        if i == 0:
            print("-+-".join("-" * x for x in w))
    print("targets: backup <= 120 s with 0 failed requests; restore <= 300 s")


def _figures(d: dict) -> tuple:
    return (d["requests"], d["failed"], f"{d['p50']:.0f}", f"{d['p95']:.0f}")


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


if __name__ == "__main__":
    main()

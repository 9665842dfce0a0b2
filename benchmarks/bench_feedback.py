"""Remote mode, submit → feedback: N trainees submit over S seconds; how soon is each one's feedback released?

The trainees are real (`cohort.add`: hub users, Unix accounts, servers started as `class start` does). Each
submits the way the Assignment List (課題の一覧) does, through their own server: nbgrader's ``assignments/fetch``,
the notebook written through the contents API, ``assignments/submit``; half of them the instructor's solution,
half the blank release. Submissions are spread evenly over ``--spread`` seconds (the issue's scenario: 40 over
2 minutes). The autograder is this stack's own program (``grader.auto``, as `./testbed up` runs it in remote
mode, here limited to the benchmark's assignment, with a round interval longer than the run, so the
submissions themselves start the grading).

Measured per submission: from the moment its submit request returned to the moment its feedback page is in the
exchange (where nbgrader's list, and so the JupyterLab notice, finds it; checked every 0.1 s). A trainee
*sees* it at most ``WAITING_TICK_SECONDS`` (the notice's question while a submission waits) plus one nbgrader
list later; the list's time is measured once per trainee at the end and added to the p50/p95 as "visible".

    /opt/testbed/venvs/cli/bin/python benchmarks/bench_feedback.py [-n 40] [--spread 120] [--module 00_hajimeni]
        [--cold]

Needs root. Everything it makes (trainees, the assignment copy, exchange entries) is removed at the end.
Targets (issue #17): p50 ≤ 5 s, p95 ≤ 15 s from submit to feedback visible.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_burst import drop_trainees, make_trainees  # noqa: E402
from helpers.course import live_assignment, run_testbed  # noqa: E402

from testbed_cli import classroom  # noqa: E402
from testbed_cli.lab_feedback_notice import WAITING_TICK_SECONDS  # noqa: E402
from testbed_cli.stack import autograder_program  # noqa: E402
from testbed_config import load_config, names  # noqa: E402
from testbed_config.layout import Layout  # noqa: E402


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]


class Trainee:
    def __init__(self, public: str, token: str, name: str):
        self.name, self.base, self.h = name, f"{public}/user/{name}", {"Authorization": f"token {token}"}

    def call(self, method: str, path: str, **kw) -> dict:
        r = requests.request(method, f"{self.base}/{path}", headers=self.h, timeout=120, **kw)
        r.raise_for_status()
        return r.json()

    def nbgrader(self, action: str, course: str, assignment: str) -> None:
        answer = self.call("POST", f"assignments/{action}", json={"course_id": course, "assignment_id": assignment})
        if not answer.get("success"):
            raise RuntimeError(f"{self.name} {action}: {answer}")

    def write(self, path: str, nb: dict) -> None:
        self.call("PUT", f"api/contents/{path}", json={"type": "notebook", "format": "json", "content": nb})

    def list_seconds(self, course: str) -> float:
        t = time.perf_counter()
        answer = self.call("GET", f"assignments?course_id={course}")
        if not answer.get("success"):
            raise RuntimeError(f"{self.name} list: {answer}")
        return time.perf_counter() - t


def feedback_page(exchange: Path, user: str, assignment: str, notebook: str, after: set[str]) -> Path | None:
    """Where the feedback of ``user``'s new submission will be (nbgrader's name: md5 of secret + notebook)."""
    for sub in (exchange / "inbound").glob(f"{user}+{assignment}+*"):
        secret = sub / "submission_secret.txt"
        if sub.name not in after and secret.is_file():
            digest = hashlib.md5((secret.read_text(encoding="utf-8") + notebook).encode()).hexdigest()
            return exchange / "feedback" / f"{digest}.html"
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=40)
    ap.add_argument("--spread", type=float, default=120.0)
    ap.add_argument("--module", default="00_hajimeni")
    ap.add_argument("--cold", action="store_true", help="grade with cold kernels (TESTBED_GRADER_WARM=0)")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("root only (real Unix accounts)")
    layout = Layout(load_config())
    course = layout.cfg.courses[0].id
    exchange = layout.exchange / course
    tag = secrets.token_hex(2)
    assignment = f"fbbench_{tag}"
    source = REPO / "courses" / course / "source" / a.module
    notebook = sorted(p.stem for p in source.glob("kadai_*.ipynb"))[0]
    solution = json.loads((source / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    token = (layout.secrets / names.HUB_ADMIN_TOKEN).read_text().strip()
    public = f"http://{layout.cfg.local_host}:{layout.cfg.ports.hub}"
    users: list[str] = []
    pages: dict[str, Path] = {}
    proc = None
    log_path = layout.logs / f"autograder-bench-{tag}.log"
    try:
        users = sorted(make_trainees(layout, a.n, tag))
        started = classroom.start_all(layout, users, parallel=4)
        if started.failed:
            sys.exit(f"servers did not start: {started.failed}")
        with live_assignment(layout, source, assignment):
            res = run_testbed("course", "release", assignment, "--course", course)
            assert res.returncode == 0, res.stdout + res.stderr
            trainees = [Trainee(public, token, u) for u in users]
            with ThreadPoolExecutor(8) as pool:  # every trainee fetches first (not measured)
                list(pool.map(lambda t: t.nbgrader("fetch", course, assignment), trainees))
            program = autograder_program(layout)
            env = {**program.environment, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONPATH": str(REPO)}
            if a.cold:
                env["TESTBED_GRADER_WARM"] = "0"
            log = open(log_path, "w")  # noqa: SIM115 - closed below
            proc = subprocess.Popen(
                [*program.command, "--interval", "3600", "--assignment", assignment],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
            time.sleep(3)  # its first round (nothing to grade yet) is over
            before = {p.name for p in (exchange / "inbound").glob(f"*+{assignment}+*")}
            submitted: dict[str, float] = {}
            released: dict[str, float] = {}
            done = threading.Event()

            def watch() -> None:
                while not done.is_set():
                    for u in list(submitted):
                        if u in released:
                            continue
                        if u not in pages:
                            unix = layout.cfg.unix_user_prefix + u
                            page = feedback_page(exchange, unix, assignment, notebook, before)
                            if page is None:
                                continue
                            pages[u] = page
                        if pages[u].is_file():
                            released[u] = time.monotonic()
                    time.sleep(0.1)

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            t0 = time.monotonic()

            def submit(i: int) -> None:
                t = trainees[i]
                time.sleep(max(0.0, t0 + i * a.spread / max(1, a.n) - time.monotonic()))
                path = f"{course}/{assignment}/{notebook}.ipynb"
                nb = solution if i % 2 == 0 else t.call("GET", f"api/contents/{path}")["content"]
                t.write(path, nb)
                t.nbgrader("submit", course, assignment)
                submitted[t.name] = time.monotonic()

            with ThreadPoolExecutor(a.n) as pool:
                list(pool.map(submit, range(a.n)))
            deadline = time.monotonic() + 600
            while len(released) < len(submitted) and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.5)
            done.set()
            lists = [t.list_seconds(course) for t in trainees[:10]]
            waits = [released[u] - submitted[u] for u in released]
            missing = sorted(set(submitted) - set(released))
            list_p50 = statistics.median(lists)
            print(
                f"\n{a.n} submissions over {a.spread:g} s, module {a.module}, {os.cpu_count()} cores, "
                f"{'cold' if a.cold else 'warm'} kernels; released {len(waits)}, missing {len(missing)}\n"
            )
            print("| measure | p50 s | p95 s | max s |")
            print("|---|---|---|---|")
            if waits:
                print(
                    f"| submit → feedback in the exchange | {_pct(waits, 50):.1f} | {_pct(waits, 95):.1f} "
                    f"| {max(waits):.1f} |"
                )
                extra = WAITING_TICK_SECONDS + list_p50
                print(
                    f"| submit → visible in JupyterLab (+ ≤ {WAITING_TICK_SECONDS:g} s notice tick + list "
                    f"{list_p50:.2f} s) | {_pct(waits, 50) + extra:.1f} | {_pct(waits, 95) + extra:.1f} "
                    f"| {max(waits) + extra:.1f} |"
                )
            if missing:
                print("missing:", ", ".join(missing))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=60)
        p = layout.run / f"autograder-{course}.json"
        if p.exists():  # forget this run's entries; the live autograder keeps its own
            data = json.loads(p.read_text())
            data["seen"] = [e for e in data["seen"] if f"+{assignment}+" not in e]
            data["attempts"] = {k: v for k, v in data.get("attempts", {}).items() if f"+{assignment}+" not in k}
            p.write_text(json.dumps(data))
        for page in pages.values():  # this run's feedback pages in the exchange
            page.unlink(missing_ok=True)
        if users:
            drop_trainees(layout, users)
        print(f"(autograder log: {log_path})")


if __name__ == "__main__":
    main()

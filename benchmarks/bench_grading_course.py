"""Grading the real course (courses/odtb): stock serial nbgrader vs this project's sandboxed grading, cold and warm.

For every assignment module, N submissions (the instructor's solution and wrong-answer catalogue entries,
``catalogue/kadai_NN.yaml``, mixed deterministically) are graded three ways in the same run, each on a fresh
copy of the same generated course:

- stock: ``nbgrader autograde M --force --create`` then ``nbgrader generate_feedback M --force`` (one process
  each, serial, stock kernels, no sandbox), the hub venv's CLI, as ``bench_grading.py`` runs it;
- cold: ``grader.batch.grade_assignment(..., workers=<cores>, warm=False)`` (a fresh bwrap + Python per notebook);
- warm: the same with ``warm=True`` (kernels forked from a pre-imported template in the sandbox).

Run as root (the sandbox drops kernels to other uids) with the hub venv's Python (nbgrader, psutil, PyYAML):

    /opt/testbed/venvs/hub/bin/python benchmarks/bench_grading_course.py [--n 40] [--modules 00_hajimeni,02_sagasu]

CKAN: graded kernels have no token and read back what the trainee published in their sandbox organisation,
which the grader derives from the student name. Modules whose assignment reads that sandbox (``01_kokai``,
``07_sogo``, ``08_yobo``: ``find_my_organization``) therefore need one real CKAN trainee per submission; they are
made as tests/integration/test_curriculum.py makes them, and the instructor's version of those assignments is run
once with each trainee's token (publishing and closing the role-play's requests), untimed, before grading. Entries
of catalogue questions that publish (``sequential``) are left out there: grading reads what was published, not the
answer cell. The stock run cannot know a student's sandbox: its kernels get one more trainee's sandbox
(``CKAN_SANDBOX_ORG``), and for assignments with ``# testbed-ckan-check`` cells (scored by the project's trusted
grader, which stock nbgrader lacks) also that trainee's token, as test_curriculum's stock grading does. Other
modules use plain student names and anonymous reads of the public catalogue. Everything made (temporary
directories, CKAN users, organisations, datasets, requests) is removed at the end.

Figures per grading: wall seconds; CPU seconds of the grading process and every descendant it waited for
(``os.wait4`` of a forked child that runs the grading: user + system); peak memory two ways, ``ru_maxrss`` (the
largest single process among them, not a sum) and the largest sum of RSS over the whole process tree, sampled
every 0.2 s with psutil (shared pages, e.g. of forked warm kernels, count once per process).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ckanapi
import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "courses" / "odtb"))
sys.path.insert(0, str(REPO))

import catalogue  # noqa: E402
import runner  # noqa: E402

from ckan_seed.sample_requests import ensure_training_requests, remove_training_requests  # noqa: E402
from ckan_seed.trainees import ensure_grader_reader  # noqa: E402
from grader.batch import grade_assignment  # noqa: E402
from testbed_config import StackConfig  # noqa: E402
from testbed_config.ckan_client import CkanClient  # noqa: E402
from testbed_config.layout import Layout  # noqa: E402
from testbed_config.names import CKAN_ADMIN_TOKEN, CKAN_GRADER_TOKEN, GRADEBOOK, sandbox_org_name  # noqa: E402

HUB = Path(sys.executable).parent
WAYS = ("stock", "cold", "warm")
SAMPLE_SECONDS = 0.2


# --- what is graded ----------------------------------------------------------------------------------------------


def source_text(module: str) -> str:
    return runner.assignment(module).read_text(encoding="utf-8")


def needs_sandbox(module: str) -> bool:
    """Does grading this assignment read what the trainee published in their own sandbox organisation?"""
    return "find_my_organization" in source_text(module)


def entries(module: str, skip_publishing: bool) -> list[tuple[str, dict]]:
    """(label, {answer grade id: code}) of every catalogue entry of ``module``, in a fixed shuffled order."""
    path = catalogue.CATALOGUE / f"kadai_{module[:2]}.yaml"
    out = []
    for q in catalogue.load(path)["questions"] if path.exists() else []:
        if skip_publishing and q.get("sequential"):
            continue
        for kind in catalogue.KINDS:
            for e in q.get(kind) or []:
                out.append((f"{kind}:{q['answer']}:{e['name']}", {q["answer"]: e["code"]}))
    random.Random(module).shuffle(out)
    return out


def plan(module: str, students: list[str]) -> list[tuple[str, str, dict | None]]:
    """(student, label, replace) per submission: every third the instructor's solution, the others catalogue
    entries in turn."""
    pool = entries(module, skip_publishing=needs_sandbox(module))
    out = []
    for i, student in enumerate(students):
        if i % 3 == 0 or not pool:
            out.append((student, "solution", None))
        else:
            label, replace = pool[(i - 1 - i // 3) % len(pool)]
            out.append((student, label, replace))
    return out


# --- CKAN trainees (as tests/integration/test_curriculum.py makes them) -----------------------------------------


def make_trainee(admin: ckanapi.RemoteCKAN, layout: Layout, name: str) -> dict:
    org = sandbox_org_name(name)
    admin.action.user_create(name=name, email=f"{name}@example.invalid", password=secrets.token_urlsafe(18))
    admin.action.organization_create(name=org, title=f"{name} のサンドボックス")
    admin.action.organization_member_create(id=org, username=name, role="editor")
    client = CkanClient(admin.address, admin.apikey)
    ensure_grader_reader(client, org, layout.secrets / CKAN_GRADER_TOKEN)
    ensure_training_requests(client, org)
    token = admin.action.api_token_create(user=name, name="bench-grading-course")["token"]
    return {"name": name, "org": org, "token": token}


def drop_trainee(admin: ckanapi.RemoteCKAN, name: str) -> None:
    org = sandbox_org_name(name)
    remove_training_requests(CkanClient(admin.address, admin.apikey), org)
    try:
        org_id = admin.action.organization_show(id=org)["id"]
        found = admin.action.package_search(fq=f'owner_org:"{org_id}"', include_private=True, rows=1000)
        for ds in found["results"]:
            admin.action.dataset_purge(id=ds["id"])
        admin.action.organization_purge(id=org)
    except ckanapi.NotFound:
        pass
    try:
        for t in admin.action.api_token_list(user_id=name):
            admin.action.api_token_revoke(jti=t["id"])
        admin.action.user_delete(id=name)
    except ckanapi.NotFound:
        pass


def publish_as(trainee: dict, modules: list[str], ckan_url: str, work: Path) -> None:
    """The trainee runs the instructor's version of ``modules`` with their token: publishes, closes requests."""
    env = {"CKAN_URL": ckan_url, "CKAN_API_TOKEN": trainee["token"], "CKAN_SANDBOX_ORG": trainee["org"]}
    results = runner.execute([runner.assignment(m) for m in modules], work / trainee["name"], env)
    bad = [r for r in results if r["error"]]
    if bad:
        raise RuntimeError(f"{trainee['name']}: the instructor's version failed:\n{bad[0]['error'][-1500:]}")


# --- the three ways ------------------------------------------------------------------------------------------------


def grade_stock(root: Path, module: str, env: dict) -> None:
    for args in (["autograde", module, "--force", "--create"], ["generate_feedback", module, "--force"]):
        proc = subprocess.run([str(HUB / "nbgrader"), *args], cwd=root, capture_output=True, text=True, env=env)
        if proc.returncode:
            raise RuntimeError(f"nbgrader {args[0]} {module}: {proc.stderr[-2000:]}")


def grade_ours(root: Path, module: str, workers: int, warm: bool, ckan_url: str, notebook_timeout: int) -> None:
    r = grade_assignment(
        root=root,
        course="odtb",
        assignment=module,
        python=HUB / "python",
        workers=workers,
        notebook_timeout=notebook_timeout,
        ckan_url=ckan_url,
        log_path=root.parent / f"{root.name}-{module}.log",
        warm=warm,
        force=True,
    )
    if r.failed or r.broken:
        log = (root.parent / f"{root.name}-{module}.log").read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"grade_assignment {module}: failed {r.failed} broken {r.broken}\n{log[-3000:]}")


def measured(job) -> dict:
    """Run ``job()`` in a forked child; wall, CPU and peak memory of it and its descendants."""
    read, write = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child: its own process group, so an interrupted run can end it with all it started
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setpgrp()
        os.close(read)
        status = 0
        try:
            job()
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            os.write(write, f"{type(e).__name__}: {e}"[-4000:].encode())
            status = 1
        os._exit(status)
    os.close(write)
    peak = {"rss": 0, "pss": 0, "stop": False}
    cpu_seen: dict[tuple[int, float], float] = {}  # (pid, start time) -> user+system last seen

    def sample() -> None:
        try:
            top = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return
        while not peak["stop"]:
            rss = pss = 0
            try:
                procs = [top, *top.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for p in procs:
                try:
                    with p.oneshot():
                        mem = p.memory_full_info()
                        t = p.cpu_times()
                        cpu_seen[(p.pid, p.create_time())] = t.user + t.system
                except psutil.Error:
                    continue
                rss += mem.rss
                pss += mem.pss
            peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, status, usage = os.wait4(pid, 0)
    except BaseException:
        peak["stop"] = True
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    wall = time.perf_counter() - started
    peak["stop"] = True
    sampler.join()
    with os.fdopen(read, "rb") as f:
        error = f.read().decode()
    if status:
        raise RuntimeError(error or f"grading child exited with status {status}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "maxrss_mib": usage.ru_maxrss / 1024,
        "tree_mib": peak["rss"] / 2**20,
        "tree_pss_mib": peak["pss"] / 2**20,
        "cpu_sampled": sum(cpu_seen.values()),
    }


@functools.cache
def _gradebook_class():
    import nbgrader.api

    # every Gradebook() runs `alembic heads` in a subprocess; the answer never changes here
    nbgrader.api.get_alembic_version = functools.lru_cache(maxsize=None)(nbgrader.api.get_alembic_version)
    return nbgrader.api.Gradebook


def scores(root: Path, module: str, students: list[str]) -> dict[str, tuple[float, float]]:
    """student -> (autograded score, autograded maximum) from the copy's gradebook."""
    out = {}
    with _gradebook_class()(f"sqlite:///{root / GRADEBOOK}") as gb:
        for student in students:
            sub = gb.find_submission(module, student)
            auto = [g for nb in sub.notebooks for g in nb.grades if g.cell.cell_type == "code"]
            out[student] = (sum(g.score or 0 for g in auto), sum(g.max_score for g in auto))
    return out


# --- report --------------------------------------------------------------------------------------------------------


def table(rows: list[dict], n_by_module: dict[str, int]) -> str:
    head = (
        "| assignment | way | wall s | s/sub | CPU-s/sub | CPU-s/sub sampled | ru_maxrss MiB | tree RSS MiB "
        "| tree PSS MiB | full marks | warm vs stock | warm vs cold |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    modules = list(dict.fromkeys(r["module"] for r in rows))
    for module in [*modules, "total"]:
        sel = rows if module == "total" else [r for r in rows if r["module"] == module]
        n = sum(n_by_module.values()) if module == "total" else n_by_module[module]
        by = {}
        for way in WAYS:
            w = [r for r in sel if r["way"] == way]
            by[way] = {
                "wall": sum(r["wall"] for r in w),
                "cpu": sum(r["cpu"] for r in w),
                "cpu_sampled": sum(r["cpu_sampled"] for r in w),
                "pss": max(r["tree_pss_mib"] for r in w),
                "maxrss": max(r["maxrss_mib"] for r in w),
                "tree": max(r["tree_mib"] for r in w),
                "full": sum(r["full"] for r in w),
            }
        for way in WAYS:
            b = by[way]
            vs = (
                f"{by['stock']['wall'] / by['warm']['wall']:.2f}× | {by['cold']['wall'] / by['warm']['wall']:.2f}×"
                if way == "warm"
                else " | "
            )
            lines.append(
                f"| {module} | {way} | {b['wall']:.1f} | {b['wall'] / n:.2f} | {b['cpu'] / n:.2f} "
                f"| {b['cpu_sampled'] / n:.2f} | {b['maxrss']:.0f} | {b['tree']:.0f} | {b['pss']:.0f} "
                f"| {b['full']}/{n} | {vs} |"
            )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="submissions per assignment")
    ap.add_argument("--modules", default="", help="comma-separated module folders (default: all)")
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--notebook-timeout", type=int, default=300)
    ap.add_argument("--ckan-url", default=StackConfig().ckan_internal_url)
    ap.add_argument("--json", default="", help="also write the figures and submissions to this file")
    ap.add_argument("--budget", type=float, default=0, help="seconds: start no module likely to end after it")
    a = ap.parse_args()
    started = time.perf_counter()
    if os.geteuid() != 0:
        ap.error("run as root: the sandbox drops kernels to other uids")
    modules = [m for m in a.modules.split(",") if m] or runner.modules()
    unknown = set(modules) - set(runner.modules())
    if unknown:
        ap.error(f"unknown modules: {sorted(unknown)}")
    layout = Layout(StackConfig())
    token = (layout.secrets / CKAN_ADMIN_TOKEN).read_text().strip()
    admin = ckanapi.RemoteCKAN(a.ckan_url, apikey=token, user_agent="bench-grading-course")
    sandboxed = [m for m in modules if needs_sandbox(m)]
    run = secrets.token_hex(3)
    base = Path(tempfile.mkdtemp(prefix="bench-grading-course-"))
    made: list[str] = []
    rows: list[dict] = []
    graded: list[str] = []

    def stop(signum, frame):  # SIGTERM: clean up as on any other exit
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    disagreements: list[str] = []
    try:
        trainees: list[dict] = []
        if sandboxed:
            t0 = time.perf_counter()
            names = [f"bgc{run}s{i:02d}" for i in range(a.n)] + [f"bgc{run}stock"]
            for name in names:
                made.append(name)
                trainees.append(make_trainee(admin, layout, name))
            with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
                list(pool.map(lambda t: publish_as(t, sandboxed, a.ckan_url, base / "publish"), trainees))
            shutil.rmtree(base / "publish", ignore_errors=True)
            print(f"{len(trainees)} CKAN trainees made and published {sandboxed} in {time.perf_counter() - t0:.0f} s")
        stock_trainee = trainees[-1] if trainees else None
        plain = [f"s{i:02d}" for i in range(a.n)]
        plans = {m: plan(m, [t["name"] for t in trainees[:-1]] if m in sandboxed else plain) for m in modules}

        template = base / "template"
        runner.prepare_course(template, modules)
        runner.generate(template, modules)
        config = 'c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "odtb"\n'
        (template / "nbgrader_config.py").write_text(config)  # for the stock CLI
        roots = {}
        for way in WAYS:
            roots[way] = base / way
            shutil.copytree(template, roots[way])
            for module, subs in plans.items():
                for student, _label, replace in subs:
                    runner.submit(roots[way], module, student, "wrong" if replace else "solution", replace)

        print(f"{a.n} submissions × {len(modules)} assignments, {a.workers} workers, {os.cpu_count()} cores\n")
        longest = 0.0
        for module in modules:
            left = a.budget - (time.perf_counter() - started)
            if a.budget and left < 1.3 * longest:
                print(f"stopped before {module}: {left:.0f} s of the budget left, a module took up to {longest:.0f} s")
                break
            module_started = time.perf_counter()
            env = {"PATH": f"{HUB}:/usr/bin:/bin", "HOME": str(roots["stock"]), "LANG": "C.UTF-8"}
            env["CKAN_URL"] = a.ckan_url
            if stock_trainee and module in sandboxed:
                env["CKAN_SANDBOX_ORG"] = stock_trainee["org"]
                if "testbed-ckan-check" in source_text(module):
                    env["CKAN_API_TOKEN"] = stock_trainee["token"]
            ours = functools.partial(
                grade_ours, module=module, workers=a.workers, ckan_url=a.ckan_url, notebook_timeout=a.notebook_timeout
            )
            jobs = {
                "stock": functools.partial(grade_stock, roots["stock"], module, env),
                "cold": functools.partial(ours, roots["cold"], warm=False),
                "warm": functools.partial(ours, roots["warm"], warm=True),
            }
            students = [s for s, _, _ in plans[module]]
            got = {}
            for way in WAYS:
                r = measured(jobs[way])
                got[way] = scores(roots[way], module, students)
                r.update(module=module, way=way, full=sum(1 for s, m in got[way].values() if s == m))
                rows.append(r)
                print(
                    f"{module:<13} {way:<5} {r['wall']:7.1f} s  CPU {r['cpu']:7.1f} s  full marks {r['full']}/{a.n}",
                    flush=True,
                )
            for student, label, _ in plans[module]:
                seen = {way: got[way][student][0] for way in WAYS}
                if len(set(seen.values())) > 1:
                    line = f"WARNING {module} {student} ({label}): scores differ {seen}"
                    disagreements.append(line)
                    print(line, flush=True)
            graded.append(module)
            longest = max(longest, time.perf_counter() - module_started)
        n_by_module = {m: a.n for m in graded}
        print()
        print(table(rows, n_by_module))
        print(
            "\nCPU-s: user+system of the grading and the descendants it waited for (os.wait4); sampled: the same "
            "summed from psutil samples of every process of the tree (0.2 s; misses each process's last moments). "
            "ru_maxrss: the largest single process. tree RSS / PSS: largest sum over the process tree (0.2 s samples)."
        )
        print(f"\nscore disagreements: {len(disagreements)}")
        for line in disagreements:
            print(" ", line)
        if a.json:
            labels = {m: [[s, label] for s, label, _ in plans[m]] for m in graded}
            figures = {"rows": rows, "plans": labels, "disagreements": disagreements}
            Path(a.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    finally:
        for name in made:
            try:
                drop_trainee(admin, name)
            except Exception as e:  # noqa: BLE001 - go on removing the others, say which one is left
                print(f"could not remove CKAN trainee {name}: {e}", file=sys.stderr)
        shutil.rmtree(base, ignore_errors=True)
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())

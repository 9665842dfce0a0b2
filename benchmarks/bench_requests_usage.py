"""Data-request search and the usage page (利活用の見える化) at N datasets and M requests, over HTTP.

Creates, in the running CKAN, a benchmark catalogue: N datasets (metadata and one linked file each, no uploads)
in five benchmark departments, M data requests with Japanese texts spread over 120 days (a third closed, some
with a dataset), and 90 days of page views and downloads of those datasets in CKAN's tracking table. Then it
times, p50 / p95 / mean per scenario:

- request search: ``testbed_request_list`` with ``q`` of two Japanese characters (and the /data-request page);
- the usage figures: ``testbed_usage_summary`` (anonymous and sysadmin), the /usage page, /usage.csv;
- stock CKAN in the same run, at the same catalogue size: ``package_search`` with a two-character ``q``, the
  /dataset page, and ``package_show`` with CKAN's own tracking summary (``include_tracking``).

Everything it made is removed at the end (datasets and departments purged; requests, tracking rows, the
requester and the activity-stream rows of all these deleted), also after a failure; ``--keep`` leaves them for
another run. CKAN keeps a purged dataset's activities: left behind, each run added a thousand rows to the
benchmark sysadmin's stream, which CKAN's page header reads on every page that account opens. Needs the stack's
PostgreSQL superuser (the stack config's secrets: run as root), since the requests and visits are written in
bulk with COPY (filing 5,000 requests through the API would take minutes and send notifications).

    /opt/testbed/venvs/cli/bin/python benchmarks/bench_requests_usage.py [-n 1000] [--requests-count N]
        [--only "/usage page (sysadmin)"] [--keep | --cleanup]

``--only TEXT`` (repeatable) times only the scenarios whose label contains TEXT; with ``--keep`` a later run
reuses the catalogue (a few minutes less set-up), and ``--cleanup`` removes it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # testbed_config, testbed_cli

PREFIX = "usage-bench"
KEY_PREFIX = "bench-usage-"  # tracking_raw.user_key of the benchmark's visits
FILE_HOST = "http://127.0.0.1/usage-bench"  # the benchmark datasets' linked files (never fetched)
DEPARTMENTS = [
    ("kikikanri", "危機管理課"),
    ("kosodate", "子育て支援課"),
    ("kanko", "観光課"),
    ("hoken", "保健課"),
    ("toshi", "都市計画課"),
]
TOPICS = [
    "指定緊急避難場所",
    "AED設置箇所",
    "保育施設の空き状況",
    "観光施設",
    "地域・年齢別人口",
    "公共施設",
    "医療機関",
    "文化財",
    "公衆トイレ",
    "イベント",
]
PLACES = ["北区", "南区", "東町", "西町", "中央区", "緑ヶ丘", "桜台", "港町", "山手", "川辺"]
FORMATS = ["GeoJSON", "CSV", "API", "PDF", "XLSX"]
WISHES = [
    "を毎週更新してほしい",
    "を GeoJSON で公開してほしい",
    "の過去10年分がほしい",
    "を地図アプリで使いたい",
    "の位置情報を追加してほしい",
]
TARGETS = {"usage page p95 ms": 300, "request search p95 ms": 50}


class Ckan:
    """Minimal CKAN client (action API and pages) on one requests session."""

    def __init__(self, url: str, token: str | None):
        self.url = url.rstrip("/")
        self.token = token
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = token

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One HTTP call; waits (up to 3 minutes) while CKAN is restarting (another ``./testbed up``)."""
        deadline = time.monotonic() + 180
        while True:
            try:
                return self.session.request(method, url, timeout=120, **kwargs)
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(2)

    def action(self, action: str, /, **data: Any) -> Any:
        response = self._send("POST", f"{self.url}/api/3/action/{action}", json=data)
        body = response.json()
        if not body.get("success"):
            raise RuntimeError(f"{action} failed ({response.status_code}): {body.get('error')}")
        return body["result"]

    def get(self, path: str, **params: Any) -> requests.Response:
        response = self._send("GET", f"{self.url}{path}", params=params)
        response.raise_for_status()
        return response


class Database:
    """psql on the live catalogue's database as the stack's PostgreSQL superuser."""

    def __init__(self):
        from testbed_cli import postgres
        from testbed_config import load_config
        from testbed_config.layout import Layout

        self.layout, self.postgres = Layout(load_config(None)), postgres

    def run(self, sql: str) -> str:
        return self.postgres.psql(self.layout, sql, db="ckan")

    def copy(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        def cell(value: Any) -> str:
            if value is None:
                return "\\N"
            return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

        data = "".join("\t".join(cell(v) for v in row) + "\n" for row in rows)
        self.run(f"COPY {table} ({', '.join(columns)}) FROM STDIN;\n{data}\\.\n")


def folded(text: str) -> str:
    """The request's ``search_text`` as ``requests/actions.py`` writes it (NFKC, lower case, spaces collapsed)."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def dataset_dict(index: int, org_id: str) -> dict[str, Any]:
    topic, place = TOPICS[index % len(TOPICS)], PLACES[(index // len(TOPICS)) % len(PLACES)]
    fmt = FORMATS[index % len(FORMATS)]
    return {
        "name": f"{PREFIX}-{index:05d}",
        "title": f"{place} {topic}一覧（ベンチマーク {index}）",
        "notes": f"{place}の{topic}です。ベンチマーク用。",
        "owner_org": org_id,
        "private": index % 20 == 0,
        "resources": [{"name": f"{topic} ({fmt})", "url": f"{FILE_HOST}/{index:05d}.{fmt.lower()}", "format": fmt}],
    }


def create_catalogue(ckan: Ckan, count: int, workers: int) -> list[dict[str, Any]]:
    """The benchmark departments and datasets (missing ones only); returns the departments."""
    orgs = []
    for name, title in DEPARTMENTS:
        try:
            orgs.append(ckan.action("organization_show", id=f"{PREFIX}-{name}"))
        except RuntimeError:
            orgs.append(ckan.action("organization_create", name=f"{PREFIX}-{name}", title=f"{title}（ベンチ）"))
    existing = {
        d["name"]
        for org in orgs
        for d in ckan.action(
            "package_search", fq=f'owner_org:"{org["id"]}"', fl="name", rows=1000, include_private=True
        )["results"]
    }
    missing = [i for i in range(count) if f"{PREFIX}-{i:05d}" not in existing]
    started, done = time.perf_counter(), 0

    def create(index: int) -> None:
        Ckan(ckan.url, ckan.token).action("package_create", **dataset_dict(index, orgs[index % len(orgs)]["id"]))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(create, missing):
            done += 1
            if done % 100 == 0 or done == len(missing):
                print(f"  datasets {done}/{len(missing)} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return orgs


def insert_requests(db: Database, requester_id: str, orgs: list[dict], dataset_ids: list[str], count: int) -> None:
    """``count`` requests over the last 120 days: a third closed (half of those with a dataset), a third assigned."""
    rng = random.Random(2026)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for i in range(count):
        topic, place, wish = rng.choice(TOPICS), rng.choice(PLACES), rng.choice(WISHES)
        title = f"{place}の{topic}{wish}（ベンチ {i}）"
        description = f"{place}で{topic}のデータを業務とアプリで使いたい。形式は{rng.choice(FORMATS)}。"
        created = now - timedelta(days=rng.uniform(0, 120))
        state = rng.random()
        closed = created + timedelta(days=rng.uniform(0.2, 30)) if state < 0.34 else None
        if closed and closed > now:
            closed = now
        resolution = rng.choice(["published", "partial", "rejected", "duplicate"]) if closed else None
        dataset = rng.choice(dataset_ids) if resolution in ("published", "partial") else None
        org = None if rng.random() < 0.05 else rng.choice(orgs)["id"]
        status = "closed" if closed else ("assigned" if state < 0.67 and org else "open")
        search_text = folded(" \n ".join([title, description, "", "", place]))
        rows.append(
            (str(uuid.uuid4()), title, description, place, search_text, requester_id, org, status, resolution,
             dataset, created, closed or created, closed)
        )  # fmt: skip
    columns = ["id", "title", "description", "area", "search_text", "requester_id", "organization_id", "status"]
    db.copy("testbed_request", [*columns, "resolution", "dataset_id", "created", "modified", "closed_at"], rows)


def insert_visits(db: Database, names: list[str], views: int, downloads: int) -> None:
    """``views`` page views and ``downloads`` downloads over the last 90 days, a few datasets much more popular."""
    rng = random.Random(992011)
    now = datetime.now(UTC).replace(tzinfo=None)
    weights = [1.0 / (1 + i) ** 0.8 for i in range(len(names))]
    rows = set()
    for kind, total in (("page", views), ("resource", downloads)):
        for index in rng.choices(range(len(names)), weights=weights, k=total):
            at = (now - timedelta(seconds=rng.randrange(90 * 86400))).replace(microsecond=0)
            url = f"/dataset/{names[index]}" if kind == "page" else f"{FILE_HOST}/{names[index][-5:]}"
            if kind == "resource":
                fmt = FORMATS[int(names[index][-5:]) % len(FORMATS)]
                url = f"{FILE_HOST}/{names[index][-5:]}.{fmt.lower()}"
            rows.add((f"{KEY_PREFIX}{rng.randrange(20000)}", url, kind, at))
    db.copy("tracking_raw", ["user_key", "url", "tracking_type", "access_timestamp"], sorted(rows))


def measure(call: Callable[[], Any], count: int, warmup: int = 3) -> dict[str, float]:
    """Median, p95 and mean wall time in milliseconds over ``count`` calls."""
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    return {"p50": statistics.median(timings), "p95": p95, "mean": statistics.fmean(timings)}


def remove_rows(db: Database) -> None:
    """The benchmark's requests (of any benchmark requester, also an interrupted run's) and visits."""
    requesters = f"SELECT id FROM \"user\" WHERE name LIKE '{PREFIX}-requester-%'"
    mine = f"SELECT id FROM testbed_request WHERE requester_id IN ({requesters})"
    db.run(
        f"DELETE FROM testbed_request_notification WHERE request_id IN ({mine});"
        f"DELETE FROM testbed_request_follower WHERE request_id IN ({mine});"
        f"DELETE FROM testbed_request_comment WHERE request_id IN ({mine});"
        f"UPDATE testbed_request SET duplicate_of = NULL WHERE duplicate_of IN ({mine});"
        f"DELETE FROM testbed_request WHERE id IN ({mine});"
    )
    db.run(
        f"DELETE FROM tracking_raw WHERE user_key LIKE '{KEY_PREFIX}%';"
        f"DELETE FROM tracking_summary WHERE url LIKE '/dataset/{PREFIX}-%' OR url LIKE '{FILE_HOST}/%';"
    )


def cleanup(ckan: Ckan, db: Database) -> None:
    """Remove everything the benchmark made (safe to call after a partial set-up)."""
    print("removing the benchmark data …", file=sys.stderr)
    remove_rows(db)
    for name, _ in DEPARTMENTS:
        org = f"{PREFIX}-{name}"
        # its datasets from the database, not from the search index (which a restore can leave behind)
        found = db.run(f"SELECT p.id FROM package p JOIN \"group\" g ON g.id = p.owner_org WHERE g.name = '{org}'")
        for dataset_id in found.split():
            ckan.action("dataset_purge", id=dataset_id)
        if db.run(f"SELECT id FROM \"group\" WHERE name = '{org}'").strip():
            ckan.action("organization_purge", id=org)
    for name in db.run(
        f"SELECT name FROM \"user\" WHERE name LIKE '{PREFIX}-requester-%' AND state = 'active'"
    ).split():
        ckan.action("user_delete", id=name)
    remove_activities(db)


def remove_activities(db: Database) -> None:
    """The activity-stream rows of the benchmark's datasets, departments and requesters (also earlier runs').

    A dataset's or department's activity stores its dict (``"name": "usage-bench-…"``; a benchmark dataset's
    also names its benchmark department), so the rows are found after the purge that left them behind."""
    requesters = f"SELECT id FROM \"user\" WHERE name LIKE '{PREFIX}-requester-%'"
    things = ("package", "organization")
    kinds = "', '".join(f"{verb} {thing}" for verb in ("new", "changed", "deleted") for thing in things)
    mine = (
        f"(activity_type IN ('{kinds}') AND data LIKE '%\"name\": \"{PREFIX}-%')"
        f" OR object_id IN ({requesters}) OR user_id IN ({requesters})"
    )
    db.run(
        f"DELETE FROM activity_detail WHERE activity_id IN (SELECT id FROM activity WHERE {mine});"  # legacy, empty
        f"DELETE FROM activity WHERE {mine};"
    )


def stack_defaults() -> tuple[str, str]:
    from testbed_config import load_config, names
    from testbed_config.layout import Layout

    layout = Layout(load_config(None))
    return layout.cfg.ckan_url, (layout.secrets / names.CKAN_ADMIN_TOKEN).read_text().strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckan-url", help="CKAN base URL (default: from the stack config)")
    parser.add_argument("--token", help="sysadmin API token (default: from the stack config)")
    parser.add_argument("-n", "--datasets", type=int, default=1000, help="benchmark datasets (default 1000)")
    parser.add_argument("--requests-count", type=int, default=5_000, help="data requests (default 5,000)")
    parser.add_argument("--views", type=int, default=40000, help="page views over 90 days (default 40000)")
    parser.add_argument("--downloads", type=int, default=8_000, help="downloads over 90 days (default 8,000)")
    parser.add_argument("-r", "--repeat", type=int, default=100, help="calls per scenario (default 100)")
    parser.add_argument("--workers", type=int, default=3, help="parallel dataset creators (default 3)")
    parser.add_argument(
        "--only", action="append", default=[], metavar="TEXT", help="only the scenarios whose label contains TEXT"
    )
    parser.add_argument("--keep", action="store_true", help="leave the benchmark data in the catalogue")
    parser.add_argument("--cleanup", action="store_true", help="only remove what an earlier run left behind")
    args = parser.parse_args(argv)
    url, token = args.ckan_url, args.token
    if not url or not token:
        default_url, default_token = stack_defaults()
        url, token = url or default_url, token or default_token
    admin, anonymous, db = Ckan(url, token), Ckan(url, None), Database()
    if args.cleanup:
        cleanup(admin, db)
        return 0
    requester = f"{PREFIX}-requester-{uuid.uuid4().hex[:8]}"
    try:
        started = time.perf_counter()
        orgs = create_catalogue(admin, args.datasets, args.workers)
        user = admin.action(
            "user_create", name=requester, email=f"{requester}@example.invalid", password=uuid.uuid4().hex
        )
        names = [f"{PREFIX}-{i:05d}" for i in range(args.datasets)]
        remove_rows(db)  # an interrupted run's rows, so that the counts are the ones asked for
        ids = db.run(f"SELECT id FROM package WHERE name LIKE '{PREFIX}-%' AND state = 'active'").split()
        insert_requests(db, user["id"], orgs, ids, args.requests_count)
        insert_visits(db, names, args.views, args.downloads)
        total = admin.action("package_search", rows=0, include_private=True)["count"]
        n_requests = admin.action("testbed_request_list", limit=1)["count"]
        print(
            f"\n{url}: {total} datasets ({args.datasets} benchmark), {n_requests} requests, "
            f"{args.views:,} views + {args.downloads:,} downloads in 90 days;"
            f" set-up {time.perf_counter() - started:.0f} s; {args.repeat} calls per scenario\n"
        )
        first = anonymous.action("testbed_usage_summary")
        print(
            f"usage summary (anonymous): {first['totals']['datasets']} datasets,"
            f" {len(first['organizations'])} departments\n"
        )
        today = date.fromisoformat(first["end"])
        earlier = iter(range(1, 10**6))

        def period(fresh: bool) -> dict[str, str]:
            """The default 90 days, or (fresh) a period starting one day earlier each call: never remembered by
            the usage counts' memory (usage/cache.py), so it is the cost of a period nobody asked for yet."""
            if not fresh:
                return {}
            return {"start": (today - timedelta(days=89 + next(earlier) % 600)).isoformat(), "end": today.isoformat()}

        dept, anon, adm = f"{PREFIX}-kikikanri", anonymous.action, admin.action
        scenarios: list[tuple[str, str, Callable[[bool], Any], bool]] = [
            ("request search q=避難 (API)", "ours", lambda f: anon("testbed_request_list", q="避難"), False),
            ("request search q=保育 (API)", "ours", lambda f: anon("testbed_request_list", q="保育"), False),
            ("request list, no q (API)", "ours", lambda f: anonymous.action("testbed_request_list"), False),
            ("/data-request/?q=避難 (page)", "ours", lambda f: anonymous.get("/data-request/", q="避難"), False),
            ("testbed_usage_summary anonymous", "ours", lambda f: anon("testbed_usage_summary", **period(f)), True),
            ("testbed_usage_summary sysadmin", "ours", lambda f: adm("testbed_usage_summary", **period(f)), True),
            ("/usage page (anonymous)", "ours", lambda f: anonymous.get("/usage", **period(f)), True),
            ("/usage page (sysadmin)", "ours", lambda f: admin.get("/usage", **period(f)), True),
            ("/usage?org= one department", "ours", lambda f: anonymous.get("/usage", org=dept, **period(f)), True),
            ("/usage.csv", "ours", lambda f: anonymous.get("/usage.csv", **period(f)), True),
            ("package_search q=避難", "stock", lambda f: anonymous.action("package_search", q="避難"), False),
            ("/dataset page", "stock", lambda f: anonymous.get("/dataset/"), False),
            ("/dataset page (sysadmin)", "stock", lambda f: admin.get("/dataset/"), False),
            ("package_show include_tracking", "stock",
             lambda f: anonymous.action("package_show", id=f"{PREFIX}-00001", include_tracking=True), False),
        ]  # fmt: skip
        if args.only:
            scenarios = [s for s in scenarios if any(text in s[0] for text in args.only)]
        print("repeated: the same call each time (the usage counts of the default period then come from the")
        print("per-process memory, usage/cache.py); new period: every call a period not asked for before\n")
        print(f"{'scenario':34} {'kind':5} {'repeated p50 / p95 / mean ms':>29} {'new period p50 / p95 ms':>24}")
        print("-" * 96)
        results: dict[str, dict[str, float]] = {}
        for label, kind, call, has_periods in scenarios:
            warm = measure(lambda call=call: call(False), args.repeat)
            results[label] = warm
            line = f"{label:34} {kind:5} {warm['p50']:11.1f} / {warm['p95']:6.1f} / {warm['mean']:6.1f}"
            if has_periods:
                cold = measure(lambda call=call: call(True), args.repeat)
                results[label + " new"] = cold
                line += f" {cold['p50']:13.1f} / {cold['p95']:6.1f}"
            print(line)
        search = [v["p95"] for k, v in results.items() if k.startswith("request search")]
        usage = [(k, v["p95"]) for k, v in results.items() if k.startswith("/usage page")]
        usage_warm = [p95 for k, p95 in usage if not k.endswith("new")]
        usage_cold = [p95 for k, p95 in usage if k.endswith("new")]

        def measured(xs: list[float]) -> str:  # a scenario left out with --only was not measured
            return f"{max(xs):.0f}" if xs else "not run"

        print(
            f"\ntargets (issue 16): usage page p95 <= {TARGETS['usage page p95 ms']} ms (measured "
            f"{measured(usage_warm)} repeated, {measured(usage_cold)} for a new period); request search p95 <= "
            f"{TARGETS['request search p95 ms']} ms (measured {measured(search)})"
        )
    finally:
        if not args.keep:
            cleanup(admin, db)
    return 0


if __name__ == "__main__":
    sys.exit(main())

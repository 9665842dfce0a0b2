"""Dataset search speed of the running CKAN (ckanext-testbed's PostgreSQL backend).

Makes sure N datasets with Japanese titles exist in a benchmark organisation (created
through the API, metadata only, no uploads), then times package_search over HTTP:
free text, filters, facets, sorting, deep paging, autocomplete and the /dataset page.
Prints median and p95 per scenario. Not a timed test.

    python benchmarks/bench_search.py --ckan-url <CKAN URL> --token <sysadmin token>

Without --ckan-url/--token the stack config (./testbed) provides them. Re-running reuses
the datasets; --purge removes them and the organisation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # testbed_config, for the stack's defaults

ORG_NAME = "testbed-bench"
ORG_TITLE = "ベンチマーク用組織"
GROUPS = [("bench-bousai", "防災"), ("bench-kosodate", "子育て"), ("bench-kanko", "観光")]
PLACES = ["北区", "南区", "東町", "西町", "中央区", "緑ヶ丘", "桜台", "港町", "山手", "川辺"]
TOPICS = [
    ("指定緊急避難場所一覧", ["防災", "避難所"], 0),
    ("AED設置箇所一覧", ["防災", "医療"], 0),
    ("地域・年齢別人口", ["人口", "統計"], None),
    ("公共施設一覧", ["施設"], None),
    ("子育て施設一覧", ["子育て", "施設"], 1),
    ("観光施設一覧", ["観光"], 2),
    ("文化財一覧", ["観光", "文化"], 2),
    ("イベント一覧", ["イベント"], 2),
    ("公衆トイレ一覧", ["施設", "衛生"], None),
    ("医療機関一覧", ["医療"], None),
]
# Formats the DataStore loader ignores, so creating datasets queues no jobs.
FORMATS = ["PDF", "JSON", "GeoJSON", "HTML", "ZIP"]
LICENSES = ["cc-by", "cc-by-sa", "odc-by", "other-open"]
FACETS = ["organization", "groups", "tags", "res_format", "license_id"]


class Ckan:
    """Minimal CKAN action API client on one requests session."""

    def __init__(self, url: str, token: str | None):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = token

    def action(self, action: str, /, **data: Any) -> Any:
        response = self.session.post(f"{self.url}/api/3/action/{action}", json=data, timeout=60)
        body = response.json()
        if not body.get("success"):
            raise RuntimeError(f"{action} failed ({response.status_code}): {body.get('error')}")
        return body["result"]

    def get(self, path: str, **params: Any) -> requests.Response:
        response = self.session.get(f"{self.url}{path}", params=params, timeout=60)
        response.raise_for_status()
        return response


def dataset_dict(index: int, org_id: str) -> dict[str, Any]:
    """Metadata of benchmark dataset number ``index`` (deterministic)."""
    topic, tags, group = TOPICS[index % len(TOPICS)]
    place = PLACES[(index // len(TOPICS)) % len(PLACES)]
    year = 2015 + index % 10
    resources = [
        {"name": f"{topic} {year}年度 ({fmt})", "url": "", "format": fmt}
        for fmt in FORMATS[index % 3 : index % 3 + 1 + index % 2]
    ]
    return {
        "name": f"bench-{index:05d}",
        "title": f"{place} {topic}（{year}年度）",
        "notes": f"{place}の{topic}です。毎年度更新。番号 {index}。",
        "owner_org": org_id,
        "license_id": LICENSES[index % len(LICENSES)],
        "tags": [{"name": tag} for tag in tags] + [{"name": f"{year}年度"}],
        "groups": [{"name": GROUPS[group][0]}] if group is not None else [],
        "resources": resources,
    }


def ensure_catalogue(ckan: Ckan, count: int, workers: int) -> dict[str, Any]:
    """Create the organisation, groups and missing datasets; return the organisation."""
    try:
        org = ckan.action("organization_show", id=ORG_NAME)
    except RuntimeError:
        org = ckan.action("organization_create", name=ORG_NAME, title=ORG_TITLE)
    for name, title in GROUPS:
        try:
            ckan.action("group_show", id=name)
        except RuntimeError:
            ckan.action("group_create", name=name, title=title)
    existing: set[str] = set()
    while True:
        page = ckan.action("package_search", fq=f'owner_org:"{org["id"]}"', fl=["name"], rows=1000, start=len(existing))
        existing.update(d["name"] for d in page["results"])
        if not page["results"] or len(existing) >= page["count"]:
            break
    missing = [i for i in range(count) if f"bench-{i:05d}" not in existing]
    if missing:
        print(f"creating {len(missing)} datasets in {ORG_NAME} …", file=sys.stderr)
        started = time.perf_counter()
        done = 0

        def create(index: int) -> None:
            Ckan(ckan.url, ckan.session.headers.get("Authorization")).action(
                "package_create", **dataset_dict(index, org["id"])
            )

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(create, missing):
                done += 1
                if done % 100 == 0 or done == len(missing):
                    print(f"  {done}/{len(missing)} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return org


def scenarios(ckan: Ckan, org: dict[str, Any]) -> list[tuple[str, Callable[[bool], Any]]]:
    """(label, call) pairs; ``call(fresh)`` returns the match count (or page size). With ``fresh`` each
    call adds a filter that matches every dataset but differs from call to call, so no answer can come
    from ckanext-testbed's result cache (a repeated identical search is a cache hit)."""
    facets = json.dumps(FACETS)
    serial = iter(range(10**9))

    def search(**params: Any) -> Callable[[bool], int]:
        def call(fresh: bool) -> int:
            extra = dict(params)
            if fresh:
                extra["fq"] = f'{params.get("fq", "")} -name:"no-such-dataset-{next(serial)}"'.strip()
            return ckan.action("package_search", **extra)["count"]

        return call

    return [
        ("text 2 chars (避難)", search(q="避難")),
        ("text 2 words AND", search(q="北区 一覧")),
        ("text phrase + negation", search(q='"公共施設" -トイレ')),
        ("filter org + tag", search(fq=f'owner_org:"{org["id"]}" +tags:"防災"')),
        ("facets, no query (/dataset)", search(**{"facet.field": facets, "rows": 20})),
        ("text + facets", search(q="一覧", **{"facet.field": facets, "rows": 20})),
        ("text + filter + facets", search(q="施設", fq='tags:"施設"', **{"facet.field": facets, "rows": 20})),
        ("sort title_string asc", search(sort="title_string asc", rows=20)),
        ("sort views_recent desc", search(sort="views_recent desc", rows=4)),
        ("deep page start=500", search(start=500, rows=20)),
        ("autocomplete (避難)", lambda fresh: len(ckan.action("package_autocomplete", q="避難"))),
        ("HTML /dataset?q=避難", lambda fresh: len(ckan.get("/dataset", q="避難").text)),
    ]


def measure(
    call: Callable[[bool], Any], requests_per_scenario: int, fresh: bool = False, warmup: int = 5
) -> dict[str, float]:
    """Median, p95 and mean wall time in milliseconds over ``requests_per_scenario`` calls."""
    for _ in range(warmup):
        result = call(fresh)
    timings = []
    for _ in range(requests_per_scenario):
        started = time.perf_counter()
        result = call(fresh)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    return {"median": statistics.median(timings), "p95": p95, "mean": statistics.fmean(timings), "result": result}


def purge(ckan: Ckan) -> None:
    """Remove the benchmark datasets, groups and organisation."""
    org = ckan.action("organization_show", id=ORG_NAME)
    while True:
        page = ckan.action("package_search", fq=f'owner_org:"{org["id"]}"', fl=["id"], rows=1000, include_private=True)
        if not page["results"]:
            break
        for dataset in page["results"]:
            ckan.action("dataset_purge", id=dataset["id"])
    for name, _ in GROUPS:
        ckan.action("group_purge", id=name)
    ckan.action("organization_purge", id=ORG_NAME)


def stack_defaults() -> tuple[str, str]:
    """CKAN URL and sysadmin token from the stack config (./testbed), when not given."""
    from testbed_config import load_config, names
    from testbed_config.layout import Layout

    layout = Layout(load_config(None))
    return layout.cfg.ckan_url, (layout.secrets / names.CKAN_ADMIN_TOKEN).read_text().strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckan-url", help="CKAN base URL (default: from the stack config)")
    parser.add_argument("--token", help="sysadmin API token (default: from the stack config)")
    parser.add_argument("-n", "--datasets", type=int, default=1000, help="datasets to ensure (default 1000)")
    parser.add_argument("-r", "--requests", type=int, default=200, help="requests per scenario (default 200)")
    parser.add_argument("--workers", type=int, default=3, help="parallel creators (default 3)")
    parser.add_argument("--purge", action="store_true", help="remove the benchmark data and exit")
    args = parser.parse_args(argv)
    url, token = args.ckan_url, args.token
    if not url or not token:
        default_url, default_token = stack_defaults()
        url, token = url or default_url, token or default_token
    ckan = Ckan(url, token)
    if args.purge:
        purge(ckan)
        return 0
    org = ensure_catalogue(ckan, args.datasets, args.workers)
    total = ckan.action("package_search", rows=0)["count"]
    print(f"\n{url}: {total} searchable datasets, {args.requests} requests per scenario\n")
    print("repeated: the same request each time (answered from the result cache after the first);")
    print("distinct: every request differs (never cached: the cost of a new search)\n")
    print(f"{'scenario':32} {'repeated p50 / p95 ms':>22} {'distinct p50 / p95 ms':>22} {'result':>7}")
    print("-" * 86)
    for label, call in scenarios(ckan, org):
        warm = measure(call, args.requests)
        cold = measure(call, args.requests, fresh=True)
        print(
            f"{label:32} {warm['median']:12.1f} / {warm['p95']:5.1f}  {cold['median']:12.1f} / {cold['p95']:5.1f}"
            f"  {warm['result']:7}"
        )
    print("\ntargets (issue 'Local stack'): package_search with facets p50 <= 15 ms, p95 <= 40 ms at 1,000 datasets")
    return 0


if __name__ == "__main__":
    sys.exit(main())

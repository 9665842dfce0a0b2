"""Speed of the catalogue seeder (`./testbed catalog seed`) against the running CKAN.

Never touches the real catalogue: the full-catalogue figures come from a copy of
datasets/manifest.yaml with every organisation, group and dataset renamed (same files, same
sizes), and the bulk figure from N generated datasets in a throw-away organisation. Everything
created is purged at the end (also after a failure).

    /opt/testbed/venvs/cli/bin/python benchmarks/bench_seed.py [--generated 1000] [--keep]

Targets: full catalogue <= 60 s, no-change re-seed <= 10 s, DataStore load <= 1 s per small file
(stock xloader ~1.3 s per job).
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ckan_seed.purge import purge_datasets  # noqa: E402
from ckan_seed.seed import MANIFEST, catalog_status, client_for, seed_catalog  # noqa: E402
from testbed_config.ckan_client import CkanClient  # noqa: E402

SMALL = 50_000  # bytes: a "small file" for the per-file DataStore figure


def stack_connection() -> tuple[str, str]:
    from testbed_config import load_config, names
    from testbed_config.layout import Layout

    layout = Layout(load_config(None))
    return layout.cfg.ckan_internal_url, (layout.secrets / names.CKAN_ADMIN_TOKEN).read_text().strip()


def renamed_copy(tmp: Path, prefix: str) -> tuple[Path, dict]:
    """The real manifest and its files under ``tmp`` with every name prefixed."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    for folder in ("open", "geo", "as_received", "internal"):
        shutil.copytree(MANIFEST.parent / folder, tmp / folder)
    for section in ("organizations", "groups", "datasets"):
        for item in manifest[section]:
            item["name"] = f"{prefix}-{item['name']}"[:100]
    for d in manifest["datasets"]:
        d["owner_org"] = f"{prefix}-{d['owner_org']}"
        d["groups"] = [f"{prefix}-{g}" for g in d.get("groups", [])]
    path = tmp / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, manifest


def generated(tmp: Path, prefix: str, count: int) -> tuple[Path, dict]:
    """``count`` datasets with one small GeoJSON file each (not a DataStore format) in one organisation."""
    real = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    (tmp / "gen").mkdir()
    org = f"{prefix}-gen"
    datasets = []
    for i in range(count):
        name = f"{prefix}-gen-{i:04d}"
        feature = {"type": "Feature", "properties": {"番号": i}, "geometry": {"type": "Point", "coordinates": [0, 0]}}
        (tmp / "gen" / f"{i:04d}.geojson").write_text(json.dumps(feature, ensure_ascii=False), encoding="utf-8")
        datasets.append(
            {
                "name": name,
                "title": f"生成データセット {i}",
                "owner_org": org,
                "private": False,
                "license_id": "cc-by-4.0",
                "notes": "ベンチマーク用の生成データです。",
                "tags": ["ベンチマーク"],
                "resources": [
                    {"name": "地点", "path": f"gen/{i:04d}.geojson", "format": "GeoJSON", "encoding": "UTF-8"}
                ],
            }
        )
    manifest = {
        "licenses": real["licenses"],
        "organizations": [{"name": org, "title": "ベンチマーク（生成）"}],
        "groups": [],
        "datasets": datasets,
    }
    path = tmp / "generated.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, manifest


def timed(fn, *args, **kwargs):
    start = time.monotonic()
    result = fn(*args, **kwargs)
    return time.monotonic() - start, result


def datastore_loads(client: CkanClient, manifest: dict, root: Path) -> list[float]:
    """Seconds of one in-request DataStore load (testbed_datastore_load sync) per small file."""
    times = []
    for d in manifest["datasets"]:
        package = client.call("package_show", id=d["name"])
        for res, r in zip(package["resources"], d["resources"], strict=True):
            if r.get("datastore") and (root / r["path"]).stat().st_size <= SMALL:
                seconds, status = timed(client.call, "testbed_datastore_load", resource_id=res["id"], sync=True)
                assert status["state"] == "complete", status
                times.append(seconds)
    return times


def cleanup(url: str, token: str, manifest: dict) -> float:
    client = client_for(url, token)
    start = time.monotonic()
    purge_datasets(url, token, [d["name"] for d in manifest["datasets"]])
    for g in manifest["groups"]:
        if client.show("group_show", id=g["name"]):
            client.call("group_purge", id=g["name"])
    for o in manifest["organizations"]:
        if client.show("organization_show", id=o["name"]):
            client.call("organization_purge", id=o["name"])
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=1000, help="number of generated datasets (0: skip)")
    parser.add_argument("--keep", action="store_true", help="leave the benchmark datasets in CKAN")
    args = parser.parse_args()
    url, token = stack_connection()
    client = client_for(url, token)
    prefix = f"bench{secrets.token_hex(2)}"
    rows: list[tuple[str, str, str, str]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            (tmp / "full").mkdir()
            full_path, full = renamed_copy(tmp / "full", prefix)
            try:
                seconds, report = timed(seed_catalog, url, token, full_path)
                assert len(report.created) == len(full["datasets"]) and not report.failures, report.lines()
                files = sum(len(d["resources"]) for d in full["datasets"])
                rows.append(
                    (
                        f"カタログ全体の初回公開（{len(full['datasets'])} 件・{files} ファイル）",
                        f"{seconds:.1f} 秒",
                        "≤ 60 秒",
                        _ok(seconds <= 60),
                    )
                )
                seconds, report = timed(seed_catalog, url, token, full_path)
                assert not report.changed, report.lines()
                rows.append(("変更なしの再実行", f"{seconds:.2f} 秒", "≤ 10 秒", _ok(seconds <= 10)))
                seconds, status = timed(catalog_status, url, token, full_path)
                rows.append(
                    ("catalog status（差分の確認）", f"{seconds:.2f} 秒", "—", "一致" if status.in_sync else "不一致")
                )
                loads = datastore_loads(client, full, tmp / "full")
                med, worst = statistics.median(loads), max(loads)
                rows.append(
                    (
                        f"DataStore 読み込み（小さいファイル {len(loads)} 個、中央値）",
                        f"{med:.2f} 秒",
                        "≤ 1 秒",
                        _ok(med <= 1),
                    )
                )
                rows.append(("DataStore 読み込み（同、最大）", f"{worst:.2f} 秒", "≤ 1 秒", _ok(worst <= 1)))
            finally:
                if not args.keep:
                    seconds = cleanup(url, token, full)
                    rows.append(("後片付け（カタログ複製の完全削除）", f"{seconds:.1f} 秒", "—", "—"))
            if args.generated:
                gen_path, gen = generated(tmp, prefix, args.generated)
                try:
                    seconds, report = timed(seed_catalog, url, token, gen_path)
                    assert len(report.created) == args.generated and not report.failures
                    per = seconds / args.generated
                    rows.append(
                        (
                            f"生成データセット {args.generated} 件の公開",
                            f"{seconds:.1f} 秒（1件 {per:.2f} 秒）",
                            "—",
                            "—",
                        )
                    )
                    seconds, report = timed(seed_catalog, url, token, gen_path)
                    assert not report.changed
                    rows.append((f"同 {args.generated} 件の変更なし再実行", f"{seconds:.1f} 秒", "—", "—"))
                finally:
                    if not args.keep:
                        seconds = cleanup(url, token, gen)
                        rows.append((f"同 {args.generated} 件の完全削除", f"{seconds:.1f} 秒", "—", "—"))
    finally:
        print_table(rows)


def _ok(passed: bool) -> str:
    return "達成" if passed else "未達"


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="カタログ公開（catalog seed）のベンチマーク")
    for column in ("項目", "実測", "目標", "判定"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    Console(width=140).print(table)


if __name__ == "__main__":
    main()

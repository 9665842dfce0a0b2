"""Generate every sample file of みどり野市 deterministically: ``python -m datasets.generate``.

The same seed always gives byte-identical files, so the committed files can be checked against
a fresh generation (``--check``). Options: ``--out DIR`` writes somewhere else (default: this
folder); ``--seed N`` changes the data (the committed files use the default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as `python datasets/generate.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datasets import (  # noqa: E402
    as_received,
    city,
    docs,
    facilities,
    geo,
    internal,
    manifest,
    medical,
    population,
    residents,
    stats,
    tourism,
    welfare,
    workbooks,
)
from datasets.layouts import LAYOUTS  # noqa: E402
from datasets.world import World  # noqa: E402
from datasets.writers import json_bytes, table_bytes, write_all  # noqa: E402

SEED = 20250401
HERE = Path(__file__).resolve().parent
DISTRICT_COLUMNS = [
    "全国地方公共団体コード",
    "地方公共団体名",
    "町字ID",
    "町字",
    "町字_カナ",
    "町字_英字",
    "代表点_緯度",
    "代表点_経度",
    "面積（km2）",
]


def _geography(world: World) -> dict[str, bytes]:
    rows, features = [], []
    for d in world.districts:
        ring = world.rings[d.town_id]
        lon, lat = geo.centroid(ring)
        rows.append(
            {
                "全国地方公共団体コード": city.CITY_CODE,
                "地方公共団体名": city.FULL_NAME,
                "町字ID": d.town_id,
                "町字": d.name,
                "町字_カナ": d.kana,
                "町字_英字": d.romaji,
                "代表点_緯度": f"{lat:.6f}",
                "代表点_経度": f"{lon:.6f}",
                "面積（km2）": f"{geo.area_km2(ring):.3f}",
            }
        )
        features.append(geo.polygon_feature({"町字ID": d.town_id, "町字": d.name, "町字_カナ": d.kana}, ring))
    city_feature = geo.polygon_feature(
        {"全国地方公共団体コード": city.CITY_CODE, "名称": city.FULL_NAME}, geo.city_ring(world.seed)
    )
    return {
        "open/districts.csv": table_bytes(DISTRICT_COLUMNS, rows),
        "geo/districts.geojson": json_bytes(geo.feature_collection(features)),
        "geo/city_boundary.geojson": json_bytes(geo.feature_collection([city_feature])),
    }


def build(seed: int = SEED) -> dict[str, bytes]:
    """Every generated file as {path relative to datasets/: bytes}, including DICTIONARY.md."""
    world = World(seed)
    standard = {
        "public_facilities": facilities.public_facilities(world),
        "evacuation_sites": facilities.evacuation_sites(world),
        "population": population.standard_rows(world.pyramids),
        "childcare_facilities": welfare.childcare(world),
        "aed": facilities.aed(world),
        "care_service_providers": welfare.care_providers(world),
        "medical_institutions": medical.medical_institutions(world),
        "tourist_facilities": tourism.tourist_facilities(world),
        "events": tourism.events(world),
        "public_toilets": tourism.public_toilets(world),
    }
    paths = {"population": "population_by_area_age"}
    files = {f"open/{paths.get(k, k)}.csv": table_bytes(LAYOUTS[k].columns, rows) for k, rows in standard.items()}
    waste, finance = stats.waste(world), stats.finance(world)
    files["open/waste_monthly.csv"] = table_bytes(stats.WASTE_COLUMNS, waste)
    files["open/finance_general_account.csv"] = table_bytes(stats.FINANCE_COLUMNS, finance)
    files.update(_geography(world))

    rng = world.rng("designated")
    sites = standard["evacuation_sites"]
    designated = [dt.date(2019, 7, 1)] + [
        dt.date(2014, 4, 1) + dt.timedelta(days=rng.randint(0, 3300)) for _ in sites[1:]
    ]
    files["as_received/aed_ichiran_sjis.csv"] = as_received.aed_csv(standard["aed"])
    files["as_received/hinanbasho_sjis.csv"] = as_received.evacuation_csv(sites, designated)
    files["as_received/gomi_haishutsuryo_R6_sjis.csv"] = as_received.waste_csv(waste, 2024)
    files["as_received/kosodate_shisetsu_sjis.csv"] = as_received.childcare_csv(standard["childcare_facilities"])
    files["as_received/jinko_nenreibetsu.xlsx"] = workbooks.population_xlsx(standard["population"])
    files["as_received/zaisei_kessan.xlsx"] = workbooks.finance_xlsx(finance)

    people = residents.sample(world)
    files["internal/residents_sample.csv"] = table_bytes(residents.COLUMNS, people)
    files["internal/permits.csv"] = table_bytes(internal.PERMIT_COLUMNS, internal.permits(world, people))
    files["internal/service_desk_log.csv"] = table_bytes(internal.DESK_COLUMNS, internal.desk_log(world, people))
    files["DICTIONARY.md"] = docs.render(manifest.load(), files).encode("utf-8")
    return files


def check(out_dir: Path, files: dict[str, bytes]) -> list[str]:
    """Paths whose committed bytes differ from a fresh generation (or are missing)."""
    return [
        rel
        for rel, data in sorted(files.items())
        if not (out_dir / rel).is_file() or (out_dir / rel).read_bytes() != data
    ]


def main(argv: list[str] | None = None) -> int:
    """Command line: generate into --out (default: datasets/) or, with --check, compare only."""
    parser = argparse.ArgumentParser(prog="python -m datasets.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: datasets/)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default: {SEED})")
    parser.add_argument("--check", action="store_true", help="only check that the files in --out are up to date")
    args = parser.parse_args(argv)
    files = build(args.seed)
    if args.check:
        stale = check(args.out, files)
        for rel in stale:
            print(f"古いか存在しません: {rel}")
        print(
            "最新です。" if not stale else f"{len(stale)} 件のファイルを再生成してください: python -m datasets.generate"
        )
        return 1 if stale else 0
    written = write_all(args.out, files)
    for i, rel in enumerate(written, start=1):
        print(f"[{i:2d}/{len(written)}] {rel}  {len(files[rel]):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

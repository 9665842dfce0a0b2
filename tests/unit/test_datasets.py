"""The sample data of みどり野市 (datasets/): reproducible, in the official layouts, consistent, and the
"as received" files really break the machine-readability rules the manifest says they break."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from datasets import city, geo, manifest, rules
from datasets.dictionary import describe
from datasets.generate import build, main
from datasets.layouts import BLANK_MEANS_NO, FLAG_COLUMNS, HAZARDS, LAYOUTS, TIME_COLUMNS

pytestmark = pytest.mark.unit

ROOT = Path(manifest.__file__).resolve().parent
MANIFEST = manifest.load()
RESOURCES = manifest.resources(MANIFEST)
LAYOUT_RESOURCES = [r for _, r in RESOURCES if "layout" in r]
AS_RECEIVED = [r for _, r in RESOURCES if r.get("breaks")]
KATAKANA = re.compile(r"^[ァ-ヶー・]+$")
HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_csv(rel: str) -> list[dict]:
    """A UTF-8 CSV of datasets/ as a list of dicts."""
    return list(csv.DictReader(io.StringIO((ROOT / rel).read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def generated() -> dict[str, bytes]:
    return build()


@pytest.fixture(scope="module")
def rings() -> dict[str, geo.Ring]:
    data = json.loads((ROOT / "geo/districts.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["町字ID"]: [tuple(p) for p in f["geometry"]["coordinates"][0]] for f in data["features"]}


def test_generation_reproduces_the_committed_files(generated):
    """Does a fresh generation give byte-identical files to the committed ones (xlsx included)?"""
    stale = [rel for rel, data in generated.items() if (ROOT / rel).read_bytes() != data]
    assert not stale, f"regenerate with `python -m datasets.generate`: {stale}"


def test_two_generations_into_temp_dirs_are_identical(tmp_path):
    """Do two runs of the command line into empty folders write exactly the same bytes?"""
    for name in ("a", "b"):
        assert main(["--out", str(tmp_path / name)]) == 0
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_check_option_says_the_committed_files_are_current():
    """Does `--check` exit 0 on the committed files?"""
    assert main(["--check"]) == 0


def test_every_generated_data_file_is_in_the_manifest(generated):
    """Is every generated data file published by some manifest resource (nothing orphaned)?"""
    listed = {r["path"] for _, r in RESOURCES}
    assert set(generated) - {"DICTIONARY.md"} == listed


def test_manifest_is_sound():
    """Do all manifest paths exist, names stay unique and url-safe, and orgs, groups and licences resolve?"""
    assert manifest.problems(MANIFEST) == []


def test_internal_datasets_are_private_in_the_internal_organisation():
    """Are the person-level files only in private datasets of the 庁内データ organisation?"""
    for d, r in RESOURCES:
        assert r["path"].startswith("internal/") == d["private"] == (d["owner_org"] == "chonai-data")


def test_city_code_has_a_correct_check_digit():
    """Is 992011 the code 99201 with the 総務省 check digit, and does the algorithm match known codes?"""
    assert city.check_digit("13101") == "6"  # 千代田区 131016
    assert city.check_digit("01100") == "2"  # 札幌市 011002
    assert city.check_digit("09201") == "1"  # 宇都宮市 092011
    assert city.CITY_CODE == city.CITY_CODE_5 + city.check_digit(city.CITY_CODE_5) == "992011"
    assert int(city.CITY_CODE[:2]) > 47, "prefecture code must be outside the real range 01–47"


@pytest.mark.parametrize("resource", LAYOUT_RESOURCES, ids=lambda r: r["path"])
def test_standard_columns_match_the_official_layout(resource):
    """Are the columns exactly the layout's, in order, with every required column filled in?"""
    layout = LAYOUTS[resource["layout"]]
    text = (ROOT / resource["path"]).read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == layout.columns
    rows = read_csv(resource["path"])
    assert rows
    for row in rows:
        missing = [c for c in layout.required if not row[c] and c not in BLANK_MEANS_NO]
        assert not missing, f"{row.get('ID')}: {missing}"
        assert row["全国地方公共団体コード"] == city.CITY_CODE
        if "地方公共団体名" in row:
            assert row["地方公共団体名"] == city.FULL_NAME
    if "ID" in header:
        assert len({r["ID"] for r in rows}) == len(rows)


@pytest.mark.parametrize("resource", LAYOUT_RESOURCES, ids=lambda r: r["path"])
def test_standard_values_are_well_formed(resource):
    """Are readings full-width katakana, times hh:mm, flags 有/無, hazards 1/blank and dates ISO?"""
    for row in read_csv(resource["path"]):
        for column, value in row.items():
            if column in ("名称_カナ", "イベント名_カナ"):
                assert KATAKANA.match(value), value
            elif column in TIME_COLUMNS and value:
                assert HHMM.match(value), (column, value)
            elif column in FLAG_COLUMNS:
                assert value in ("有", "無"), (column, value)
            elif column in HAZARDS or column == "指定避難所との重複":
                assert value in ("1", ""), (column, value)
            elif column in ("調査年月日", "開始日", "終了日", "許可等年月日") and value:
                assert ISO_DATE.match(value), (column, value)


def _located_rows():
    for r in LAYOUT_RESOURCES:
        if "緯度" in LAYOUTS[r["layout"]].columns:
            yield r["path"], "町字ID", read_csv(r["path"])
    yield "internal/permits.csv", "対象地_町字ID", read_csv("internal/permits.csv")


def test_coordinates_lie_inside_their_district(rings):
    """Is every point inside the polygon of the district its address names?"""
    checked = 0
    for path, key, rows in _located_rows():
        for row in rows:
            point = (float(row["経度"]), float(row["緯度"]))
            assert geo.contains(rings[row[key]], point), f"{path}: {row.get('ID') or row.get('受付番号')}"
            checked += 1
    assert checked > 400


def test_addresses_match_their_district():
    """Does 所在地_連結表記 spell out the prefecture, city, the district of 町字ID and the street number?"""
    names = {d.town_id: d.name for d in city.districts()}
    for path, _, rows in _located_rows():
        if path.startswith("internal/"):
            continue
        for row in rows:
            assert row["所在地_町字"] == names[row["町字ID"]]
            expected = city.FULL_NAME + row["所在地_町字"] + row["所在地_番地以下"] + row["建物名等(方書)"]
            assert row["所在地_連結表記"] == expected


def test_district_polygons_tile_a_plausibly_sized_city(rings):
    """Do the 24 districts cover the city exactly once, at a plausible size and place?"""
    boundary = json.loads((ROOT / "geo/city_boundary.geojson").read_text(encoding="utf-8"))
    city_ring = [tuple(p) for p in boundary["features"][0]["geometry"]["coordinates"][0]]
    assert 20 <= len(rings) <= 30
    assert sum(geo.area(r) for r in rings.values()) == pytest.approx(geo.area(city_ring), rel=1e-9)
    assert all(geo.area(r) > 0 for r in rings.values()), "rings must be counter-clockwise (RFC 7946)"
    assert 50 < geo.area_km2(city_ring) < 300
    assert all(24 < lat < 46 and 122 < lon < 154 for lon, lat in city_ring)
    rng = random.Random(1)
    xs, ys = [p[0] for p in city_ring], [p[1] for p in city_ring]
    for _ in range(2000):
        point = (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
        hits = sum(geo.contains(r, point) for r in rings.values())
        assert hits == int(geo.contains(city_ring, point))


def test_population_is_consistent_and_ageing():
    """Do totals add up, and does the city age and change year to year like a real one?"""
    rows = read_csv("open/population_by_area_age.csv")
    bands = [c for c in rows[0] if c.endswith(("の男性", "の女性"))]
    assert len(bands) == 36
    by_year: dict[str, list[dict]] = {}
    for row in rows:
        men = sum(int(row[c]) for c in bands if c.endswith("の男性"))
        women = sum(int(row[c]) for c in bands if c.endswith("の女性"))
        assert (int(row["男性"]), int(row["女性"])) == (men, women)
        assert int(row["総人口"]) == men + women
        assert 0 < int(row["世帯数"]) < int(row["総人口"])
        by_year.setdefault(row["調査年月日"], []).append(row)
    assert len(by_year) >= 3 and all(len(v) == len(city.districts()) for v in by_year.values())
    totals, ageing = [], []
    old = [c for c in bands if int(c.split("-")[0].removesuffix("歳以上の男性").removesuffix("歳以上の女性")) >= 65]
    for year in sorted(by_year):
        total = sum(int(r["総人口"]) for r in by_year[year])
        totals.append(total)
        ageing.append(sum(int(r[c]) for r in by_year[year] for c in old) / total)
    assert all(60_000 <= t <= 120_000 for t in totals)
    assert len(set(totals)) == len(totals), "the population should change every year"
    assert all(b > a for a, b in zip(ageing, ageing[1:], strict=False)), f"高齢化率 should rise: {ageing}"
    assert 0.25 < ageing[-1] < 0.40


def test_shelter_capacity_makes_sense_against_district_population():
    """Can the emergency evacuation sites serving each district take at least half of its residents?"""
    latest = max(r["調査年月日"] for r in read_csv("open/population_by_area_age.csv"))
    people = {
        r["地域名"]: int(r["総人口"]) for r in read_csv("open/population_by_area_age.csv") if r["調査年月日"] == latest
    }
    capacity: Counter[str] = Counter()
    for site in read_csv("open/evacuation_sites.csv"):
        served = [a.removesuffix("自治会") for a in site["対象となる町会・自治会"].split(";")]
        for district in served:
            share = people[district] / sum(people[d] for d in served)
            capacity[district] += int(site["想定収容人数"]) * share
    for district, residents in people.items():
        assert capacity[district] >= 0.5 * residents - 1, district
        assert capacity[district] < 5 * residents + 4000, district


@pytest.mark.parametrize(
    ("resource", "rule"),
    [(r, b) for r in AS_RECEIVED for b in r["breaks"]],
    ids=lambda x: x if isinstance(x, str) else x["path"],
)
def test_as_received_files_break_their_declared_rules(resource, rule):
    """Does each "as received" file really break every rule the manifest declares for it?"""
    assert rules.breaks(rule, ROOT / resource["path"])


def test_as_received_shift_jis_files_are_not_utf8():
    """Are the Shift_JIS exports undecodable as UTF-8 but fine as cp932, with 和暦 and full-width digits?"""
    for r in AS_RECEIVED:
        if r["encoding"].startswith("Shift_JIS"):
            raw = (ROOT / r["path"]).read_bytes()
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            raw.decode("cp932")
    text = (ROOT / "as_received/hinanbasho_sjis.csv").read_bytes().decode("cp932")
    assert "令和元年" in text and "合計" in text and "人" in text


@pytest.mark.parametrize("path", sorted(r["path"] for _, r in RESOURCES if r["path"].startswith("open/")))
def test_standard_files_follow_the_rules(path):
    """Do the tidy files break none of the rules the "as received" ones break?"""
    broken = [rule for rule in rules.CLEAN_CHECKS if rules.breaks(rule, ROOT / path)]
    assert broken == []


def test_every_column_is_in_the_data_dictionary():
    """Is every column of every CSV described in DICTIONARY.md?"""
    dictionary = (ROOT / "DICTIONARY.md").read_text(encoding="utf-8")
    for _, r in RESOURCES:
        if r["format"] == "CSV" and not r.get("breaks"):
            for column in next(csv.reader(io.StringIO((ROOT / r["path"]).read_text(encoding="utf-8")))):
                describe(column)
                assert f"| {column} |" in dictionary, column


def test_internal_records_join_across_departments():
    """Do permits and desk records point to residents of the sample, and households make sense?"""
    residents = read_csv("internal/residents_sample.csv")
    ids = {r["住民ID"] for r in residents}
    assert 1000 <= len(residents) <= 6000 and len(ids) == len(residents)
    heads = Counter(r["世帯ID"] for r in residents if r["続柄"] == "世帯主")
    assert set(heads.values()) == {1} and set(heads) == {r["世帯ID"] for r in residents}
    permits = [p for p in read_csv("internal/permits.csv") if p["申請者住民ID"]]
    desk = [d for d in read_csv("internal/service_desk_log.csv") if d["住民ID"]]
    assert permits and desk
    assert {p["申請者住民ID"] for p in permits} <= ids
    assert {d["住民ID"] for d in desk} <= ids


def test_residents_include_rare_combinations_for_k_anonymity():
    """Are there residents unique by district, age band, sex and nationality (k = 1) to find?"""
    residents = read_csv("internal/residents_sample.csv")

    def key(r):
        age = 2024 - int(r["生年月日"][:4])
        return r["町丁目"], min(age // 10, 9), r["性別"], r["国籍"]

    groups = Counter(key(r) for r in residents)
    centenarian = next(r for r in residents if r["町丁目"] == "奥谷" and r["生年月日"] < "1925-01-01")
    assert groups[key(centenarian)] == 1
    assert sum(1 for n in groups.values() if n == 1) >= 5

"""公共施設一覧, AED設置箇所一覧 and 指定緊急避難場所一覧 built from the named places.

Capacities of the emergency evacuation sites are checked against the population of the
districts they serve: every district can shelter at least half of its residents.
"""

from __future__ import annotations

import math

from datasets import city, geo, places
from datasets.layouts import HAZARDS
from datasets.world import World, head

STATION = places.Place(
    "station",
    "みどり野駅",
    "ミドリノエキ",
    "Midorino Station",
    "station",
    "駅前一丁目",
    (places.EVERY_DAY, "05:00", "24:00", "終電後は利用不可"),
)
STORES = ["本町一丁目", "駅前二丁目", "栄町", "青葉台一丁目", "緑ヶ丘二丁目", "旭町", "川端町", "松原", "汐見町"]
_AED_POSITION = {
    "office": "1階正面玄関ロビー",
    "community": "1階事務室前",
    "library": "1階カウンター横",
    "sports": "1階受付横",
    "culture": "1階エントランス",
    "health": "1階受付横",
    "fire": "1階受付",
    "museum": "1階受付",
    "elementary": "体育館入口",
    "junior_high": "体育館入口",
    "park": "管理事務所内",
    "station": "改札口横",
    "store": "店内レジ横",
}
_SITE_BASE = {"elementary": 1800, "junior_high": 2600, "park": 3000, "community": 180, "sports": 1500}
STEEP = {"奥谷", "大沢", "東山"}


def _url(key: str) -> str:
    return f"{city.WEB}/shisetsu/{key}.html"


def public_facilities(world: World) -> list[dict]:
    """Rows of the 公共施設一覧: every facility the city owns."""
    rows = []
    for i, p in enumerate(places.public_places(), start=1):
        loc = world.locate(p.key, p.district, p.building)
        days, start, end, note = p.hours
        rows.append(
            {
                **head(f"PF{i:03d}"),
                "名称": p.name,
                "名称_カナ": p.kana,
                "名称_英字": p.english,
                **loc.columns(),
                "電話番号": city.phone(120000 + 100 + i),
                "連絡先メールアドレス": f"info@{city.MAIL_DOMAIN}" if p.key == "city_hall" else "",
                "団体名": city.CITY,
                "利用可能曜日": days,
                "開始時間": start,
                "終了時間": end,
                "利用可能日時特記事項": note,
                "URL": _url(p.key),
                "備考": f"施設分類：{places.KINDS[p.kind]}",
            }
        )
    return rows


def _aed_places() -> list[tuple[places.Place, str, str]]:
    """(place, owner, position) for every AED; schools have a second one in the staff room."""
    result = []
    for p in places.public_places():
        if p.key == "park_minato":
            continue
        result.append((p, city.CITY, _AED_POSITION[p.kind]))
        if p.kind in ("elementary", "junior_high"):
            result.append((p, city.CITY, "1階職員室前"))
    result.append((STATION, "みどり野臨海鉄道株式会社", _AED_POSITION["station"]))
    for district in STORES:
        shop = places.Place(
            f"store_{district}",
            f"ミドリマート{district}店",
            "",
            "",
            "store",
            district,
            (places.EVERY_DAY, "00:00", "24:00", "24時間営業"),
        )
        result.append((shop, "株式会社ミドリマート", _AED_POSITION["store"]))
    return result


_KANA_OF_DISTRICT_SHOP = "ミドリマート"


def aed(world: World) -> list[dict]:
    """Rows of the AED設置箇所一覧."""
    rng = world.rng("aed")
    rows = []
    for i, (p, owner, position) in enumerate(_aed_places(), start=1):
        loc = world.locate(p.key, p.district, p.building)
        kana = (
            p.kana
            or _KANA_OF_DISTRICT_SHOP + loc.district.kana.replace("イッチョウメ", "").replace("ニチョウメ", "") + "テン"
        )
        days, start, end, note = p.hours
        child = p.kind in ("elementary", "junior_high", "library", "health") or rng.random() < 0.35
        rows.append(
            {
                **head(f"AED{i:03d}"),
                "名称": p.name,
                "名称_カナ": kana,
                "名称_英字": p.english,
                **loc.columns(),
                "設置位置": position,
                "電話番号": city.phone(130000 + i * 3),
                "団体名": owner,
                "利用可能曜日": days,
                "開始時間": start,
                "終了時間": end,
                "利用可能日時特記事項": note,
                "小児対応設備の有無": "有" if child else "無",
            }
        )
    return rows


def _hazards(world: World, p: places.Place) -> dict[str, str]:
    loc = world.locate(p.key, p.district, p.building)
    h = world.elevation(loc)
    school = p.kind in ("elementary", "junior_high")
    flood = school or h >= 8 or (p.kind == "community" and h >= 5)
    flags = {
        "災害種別_洪水": flood,
        "災害種別_崖崩れ、土石流及び地滑り": p.district not in STEEP,
        "災害種別_高潮": school or h >= 6,
        "災害種別_地震": True,
        "災害種別_津波": h >= 20 or (school and h >= 10),
        "災害種別_大規模な火事": p.kind in ("park", "elementary", "junior_high", "sports"),
        "災害種別_内水氾濫": flood,
        "災害種別_火山現象": False,
    }
    assert list(flags) == HAZARDS
    return {k: "1" if v else "" for k, v in flags.items()}


def _site_places() -> list[places.Place]:
    return [p for p in places.public_places() if p.kind in _SITE_BASE]


def _distance(world: World, p: places.Place, point: geo.Point) -> float:
    loc = world.locate(p.key, p.district, p.building)
    return (loc.lon - point[0]) ** 2 + (loc.lat - point[1]) ** 2


def service_areas(world: World) -> dict[str, list[str]]:
    """Districts each site serves: its own, plus any district without a site of its own (nearest site)."""
    sites = _site_places()
    areas = {p.key: [p.district] for p in sites}
    for d in world.districts:
        if not any(p.district == d.name for p in sites):
            centre = geo.centroid(world.rings[d.town_id])
            nearest = min(sites, key=lambda p, c=centre: _distance(world, p, c))
            areas[nearest.key].append(d.name)
    return areas


def site_capacities(world: World) -> dict[str, int]:
    """想定収容人数 per site: a base by kind, raised where the served districts would fall short.

    Each district can shelter at least half of its residents in the sites that serve it (a site
    serving several districts counts its capacity in proportion to their population).
    """
    rng = world.rng("capacity")
    sites = _site_places()
    areas = service_areas(world)
    capacity = {p.key: round(_SITE_BASE[p.kind] * rng.uniform(0.7, 1.3), -1) for p in sites}
    for p in sites:
        served = sum(world.population(world.district(n).town_id) for n in areas[p.key])
        own = [q for q in sites if q.district == p.district]
        need = math.ceil(served * 0.5)
        short = need - sum(capacity[q.key] for q in own)
        if short > 0 and p is max(own, key=lambda q: capacity[q.key]):
            capacity[p.key] += math.ceil(short / 10) * 10
    return {k: int(v) for k, v in capacity.items()}


def evacuation_sites(world: World) -> list[dict]:
    """Rows of the 指定緊急避難場所一覧."""
    capacity = site_capacities(world)
    areas = service_areas(world)
    rows = []
    for i, p in enumerate(_site_places(), start=1):
        loc = world.locate(p.key, p.district, p.building)
        rows.append(
            {
                **head(f"EV{i:03d}", with_name=False),
                "名称": p.name,
                "名称_カナ": p.kana,
                "名称_英字": p.english,
                **loc.columns(),
                "標高": f"{world.elevation(loc):.1f}",
                "電話番号": city.phone(120000 + 100 + places.public_places().index(p) + 1),
                "市区町村コード": city.CITY_CODE,
                "地方公共団体名": city.FULL_NAME,
                **_hazards(world, p),
                "指定避難所との重複": "" if p.kind == "park" else "1",
                "想定収容人数": capacity[p.key],
                "対象となる町会・自治会": ";".join(f"{n}自治会" for n in areas[p.key]),
                "URL": f"{city.WEB}/bousai/hinanbasho.html",
            }
        )
    return rows

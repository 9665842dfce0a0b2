"""Internal (庁内) records for cross-department use: permits (許認可) and service-desk logs (窓口受付記録).

Both refer to residents of the sample by 住民ID where the person is in it, so that lessons can
join, pseudonymise and aggregate across departments. Everything is invented.
"""

from __future__ import annotations

import datetime as dt
import random

from datasets import geo
from datasets.world import World

PERMIT_COLUMNS = [
    "受付番号",
    "許認可種別",
    "担当課",
    "申請日",
    "許可日",
    "有効期限",
    "処理状況",
    "申請者区分",
    "申請者住民ID",
    "申請者名",
    "対象地_町字ID",
    "対象地_町丁目",
    "対象地_番地",
    "緯度",
    "経度",
    "処理日数",
    "手数料（円）",
]
# kind, department, share, days (min, max), corporate share, validity in years, fee
PERMIT_KINDS = [
    ("道路占用許可", "都市整備部道路課", 0.34, (7, 20), 0.85, 3, 0),
    ("屋外広告物許可", "都市整備部都市計画課", 0.18, (5, 14), 0.9, 2, 4400),
    ("公園占用許可", "都市整備部公園緑地課", 0.14, (3, 10), 0.6, 1, 0),
    ("行政財産使用許可", "総務部管財課", 0.10, (10, 25), 0.7, 1, 0),
    ("開発行為許可", "都市整備部都市計画課", 0.06, (30, 75), 1.0, 0, 86000),
    ("浄化槽設置届出", "環境部環境保全課", 0.18, (5, 12), 0.2, 0, 0),
]
COMPANIES = [
    "みどり野電力株式会社",
    "若葉ガス株式会社",
    "みどり野建設株式会社",
    "株式会社あおば工務店",
    "港町水産株式会社",
    "株式会社ミドリマート",
    "みどり野臨海鉄道株式会社",
    "有限会社さかえ看板",
    "みどり野通信株式会社",
]

DESK_COLUMNS = [
    "受付番号",
    "受付日時",
    "窓口",
    "手続",
    "受付方法",
    "住民ID",
    "来庁者の年代",
    "待ち時間（分）",
    "処理時間（分）",
    "担当職員番号",
]
# procedure, desk, weight, minutes (mean), online possible
PROCEDURES = [
    ("住民票の写しの交付", "市民課", 30, 6, True),
    ("印鑑登録証明書の交付", "市民課", 12, 5, True),
    ("転入届", "市民課", 6, 25, False),
    ("転出届", "市民課", 6, 12, True),
    ("転居届", "市民課", 4, 15, False),
    ("戸籍謄本の交付", "市民課", 8, 8, True),
    ("国民健康保険の加入・脱退", "保険年金課", 7, 18, False),
    ("児童手当の申請", "子育て支援課", 4, 15, True),
    ("保育所入所申込", "子育て支援課", 3, 30, True),
    ("要介護認定の申請", "介護保険課", 5, 20, False),
    ("税証明の交付", "税務課", 10, 7, True),
    ("障害福祉サービスの申請", "福祉課", 2, 35, False),
]
_MOVING = {"転入届", "転出届", "転居届", "国民健康保険の加入・脱退", "児童手当の申請"}


def _point(world: World, rng: random.Random, town_id: str) -> tuple[float, float]:
    return geo.random_point(rng, world.rings[town_id], margin=0.05)


def permits(world: World, residents: list[dict]) -> list[dict]:
    """Permit applications received in fiscal 2022–2024."""
    rng = world.rng("permits")
    adults = [r for r in residents if r["生年月日"] <= "2004-12-31"]
    rows = []
    start = dt.date(2022, 4, 1)
    for i in range(540):
        kind, dept, _, (low, high), corp, years, fee = rng.choices(PERMIT_KINDS, [k[2] for k in PERMIT_KINDS])[0]
        applied = start + dt.timedelta(days=rng.randint(0, 1094))
        while applied.weekday() >= 5:
            applied += dt.timedelta(days=1)
        corporate = rng.random() < corp
        person = None if corporate else rng.choice(adults)
        district = world.district(person["町丁目"]) if person and rng.random() < 0.7 else rng.choice(world.districts)
        lon, lat = _point(world, rng, district.town_id)
        days = rng.randint(low, high)
        roll = rng.random()
        status = "許可" if roll < 0.9 else ("不許可" if roll < 0.93 else "取下げ")
        decided = applied + dt.timedelta(days=days)
        if decided > dt.date(2025, 3, 31):
            status = "審査中"
        granted = status == "許可"
        rows.append(
            {
                "受付番号": f"P{applied.year}-{i + 1:04d}",
                "許認可種別": kind,
                "担当課": dept,
                "申請日": applied.isoformat(),
                "許可日": decided.isoformat() if granted else "",
                "有効期限": (decided.replace(year=decided.year + years) - dt.timedelta(days=1)).isoformat()
                if granted and years
                else "",
                "処理状況": status,
                "申請者区分": "法人" if corporate else "個人",
                "申請者住民ID": person["住民ID"] if person else "",
                "申請者名": rng.choice(COMPANIES) if corporate else person["氏名"],
                "対象地_町字ID": district.town_id,
                "対象地_町丁目": district.name,
                "対象地_番地": f"{rng.randint(1, 28)}-{rng.randint(1, 40)}",
                "緯度": f"{lat:.6f}",
                "経度": f"{lon:.6f}",
                "処理日数": days if status in ("許可", "不許可") else "",
                "手数料（円）": fee,
            }
        )
    rows.sort(key=lambda r: (r["申請日"], r["受付番号"]))
    counters: dict[str, int] = {}
    for r in rows:
        year = r["受付番号"][1:5]
        counters[year] = counters.get(year, 0) + 1
        r["受付番号"] = f"P{year}-{counters[year]:04d}"
    return rows


def _decade(born: str, day: dt.date) -> str:
    b = dt.date.fromisoformat(born)
    age = day.year - b.year - ((day.month, day.day) < (b.month, b.day))
    return "10代以下" if age < 20 else ("80代以上" if age >= 80 else f"{age // 10 * 10}代")


def desk_log(world: World, residents: list[dict]) -> list[dict]:
    """Service-desk records of fiscal 2024: busy in March–April and on Mondays, more online later."""
    rng = world.rng("desk")
    adults = [r for r in residents if r["生年月日"] <= "2006-12-31"]
    rows = []
    day = dt.date(2024, 4, 1)
    while day <= dt.date(2025, 3, 31):
        if day.weekday() < 5 and not (day.month == 12 and day.day >= 29) and not (day.month == 1 and day.day <= 3):
            season = 1.8 if day.month in (3, 4) else 1.0
            busy = (1.3 if day.weekday() == 0 else 1.0) * season
            for _ in range(round(rng.gauss(22 * busy, 4))):
                procedure, desk, _, minutes, online_ok = rng.choices(
                    PROCEDURES, [p[2] * (2.5 if p[0] in _MOVING and season > 1 else 1) for p in PROCEDURES]
                )[0]
                online_share = 0.10 + 0.15 * (day - dt.date(2024, 4, 1)).days / 365
                method = (
                    "オンライン"
                    if online_ok and rng.random() < online_share
                    else ("郵送" if rng.random() < 0.04 else "窓口")
                )
                person = rng.choice(adults) if rng.random() < 0.25 else None
                at = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(minutes=rng.randint(0, 525))
                wait = "" if method != "窓口" else max(0, round(rng.gauss(12 * busy, 6)))
                rows.append(
                    {
                        "受付番号": "",
                        "受付日時": at.strftime("%Y-%m-%dT%H:%M"),
                        "窓口": desk,
                        "手続": procedure,
                        "受付方法": method,
                        "住民ID": person["住民ID"] if person else "",
                        "来庁者の年代": _decade(person["生年月日"], day)
                        if person
                        else rng.choice(["20代", "30代", "40代", "50代", "60代", "70代", "80代以上"]),
                        "待ち時間（分）": wait,
                        "処理時間（分）": max(2, round(rng.gauss(minutes, minutes / 3))),
                        "担当職員番号": f"S{rng.randint(1, 24):03d}",
                    }
                )
        day += dt.timedelta(days=1)
    rows.sort(key=lambda r: r["受付日時"])
    for i, r in enumerate(rows, start=1):
        r["受付番号"] = f"D{i:06d}"
    return rows

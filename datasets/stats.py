"""Non-standard statistics in tidy (long) form: monthly waste and the general account summary.

Waste follows the season (peaks in December and August) and shrinks about 1 % a year; the
general account shows the one-off 特別定額給付金 of fiscal 2020 in 総務費 and 国庫支出金.
"""

from __future__ import annotations

from datasets import city
from datasets.world import World

WASTE_YEARS = [2020, 2021, 2022, 2023, 2024]  # fiscal years (April – March)
WASTE_KINDS = [("可燃ごみ", 0.72), ("不燃ごみ", 0.06), ("資源ごみ", 0.17), ("粗大ごみ", 0.045), ("有害ごみ", 0.005)]
_SEASON = {
    4: 1.02,
    5: 1.06,
    6: 0.97,
    7: 1.01,
    8: 1.06,
    9: 0.96,
    10: 0.98,
    11: 0.97,
    12: 1.12,
    1: 1.03,
    2: 0.88,
    3: 1.00,
}
WASTE_COLUMNS = ["全国地方公共団体コード", "地方公共団体名", "年度", "年月", "ごみ種別", "排出量（トン）"]

FINANCE_YEARS = [2019, 2020, 2021, 2022, 2023]
REVENUE = [
    ("市税", 0.335),
    ("地方譲与税", 0.012),
    ("地方消費税交付金", 0.052),
    ("地方交付税", 0.155),
    ("国庫支出金", 0.165),
    ("県支出金", 0.070),
    ("使用料及び手数料", 0.018),
    ("繰入金", 0.030),
    ("市債", 0.090),
    ("諸収入", 0.025),
    ("その他", 0.048),
]
EXPENDITURE = [
    ("議会費", 0.008),
    ("総務費", 0.105),
    ("民生費", 0.390),
    ("衛生費", 0.090),
    ("労働費", 0.002),
    ("農林水産業費", 0.020),
    ("商工費", 0.025),
    ("土木費", 0.095),
    ("消防費", 0.035),
    ("教育費", 0.110),
    ("災害復旧費", 0.002),
    ("公債費", 0.118),
]
FINANCE_COLUMNS = ["全国地方公共団体コード", "地方公共団体名", "年度", "会計", "区分", "科目", "決算額（千円）"]


def waste(world: World) -> list[dict]:
    """Monthly waste by kind (tonnes, one decimal) for fiscal 2020–2024."""
    rng = world.rng("waste")
    rows = []
    for fy in WASTE_YEARS:
        for m in range(12):
            month = (3 + m) % 12 + 1
            year = fy + (1 if month < 4 else 0)
            total = 2180 * (0.99 ** (fy - WASTE_YEARS[0])) * _SEASON[month]
            for kind, share in WASTE_KINDS:
                amount = total * share * rng.uniform(0.95, 1.05)
                rows.append(
                    {
                        "全国地方公共団体コード": city.CITY_CODE,
                        "地方公共団体名": city.FULL_NAME,
                        "年度": fy,
                        "年月": f"{year}-{month:02d}",
                        "ごみ種別": kind,
                        "排出量（トン）": f"{amount:.1f}",
                    }
                )
    return rows


def finance(world: World) -> list[dict]:
    """General account settlement (決算) by item, in thousand yen, for fiscal 2019–2023."""
    rng = world.rng("finance")
    rows = []
    for fy in FINANCE_YEARS:
        base = 33_000_000 * (1.012 ** (fy - FINANCE_YEARS[0]))
        spent = {
            k: base * s * rng.uniform(0.97, 1.03) * (1.01 ** (fy - 2019) if k == "民生費" else 1)
            for k, s in EXPENDITURE
        }
        income = {k: base * s * 1.03 * rng.uniform(0.97, 1.03) for k, s in REVENUE}
        if fy == 2020:  # 特別定額給付金: 100,000 yen for each of about 83,000 residents
            spent["総務費"] += 8_400_000
            income["国庫支出金"] += 8_450_000
        for section, items in (("歳入", income), ("歳出", spent)):
            for item, amount in items.items():
                rows.append(
                    {
                        "全国地方公共団体コード": city.CITY_CODE,
                        "地方公共団体名": city.FULL_NAME,
                        "年度": fy,
                        "会計": "一般会計",
                        "区分": section,
                        "科目": item,
                        "決算額（千円）": round(amount),
                    }
                )
    return rows

""" "As received" CSV files: the same data exported the way real offices send it.

They break the machine-readability rules on purpose (Shift_JIS, 和暦, full-width digits, title
and note rows, two-row headers, ○/×, units in cells, totals rows, ditto marks ...). The manifest
lists, for each file, the rules it breaks; the tests check that it really does.
"""

from __future__ import annotations

import datetime as dt

from datasets import city, stats
from datasets.writers import csv_bytes

_FULL = str.maketrans("0123456789-:", "０１２３４５６７８９－：")


def fullwidth(text: object) -> str:
    """Digits, hyphens and colons as full-width characters, as typed in many Excel sheets."""
    return str(text).translate(_FULL)


def wareki(day: dt.date, digits_fullwidth: bool = True) -> str:
    """A date in the Japanese era calendar only (令和/平成, 元年 for the first year)."""
    era, first = ("令和", 2019) if day >= dt.date(2019, 5, 1) else ("平成", 1989)
    n = day.year - first + 1
    year = "元" if n == 1 else (fullwidth(n) if digits_fullwidth else str(n))
    return f"{era}{year}年{day.month}月{day.day}日"


def wareki_fiscal(fy: int) -> str:
    """A fiscal year such as 令和６年度 (fiscal years from 2019 on belong to 令和)."""
    n = fy - 2018
    return f"令和{'元' if n == 1 else fullwidth(n)}年度"


def _sjis(rows: list[list]) -> bytes:
    return csv_bytes(rows, encoding="cp932", newline="\r\n")


def _hours(start: str, end: str) -> str:
    def text(t: str) -> str:
        h, m = t.split(":")
        return f"{int(h)}時" + (f"{m}分" if m != "00" else "")

    return "24時間" if (start, end) == ("00:00", "24:00") else f"{text(start)}～{text(end)}"


def aed_csv(rows: list[dict]) -> bytes:
    """AED list as exported by the 危機管理課 spreadsheet."""
    out = [
        ["ＡＥＤ設置場所一覧（令和７年４月１日現在）"],
        [],
        ["番号", "施設名", "住所", "設置場所", "電話番号", "利用できる時間", "小児用パッド", "設置者", "備考"],
    ]
    for i, r in enumerate(rows, start=1):
        owner = r["団体名"].replace("株式会社", "㈱")
        out.append(
            [
                fullwidth(i),
                r["名称"],
                fullwidth(r["所在地_連結表記"].removeprefix(city.PREFECTURE)),
                fullwidth(r["設置位置"]).replace("階", "階　", 1),
                fullwidth(r["電話番号"]),
                _hours(r["開始時間"], r["終了時間"]),
                "○" if r["小児対応設備の有無"] == "有" else "×",
                owner,
                r["利用可能日時特記事項"],
            ]
        )
    out.append(["※設置場所・利用時間は変更になる場合があります。"])
    return _sjis(out)


_HAZARD_SHORT = ["洪水", "崖崩れ等", "高潮", "地震", "津波", "大規模な火事", "内水氾濫", "火山現象"]


def evacuation_csv(rows: list[dict], designated: list[dt.date]) -> bytes:
    """Emergency evacuation sites with a two-row header, ○ marks, "人" units, 和暦 and a total."""
    out = [
        ["指定緊急避難場所一覧　令和７年４月１日現在"],
        ["番号", "名称", "所在地", "対象とする異常な現象"] + [""] * 7 + ["想定収容人数", "指定年月日", "備考"],
        ["", "", ""] + _HAZARD_SHORT + ["", "", ""],
    ]
    hazards = [k for k in rows[0] if k.startswith("災害種別_")]
    for i, (r, day) in enumerate(zip(rows, designated, strict=True), start=1):
        out.append(
            [i, r["名称"], fullwidth(r["所在地_町字"] + r["所在地_番地以下"])]
            + ["○" if r[h] else "" for h in hazards]
            + [f"{r['想定収容人数']:,}人", wareki(day, digits_fullwidth=False), ""]
        )
    total = sum(r["想定収容人数"] for r in rows)
    out.append(["合計", "", ""] + [""] * 8 + [f"{total:,}人", "", ""])
    out.append(["※想定収容人数は屋外（グラウンド等）を含む。"])
    return _sjis(out)


def waste_csv(rows: list[dict], fy: int) -> bytes:
    """One fiscal year of waste, wide by month, with units, dashes for zero and a totals row and column."""
    months = [(3 + m) % 12 + 1 for m in range(12)]
    out = [
        [f"{wareki_fiscal(fy)}　ごみ排出量（月別）"],
        ["（単位：ｔ）"],
        ["種別"] + [f"{m}月" for m in months] + ["合計"],
    ]
    column_totals = [0.0] * 12
    for kind, _ in stats.WASTE_KINDS:
        values = []
        for j, m in enumerate(months):
            year = fy + (1 if m < 4 else 0)
            amount = next(
                float(r["排出量（トン）"]) for r in rows if r["年月"] == f"{year}-{m:02d}" and r["ごみ種別"] == kind
            )
            if kind == "有害ごみ" and m % 2:  # collected in even months only
                amount = 0.0
            column_totals[j] += amount
            values.append(amount)
        cells = ["－" if v == 0 else f"{v:,.1f}" for v in values]
        if kind == "有害ごみ":
            cells[-1] = ""  # March not yet reported: blank, which is not the same as zero
        out.append([kind] + cells + [f"{sum(values):,.1f}"])
    out.append(["合計"] + [f"{v:,.1f}" for v in column_totals] + [f"{sum(column_totals):,.1f}"])
    out.append(["※有害ごみは偶数月のみ収集。３月分は集計中。"])
    return _sjis(out)


def childcare_csv(rows: list[dict]) -> bytes:
    """Childcare facilities typed by hand: ditto marks, spaced words, units, line breaks, ㈱."""
    out = [["種別", "施設名", "所在地", "定員", "対象年齢", "開所時間", "一時保育", "運営"]]
    previous = None
    for i, r in enumerate(rows):
        kind = r["種別"]
        shown = "〃" if kind == previous else ("保　育　所" if kind == "保育所" else kind)
        previous = kind
        place = r["所在地_町字"] + ("\n" if i % 4 == 0 else "") + fullwidth(r["所在地_番地以下"])
        operator = (r["団体名"] or "個人").replace("株式会社", "㈱")
        out.append(
            [
                shown,
                r["名称"],
                place,
                f"{r['収容定員']}名",
                fullwidth(r["受入年齢"]),
                _hours(r["開始時間"], r["終了時間"]),
                "あり" if r["一時預かりの有無"] == "有" else "なし",
                operator,
            ]
        )
    return _sjis(out)

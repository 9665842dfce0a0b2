""" "As received" Excel workbooks: merged titles and headers, 和暦, totals, dashes and formulas."""

from __future__ import annotations

import openpyxl
from openpyxl.styles import Alignment, Font

from datasets import population, stats
from datasets.as_received import fullwidth, wareki_fiscal
from datasets.layouts import AGE_BANDS
from datasets.writers import xlsx_bytes

_CENTER = Alignment(horizontal="center", vertical="center")


def _band_label(band: str) -> str:
    return band.replace("-", "～")


def population_xlsx(rows: list[dict]) -> bytes:
    """One sheet per year (R3 … R7): title, two merged header rows, districts, a total and a note."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for year in population.YEARS:
        reiwa = year - 2018
        ws = wb.create_sheet(f"R{reiwa}")
        width = 2 + 3 + 2 * len(AGE_BANDS) + 1
        ws.cell(1, 1, f"町丁目別・年齢（５歳階級）別人口　令和{fullwidth(reiwa)}年１月１日現在").font = Font(bold=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(3, 1, "番号")
        ws.cell(3, 2, "町丁目")
        ws.cell(3, 3, "総数")
        ws.merge_cells(start_row=3, start_column=3, end_row=3, end_column=5)
        for j, label in enumerate(["計", "男", "女"]):
            ws.cell(4, 3 + j, label)
        for k, band in enumerate(AGE_BANDS):
            col = 6 + 2 * k
            ws.cell(3, col, _band_label(band))
            ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + 1)
            ws.cell(4, col, "男")
            ws.cell(4, col + 1, "女")
        ws.cell(3, width, "世帯数")
        for col in (1, 2, width):
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
        for row in ws.iter_rows(min_row=3, max_row=4):
            for c in row:
                c.alignment = _CENTER
        data = [r for r in rows if r["調査年月日"] == f"{year}-01-01"]
        totals = [0] * (width - 2)
        for i, r in enumerate(data, start=1):
            values = [r["総人口"], r["男性"], r["女性"]]
            for band in AGE_BANDS:
                values += [r[f"{band}の男性"], r[f"{band}の女性"]]
            values.append(r["世帯数"])
            ws.cell(4 + i, 1, i)
            ws.cell(4 + i, 2, r["地域名"])
            for j, v in enumerate(values):
                ws.cell(4 + i, 3 + j, v if v else "－")
                totals[j] += v
        last = 5 + len(data)
        ws.cell(last, 2, "合計")
        for j, v in enumerate(totals):
            ws.cell(last, 3 + j, v)
        ws.cell(last + 2, 1, "※住民基本台帳による（外国人住民を含む）。「－」は該当なし。")
    return xlsx_bytes(wb)


def finance_xlsx(rows: list[dict]) -> bytes:
    """General account settlement, wide by fiscal year, with merged groups and SUM formulas."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一般会計決算"
    years = stats.FINANCE_YEARS
    ws.cell(1, 1, "一般会計決算の推移").font = Font(bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2 + len(years))
    ws.cell(2, 2 + len(years), "（単位：千円）")
    ws.cell(3, 1, "区分")
    ws.cell(3, 2, "科目")
    for j, fy in enumerate(years):
        ws.cell(3, 3 + j, wareki_fiscal(fy))
    r = 4
    for section, items in (("歳入", stats.REVENUE), ("歳出", stats.EXPENDITURE)):
        first = r
        ws.cell(r, 1, section).alignment = _CENTER
        for item, _ in items:
            ws.cell(r, 2, item)
            for j, fy in enumerate(years):
                amount = next(
                    x["決算額（千円）"] for x in rows if x["年度"] == fy and x["区分"] == section and x["科目"] == item
                )
                ws.cell(r, 3 + j, amount).number_format = "#,##0"
            r += 1
        ws.merge_cells(start_row=first, start_column=1, end_row=r - 1, end_column=1)
        ws.cell(r, 2, f"{section}合計")
        for j in range(len(years)):
            col = openpyxl.utils.get_column_letter(3 + j)
            ws.cell(r, 3 + j, f"=SUM({col}{first}:{col}{r - 1})").number_format = "#,##0"
        r += 2
    ws.cell(r, 1, "※決算統計（普通会計）とは一致しない。")
    return xlsx_bytes(wb)

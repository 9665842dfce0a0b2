"""Machine-readability rules (MIC 統一ルール 2020, Digital Agency) and detectors for breaking them.

Each rule has an id used in the manifest (`breaks:`), a Japanese label and a detector that
answers "does this file break the rule?" for a CSV or .xlsx file. The detectors are deliberately
simple: they recognise the typical ways Excel exports break a rule, as found in the
"as received" files, and stay silent on the tidy standard files.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

RULES: dict[str, str] = {
    "encoding_not_utf8": "文字コードがUTF-8でない（Shift_JIS）",
    "platform_dependent_chars": "機種依存文字（①、㈱、㍻、半角カナなど）を使っている",
    "wareki_dates": "日付・年度が和暦だけで書かれている（西暦がない）",
    "fullwidth_digits": "数字が全角で書かれている",
    "title_and_note_rows": "表題や注記の行があり、1行目が項目名になっていない",
    "multirow_header": "項目名が複数行に分かれている",
    "merged_cells": "セルが結合されている",
    "totals_row": "合計・小計の行がデータと混ざっている",
    "units_in_cells": "数値に単位や桁区切りが付いていて、数値として読めない",
    "zero_as_symbol": "0を「－」などの記号で表し、空欄（不明）と区別できない",
    "wide_layout": "横持ち（月・年度などが列に並んでいる）で、1行1レコードになっていない",
    "layout_spaces": "体裁を整えるための空白やセル内改行がある",
    "formulas": "数式が値に変換されずに残っている",
    "nonstandard_flags": "有無を「○」「×」「あり」「なし」で表している（有/無でない）",
    "nonstandard_times": "時刻が hh:mm 形式でない（「9時30分」など）",
    "ditto_marks": "「〃」「同上」で前の行の値を省略している",
}

_PLATFORM = re.compile("[\u2460-\u2473\u2160-\u217f\u3231-\u3239\u337b-\u337f\u3300-\u3357\uff61-\uff9f]")
_WAREKI = re.compile(r"(令和|平成|昭和)\s*([0-9０-９]+|元)\s*年")
_FULLWIDTH = re.compile("[０-９]")
_UNIT = re.compile(r"^\s*[0-9０-９][0-9０-９,，.．]*\s*(人|名|t|ｔ|トン|千円|円|件|台|か所|箇所|床)\s*$")
_SEPARATED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
_PERIOD = re.compile(r"^([0-9０-９]{1,2}月|.*[0-9０-９元]+年度?)$")
_CJK_SPACED = re.compile("[一-龥ぁ-んァ-ヶ][ 　]+[一-龥ぁ-んァ-ヶ0-9０-９]")
_TIME_TEXT = re.compile(r"[0-9０-９]+時(?!間)([0-9０-９]+分)?|[0-9０-９]{1,2}：[0-9０-９]{2}")
FLAG_SYMBOLS = {"○", "〇", "◯", "×", "✕", "あり", "なし", "有り", "無し"}
ZERO_SYMBOLS = {"－", "-", "―", "‐", "ー", "−"}
DITTO = {"〃", "同上", "々"}
TOTALS = {"合計", "総計", "計", "小計", "総数", "市計"}


@dataclass
class Table:
    """A CSV or .xlsx file read as raw bytes, decoded text and sheets of cell strings."""

    raw: bytes
    text: str
    sheets: list[list[list[str]]]
    merged: bool = False
    formulas: bool = False
    is_xlsx: bool = False
    encoding: str = "utf-8"
    cells: list[str] = field(default_factory=list)


def read_table(path: Path) -> Table:
    """Read a CSV (UTF-8, else cp932) or an .xlsx workbook (formulas kept as text)."""
    raw = path.read_bytes()
    if path.suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(raw))
        sheets, merged, formulas = [], False, False
        for ws in wb.worksheets:
            merged = merged or bool(ws.merged_cells.ranges)
            rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
            formulas = formulas or any(c.startswith("=") for r in rows for c in r)
            sheets.append(rows)
        text = "\n".join(",".join(r) for s in sheets for r in s)
        table = Table(raw, text, sheets, merged, formulas, True, "xlsx")
    else:
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = raw.decode("cp932"), "cp932"
        table = Table(raw, text, [list(csv.reader(io.StringIO(text)))], encoding=encoding)
    table.cells = [c for s in table.sheets for r in s for c in r]
    return table


def _nonempty(row: list[str]) -> list[str]:
    return [c for c in row if c.strip()]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.isascii()


def _spanning_header(sheet: list[list[str]]) -> bool:
    """Is the header split over two rows: gaps in the first header row filled by the row below it?"""
    start = next((i for i, r in enumerate(sheet) if len(_nonempty(r)) >= 3), None)
    if start is None or start + 1 >= len(sheet):
        return False
    header, below = sheet[start], sheet[start + 1]
    gaps = [j for j, c in enumerate(header) if not c.strip() and j < len(below)]
    return any(below[j].strip() for j in gaps) and not any(_is_number(c) for c in below)


def _first_cell(row: list[str]) -> str:
    cells = _nonempty(row)
    return re.sub(r"[ 　]", "", cells[0]) if cells else ""


DETECTORS = {
    "encoding_not_utf8": lambda t: not t.is_xlsx and t.encoding != "utf-8",
    "platform_dependent_chars": lambda t: bool(_PLATFORM.search(t.text)),
    "wareki_dates": lambda t: bool(_WAREKI.search(t.text)),
    "fullwidth_digits": lambda t: bool(_FULLWIDTH.search(t.text)),
    "title_and_note_rows": lambda t: any(
        (s and len(_nonempty(s[0])) == 1) or any(_first_cell(r).startswith(("※", "注")) for r in s) for s in t.sheets
    ),
    "multirow_header": lambda t: any(_spanning_header(s) for s in t.sheets),
    "merged_cells": lambda t: t.merged,
    "totals_row": lambda t: any(
        _first_cell(r) in TOTALS or _first_cell(r).endswith("合計") for s in t.sheets for r in s[1:]
    ),
    "units_in_cells": lambda t: any(_UNIT.match(c) or _SEPARATED.match(c) for c in t.cells),
    "zero_as_symbol": lambda t: any(c.strip() in ZERO_SYMBOLS for c in t.cells),
    "wide_layout": lambda t: any(sum(bool(_PERIOD.match(c.strip())) for c in r) >= 5 for s in t.sheets for r in s),
    "layout_spaces": lambda t: any("\n" in c or _CJK_SPACED.search(c) for c in t.cells),
    "formulas": lambda t: t.formulas,
    "nonstandard_flags": lambda t: any(c.strip() in FLAG_SYMBOLS for c in t.cells),
    "nonstandard_times": lambda t: any(_TIME_TEXT.search(c) for c in t.cells),
    "ditto_marks": lambda t: any(c.strip() in DITTO for c in t.cells),
}

# Rules that a tidy standard file must never break (the tests check every standard CSV).
CLEAN_CHECKS = [
    "encoding_not_utf8",
    "platform_dependent_chars",
    "wareki_dates",
    "fullwidth_digits",
    "title_and_note_rows",
    "multirow_header",
    "totals_row",
    "zero_as_symbol",
    "layout_spaces",
    "nonstandard_flags",
    "nonstandard_times",
    "ditto_marks",
]


def breaks(rule: str, path: Path) -> bool:
    """Does the file at `path` break the rule `rule`?"""
    return bool(DETECTORS[rule](read_table(path)))

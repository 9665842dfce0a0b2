"""The usage table as CSV for Japanese Excel: UTF-8 with a BOM (Excel then reads it as UTF-8, not Shift_JIS),
Japanese headers, CRLF line ends, one row per dataset (or per organisation).

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab/CR) gets a leading ``'`` so that a dataset title
can never run as a spreadsheet formula when the file is opened (CSV injection).
"""

from __future__ import annotations

import csv
import io
from typing import Any

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

DATASET_COLUMNS = [
    ("期間の初日", "start"),
    ("期間の最終日", "end"),
    ("データセット名", "title"),
    ("URL名", "name"),
    ("担当課", "organization_title"),
    ("公開状態", "visibility"),
    ("閲覧数", "views"),
    ("ダウンロード数", "downloads"),
    ("応えた要望の数", "requests_answered"),
]
ORGANIZATION_COLUMNS = [
    ("期間の初日", "start"),
    ("期間の最終日", "end"),
    ("担当課", "title"),
    ("URL名", "name"),
    ("データセット数", "datasets"),
    ("閲覧数", "views"),
    ("ダウンロード数", "downloads"),
    ("受け付けた要望", "requests_received"),
    ("回答した要望", "requests_answered"),
    ("未完了の要望", "requests_open"),
    ("回答までの日数（中央値）", "median_days_to_answer"),
]
USECASES = ("利活用事例の数", "usecases")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table(summary: dict[str, Any], kind: str = "datasets") -> str:
    """The CSV text (with its BOM) of ``summary`` (``Summary.as_dict()``): ``datasets`` or ``organizations``."""
    columns = list(DATASET_COLUMNS if kind == "datasets" else ORGANIZATION_COLUMNS)
    if summary.get("has_usecases"):
        columns.append(USECASES)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for header, _ in columns])
    period = {"start": summary["start"], "end": summary["end"]}
    for row in summary[kind]:
        values = {**row, **period, "visibility": "非公開" if row.get("private") else "公開"}
        writer.writerow([_cell(values.get(key)) for _, key in columns])
    return BOM + out.getvalue()

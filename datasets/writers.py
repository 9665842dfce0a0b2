"""Byte-stable writers: CSV in a chosen encoding and line ending, JSON, and reproducible .xlsx files.

openpyxl stamps the save time into docProps/core.xml and every zip entry; ``xlsx_bytes``
fixes both, and stores entries uncompressed so the bytes do not depend on the zlib build.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

FIXED_TIME = datetime(2025, 4, 1, 9, 0, 0)
_ZIP_TIME = (2025, 4, 1, 9, 0, 0)


def csv_bytes(rows: list[list], encoding: str = "utf-8", newline: str = "\n") -> bytes:
    """Rows as CSV (minimal quoting); None becomes an empty cell."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def table_bytes(columns: list[str] | tuple[str, ...], records: list[dict]) -> bytes:
    """A header row plus one row per record, UTF-8 without BOM, LF line endings."""
    for record in records:
        unknown = set(record) - set(columns)
        if unknown:
            raise KeyError(f"columns not in layout: {sorted(unknown)}")
    return csv_bytes([list(columns)] + [[r.get(c) for c in columns] for r in records])


def json_bytes(data: object) -> bytes:
    """Compact-ish, stable JSON (UTF-8, sorted by construction, one trailing newline)."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def xlsx_bytes(workbook) -> bytes:
    """Serialise an openpyxl workbook reproducibly: fixed properties, zip times and no compression."""
    from openpyxl.writer.excel import ExcelWriter

    workbook.properties.creator = "みどり野市"
    workbook.properties.lastModifiedBy = "みどり野市"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(workbook, archive).save()  # closes the archive; unlike save_workbook it keeps `modified`
    stable = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(stable, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return stable.getvalue()


def write_all(out_dir: Path, files: dict[str, bytes]) -> list[str]:
    """Write every file below out_dir (creating folders) and return the sorted relative paths."""
    for rel, data in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return sorted(files)

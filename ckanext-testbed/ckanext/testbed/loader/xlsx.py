"""Read the first worksheet of an XLSX workbook as rows of text cells (needs ``openpyxl``).

Cells are rendered as the text a trainee sees in Excel so that the same type inference as
for CSV applies: whole numbers without ``.0``, dates as ISO ``YYYY-MM-DD``, date-times as
ISO ``YYYY-MM-DDTHH:MM:SS``. Codes typed as text (``"012345"``) stay text.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal

from .messages import XLSX_BROKEN, XLSX_UNAVAILABLE, LoadError
from .tabular import RawTable, shape_rows

try:  # openpyxl is optional: without it XLSX resources are simply not loaded
    import openpyxl
except ImportError:  # pragma: no cover - depends on the environment
    openpyxl = None


def xlsx_available() -> bool:
    """Whether XLSX files can be read in this environment."""
    return openpyxl is not None


def read_xlsx(data: bytes, max_rows: int) -> RawTable:
    """Parse the first worksheet of the workbook in ``data`` into a ``RawTable``."""
    if openpyxl is None:
        raise LoadError(XLSX_UNAVAILABLE)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise LoadError(XLSX_BROKEN) from None
    try:
        return shape_rows(_numbered_rows(workbook.worksheets[0]), max_rows)
    finally:
        workbook.close()


def _numbered_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield line, [cell_text(value) for value in values]


def cell_text(value: object) -> str:
    """Render one cell value as text the CSV type inference understands."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)

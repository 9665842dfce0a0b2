"""Infer a DataStore type per column and convert cells to the text PostgreSQL's COPY accepts.

A column gets the most specific type that *every* non-blank cell fits:
``int`` (or ``int8`` / ``numeric`` when too large) < ``numeric``; ``date`` < ``timestamp``;
otherwise ``text``. Blank cells become NULL, never 0. Numbers with a leading zero such as
the 全国地方公共団体コード ``"012345"`` are codes, so their column stays ``text``. Accepted
spellings are deliberately narrow: plain decimals with optional ``1,234`` thousands separators,
ISO dates ``2024-04-01`` or Japanese-style ``2024/4/1``, and date-times with ``T`` or a space.
Exponents, full-width digits, era dates (令和6年) and time zones stay text.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable

INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1

_INT = re.compile(r"-?(?:0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)")
_DECIMAL = re.compile(r"-?(?:0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)?\.\d+|-?(?:0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)\.")
_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")
_TIMESTAMP = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?")


def to_int(cell: str) -> str | None:
    """``"1,234"`` -> ``"1234"``; ``None`` if ``cell`` is not a whole number without leading zeros."""
    return cell.replace(",", "") if _INT.fullmatch(cell) else None


def to_numeric(cell: str) -> str | None:
    """A decimal or whole number as plain digits, or ``None``."""
    if _INT.fullmatch(cell) or _DECIMAL.fullmatch(cell):
        return cell.replace(",", "")
    return None


def to_date(cell: str) -> str | None:
    """``"2024/4/1"`` -> ``"2024-04-01"``; ``None`` if not a valid calendar date."""
    match = _DATE.fullmatch(cell)
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[3]), int(match[4])).isoformat()
    except ValueError:
        return None


def to_timestamp(cell: str) -> str | None:
    """A date or date-time as ISO ``YYYY-MM-DDTHH:MM:SS[.ffffff]``, or ``None``."""
    match = _TIMESTAMP.fullmatch(cell)
    if not match:
        date = to_date(cell)
        return f"{date}T00:00:00" if date else None
    year, _sep, month, day, hour, minute, second, fraction = match.groups()
    try:
        micro = int((fraction or "0").ljust(6, "0"))
        value = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    except ValueError:
        return None
    return value.isoformat()


# Most specific first; a column takes the first type whose converter accepts every non-blank cell.
CONVERTERS: dict[str, Callable[[str], str | None]] = {
    "int": to_int,
    "numeric": to_numeric,
    "date": to_date,
    "timestamp": to_timestamp,
}


def infer_types(rows: list[list[str]], width: int) -> list[str]:
    """Return one DataStore type name per column of ``rows``."""
    return [_infer_column(row[index] for row in rows) for index in range(width)]


def _infer_column(cells: Iterable[str]) -> str:
    candidates = list(CONVERTERS)
    largest = 0
    seen = False
    for cell in cells:
        if not cell:
            continue
        seen = True
        candidates = [name for name in candidates if CONVERTERS[name](cell) is not None]
        if not candidates:
            return "text"
        if candidates[0] == "int":
            largest = max(largest, abs(int(cell.replace(",", ""))))
    if not seen:
        return "text"
    if candidates[0] == "int" and largest > INT4_MAX:
        return "int8" if largest <= INT8_MAX else "numeric"
    return candidates[0]


def convert_rows(rows: list[list[str]], types: list[str]) -> Iterable[list[str | None]]:
    """Yield each row with blanks as ``None`` and typed cells normalised for PostgreSQL."""
    converters = [CONVERTERS.get("numeric" if kind == "int8" else kind) for kind in types]
    for row in rows:
        yield [_convert_cell(cell, convert) for cell, convert in zip(row, converters, strict=True)]


def _convert_cell(cell: str, convert: Callable[[str], str | None] | None) -> str | None:
    if not cell:
        return None
    return convert(cell) if convert else cell

"""Shape rows of cells into a rectangular table: header row, data rows, notices.

Shared by the CSV/TSV reader below and the XLSX reader. Rules, chosen to be predictable for
trainees: the first non-blank row is the header; trailing blank header cells are dropped;
blank rows are skipped; short rows are padded with blanks; a row with a non-blank cell beyond
the header is an error (usually an unquoted comma such as ``1,234``); cells are stripped of
surrounding whitespace.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from .messages import (
    CSV_SYNTAX,
    CSV_TEXT_AFTER_QUOTE,
    CSV_UNCLOSED_QUOTE,
    EMPTY_FILE,
    NOTICE_BLANK_ROWS,
    NOTICE_SHORT_ROWS,
    TOO_MANY_CELLS,
    TOO_MANY_ROWS,
    LoadError,
)


@dataclass
class RawTable:
    """Header cells and data rows (each exactly ``len(header)`` stripped strings)."""

    header: list[str]
    rows: list[list[str]]
    notices: list[str] = field(default_factory=list)


def read_delimited(text: str, delimiter: str, max_rows: int) -> RawTable:
    """Parse CSV (``delimiter=","``) or TSV (``"\\t"``) text into a ``RawTable``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def numbered() -> Iterable[tuple[int, list[str]]]:
        while True:
            first_line = reader.line_num + 1  # a quoted cell may span several lines
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise LoadError(CSV_SYNTAX.format(line=first_line, detail=_explain(exc))) from None
            yield first_line, cells

    return shape_rows(numbered(), max_rows)


def _explain(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text:
        return CSV_UNCLOSED_QUOTE
    if "expected after" in text:
        return CSV_TEXT_AFTER_QUOTE
    return text


def shape_rows(numbered_rows: Iterable[tuple[int, list[str]]], max_rows: int) -> RawTable:
    """Build a ``RawTable`` from ``(line_number, cells)`` pairs; see the module docstring."""
    header: list[str] | None = None
    rows: list[list[str]] = []
    blank_rows = short_rows = 0
    for line, raw_cells in numbered_rows:
        cells = [cell.strip() for cell in raw_cells]
        if not any(cells):
            blank_rows += header is not None
            continue
        if header is None:
            header = _without_trailing_blanks(cells)
            continue
        width = len(header)
        if len(cells) > width:
            if any(cells[width:]):
                raise LoadError(TOO_MANY_CELLS.format(line=line, cells=_last_filled(cells), columns=width))
            cells = cells[:width]
        elif len(cells) < width:
            short_rows += 1
            cells = cells + [""] * (width - len(cells))
        if len(rows) >= max_rows:
            raise LoadError(TOO_MANY_ROWS.format(limit=max_rows))
        rows.append(cells)
    if header is None:
        raise LoadError(EMPTY_FILE)
    notices = []
    if short_rows:
        notices.append(NOTICE_SHORT_ROWS.format(count=short_rows))
    if blank_rows:
        notices.append(NOTICE_BLANK_ROWS.format(count=blank_rows))
    return RawTable(header=header, rows=rows, notices=notices)


def _without_trailing_blanks(cells: list[str]) -> list[str]:
    return cells[: _last_filled(cells)]


def _last_filled(cells: list[str]) -> int:
    """1-based position of the last non-blank cell (0 if all blank)."""
    return max((i for i, cell in enumerate(cells, start=1) if cell), default=0)

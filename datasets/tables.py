"""Parse the pipe-separated text tables that hold the invented names and descriptions.

Japanese tables are kept as text blocks (one row per line, cells joined by "|") so that they
stay readable and within the line length; numbers are converted where a column asks for it.
"""

from __future__ import annotations


def parse(text: str, ints: tuple[int, ...] = ()) -> list[tuple]:
    """Rows of a "|"-separated block; the cells at the indexes in `ints` become integers (or None if empty)."""
    rows = []
    for line in text.strip().splitlines():
        cells: list = line.strip().split("|")
        for i in ints:
            cells[i] = int(cells[i]) if cells[i] else None
        rows.append(tuple(cells))
    return rows

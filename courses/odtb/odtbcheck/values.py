"""Comparing a trainee's answer by value: numpy numbers count as numbers, row order does not matter."""

from __future__ import annotations

import numbers
from typing import Any


def is_number(x: Any) -> bool:
    """True for Python and numpy numbers (not bool, not text)."""
    return isinstance(x, numbers.Number) and not isinstance(x, bool) and not hasattr(x, "__len__")


def as_number(x: Any) -> float | None:
    """The value as a float when it is a single number (numpy scalars included), else None."""
    if not is_number(x):
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def names_of(table: Any, column: str) -> list[str] | None:
    """The values of ``column`` of a DataFrame as sorted strings (row order and index ignored), or None."""
    try:
        return sorted(str(v) for v in table[column].tolist())
    except Exception:  # noqa: BLE001 - not a table, or no such column
        return None

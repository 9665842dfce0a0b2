"""Solr date values in range filters: ISO 8601 dates and ``NOW`` date math.

Examples: ``2026-04-01``, ``2026-04-01T09:00:00Z``, ``NOW``, ``NOW-7DAYS``,
``NOW/DAY``, ``NOW-1MONTH/DAY``. Results are naive UTC datetimes, like the
``metadata_modified`` column CKAN writes.
"""

from __future__ import annotations

import datetime as dt
import re

from .syntax import QuerySyntaxError

_STEP = re.compile(r"([+-])(\d+)(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND|MILLI)S?")
_ROUND = re.compile(r"/(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?$")
_UNITS = {
    "DAY": dt.timedelta(days=1),
    "HOUR": dt.timedelta(hours=1),
    "MINUTE": dt.timedelta(minutes=1),
    "SECOND": dt.timedelta(seconds=1),
    "MILLI": dt.timedelta(milliseconds=1),
}


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
    return moment.replace(year=year, month=month, day=day)


def _round_down(moment: dt.datetime, unit: str) -> dt.datetime:
    fields = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"]
    keep = fields.index(unit)
    reset = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
    names = ["month", "day", "hour", "minute", "second"]
    return moment.replace(**{name: reset[name] for name in names[keep:]}, microsecond=0)


def _parse_iso(value: str) -> dt.datetime:
    text = value.strip().rstrip("Z")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise QuerySyntaxError(f"not a date: {value!r}") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def parse_date(value: str, now: dt.datetime | None = None) -> dt.datetime:
    """Turn a Solr date expression into a naive UTC datetime."""
    if not value.startswith("NOW"):
        return _parse_iso(value)
    moment = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rest = value[3:]
    rounding = _ROUND.search(rest)
    if rounding:
        rest = rest[: rounding.start()]
    position = 0
    for step in _STEP.finditer(rest):
        if step.start() != position:
            break
        sign = 1 if step.group(1) == "+" else -1
        amount, unit = sign * int(step.group(2)), step.group(3)
        if unit in ("YEAR", "MONTH"):
            moment = _add_months(moment, amount * (12 if unit == "YEAR" else 1))
        else:
            moment = moment + amount * _UNITS[unit]
        position = step.end()
    if position != len(rest):
        raise QuerySyntaxError(f"unsupported date math: {value!r}")
    if rounding:
        moment = _round_down(moment, rounding.group(1))
    return moment

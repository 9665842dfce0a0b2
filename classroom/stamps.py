"""nbgrader's submission timestamps, read whatever zone they carry (pure, unit-tested).

nbgrader writes ``2026-12-06 09:47:00.123456 UTC`` (its exchange's ``timezone``, UTC by default, formatted with
``%Z``) into the inbound folder's name; the same instant written in Japan time reads ``... 18:47:00.123456 JST``.
Text order is not time order across zones, so the latest submission is chosen by ``sort_key``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from classroom import deadlines

# abbreviations ``%Z`` may write besides UTC/GMT and JST, which deadlines.parse_submission_time reads
_ABBREVIATIONS = {"KST": 9, "CST": -6, "EST": -5, "EDT": -4, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "BST": 1}
_NAMED_ZONE = re.compile(r"^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+([A-Za-z][A-Za-z_/+-]*)$")
_KNOWN = ("UTC", "GMT", "Z", "JST")


def parse(text: str | None) -> datetime | None:
    """An aware datetime: ``... UTC``, ``... JST``, an offset (``+0900``), an IANA name, a common abbreviation; no
    zone means Japan time (trainees' servers run in it). None when unreadable or the zone cannot be placed (no
    time is better than a wrong one)."""
    m = _NAMED_ZONE.match((text or "").strip())
    if m and m[2].upper() not in _KNOWN:
        try:
            base = datetime.fromisoformat(m[1])
        except ValueError:
            return None
        if m[2].upper() in _ABBREVIATIONS:
            return base.replace(tzinfo=timezone(timedelta(hours=_ABBREVIATIONS[m[2].upper()])))
        try:
            return base.replace(tzinfo=ZoneInfo(m[2]))
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return deadlines.parse_submission_time(text)


def sort_key(text: str) -> tuple[int, str]:
    """Orders timestamps by the instant they name (unreadable ones first, by text)."""
    at = parse(text)
    return (1, at.astimezone(deadlines.JST).isoformat()) if at else (0, text)


def later(a: str, b: str) -> bool:
    """Is timestamp ``a`` later than ``b``? Text order when both carry the same zone (the usual case, cheap)."""
    zone_a, zone_b = a.rpartition(" ")[2], b.rpartition(" ")[2]
    if zone_a == zone_b and zone_a[:1].isalpha():
        return a > b
    return sort_key(a) > sort_key(b)

"""Japan time: the one zone every time a person reads is shown in (stored times stay aware or UTC).

The zone's name is spelled here only; processes that need it in their environment (``TZ``), nbgrader's
``Exchange.timezone`` and CKAN's ``ckan.display_timezone`` take it from ``ZONE_NAME``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ZONE_NAME = "Asia/Tokyo"
JST = ZoneInfo(ZONE_NAME)
_WEEKDAYS = "月火水木金土日"


def now() -> datetime:
    """The current time, aware, in Japan time."""
    return datetime.now(JST)


def to_japan(at: datetime) -> datetime:
    """``at`` in Japan time; a naive datetime is taken as UTC (how nbgrader's gradebook stores times)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(JST)


def parse_utc_text(text: str | None) -> datetime | None:
    """An ISO 8601 time (naive = UTC, as nbgrader stores them) in Japan time; None when unreadable."""
    if not text:
        return None
    try:
        return to_japan(datetime.fromisoformat(str(text).strip()))
    except ValueError:
        return None


def stamp(at: datetime, *, seconds: bool = True) -> str:
    """``2026-12-06 18:47:05`` in Japan time (for tables and exports)."""
    return to_japan(at).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def japanese(at: datetime) -> str:
    """``2026年12月6日(日) 18:47`` in Japan time (for sentences people read)."""
    d = to_japan(at)
    return f"{d.year}年{d.month}月{d.day}日({_WEEKDAYS[d.weekday()]}) {d:%H:%M}"

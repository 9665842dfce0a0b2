"""Views or downloads per calendar day, counted from ``tracking_raw`` the way CKAN's summary counts them.

CKAN's ``ckan tracking update`` counts, per URL and day, the distinct visitors (``user_key``) and dates the
day by ``access_timestamp`` as stored: the naive local time of the CKAN process that wrote it (UTC on this
stack). A day a person reads is a day in Japan time, so the query here converts each time from the zone it
was recorded in to the display zone before dating it, and counts distinct (day, visitor, target) triples:
a visitor who opens a dataset's page five times in a day is one view, as in CKAN's totals; one who
downloads two of its files is two downloads.

Targets: for views, the dataset's URL name or id in ``/dataset/<name>`` (with or without a language prefix
such as ``/ja``, as CKAN's own matching allows); for downloads, the resources' URLs. Days with nothing
come back as 0, so a series can be plotted and averaged as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PAGE_TARGET = r"(regexp_match(url, '^(?:/[A-Za-z]{2}(?:[_-][A-Za-z]+)*)?/dataset/([^/?#]+)/?$'))[1]"

_QUERY = """
SELECT day, count(*) AS n FROM (
    SELECT DISTINCT
        ((access_timestamp AT TIME ZONE :recorded) AT TIME ZONE :display)::date AS day,
        user_key,
        {target} AS target
    FROM tracking_raw
    WHERE tracking_type = :tracking_type
      AND access_timestamp >= :since AND access_timestamp < :until
) AS hits
WHERE target = ANY(:targets) AND day BETWEEN :start AND :end
GROUP BY day
"""
VIEWS = _QUERY.format(target=PAGE_TARGET)
DOWNLOADS = _QUERY.format(target="url")


@dataclass(frozen=True)
class Period:
    """Calendar days ``start``..``end`` (both included) in ``display`` zone; times recorded in ``recorded``."""

    start: date
    end: date
    display: str
    recorded: str

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def recorded_bounds(self) -> tuple[datetime, datetime]:
        """The period as naive times in the recorded zone (for the index on ``access_timestamp``)."""
        shown, stored = ZoneInfo(self.display), ZoneInfo(self.recorded)
        first = datetime.combine(self.start, time(), shown)
        after = datetime.combine(self.end + timedelta(days=1), time(), shown)
        return first.astimezone(stored).replace(tzinfo=None), after.astimezone(stored).replace(tzinfo=None)


def page_targets(datasets: Iterable[dict]) -> list[str]:
    """What a dataset page's URL may name: its URL name and its id."""
    return sorted({str(d[k]) for d in datasets for k in ("name", "id") if d.get(k)})


def resource_targets(datasets: Iterable[dict]) -> list[str]:
    """The URLs a download of a dataset's resources is recorded under."""
    return sorted({str(r["url"]) for d in datasets for r in d.get("resources") or [] if r.get("url")})


def fill(period: Period, counts: dict[date, int]) -> list[dict]:
    """One row per day of the period, ``{"date": "2026-09-01", "count": 3}``, 0 where nothing was counted."""
    return [{"date": day.isoformat(), "count": int(counts.get(day, 0))} for day in period.days()]


def counts(session, *, kind: str, targets: list[str], period: Period) -> dict[date, int]:
    """{day: views or downloads} for ``targets`` (``page_targets`` or ``resource_targets``) in ``period``."""
    from sqlalchemy import text  # CKAN's venv (this module's pure parts are tested without it)

    if not targets:
        return {}
    since, until = period.recorded_bounds()
    statement = text(VIEWS if kind == "page" else DOWNLOADS)
    params = {
        "recorded": period.recorded,
        "display": period.display,
        "tracking_type": kind,
        "since": since,
        "until": until,
        "targets": targets,
        "start": period.start,
        "end": period.end,
    }
    return {day: n for day, n in session.execute(statement, params)}

"""Fictional usage history of the sample catalogue, for the 利活用の見える化 lessons (module 6).

CKAN's ``tracking`` plugin counts page views of datasets and downloads of resources as visitors use
the catalogue; a training catalogue that was only just seeded has none, so its usage dashboard
would be empty. This module makes ``DAYS`` days of plausible, clearly fictional visits before the
seed date: each public dataset has a base popularity (disaster-prevention and population data are
looked at most, the "as received" teaching files least), weekdays are busier than weekends, one
in four visitors also downloads a resource, and an evacuation drill week brings a spike to the
disaster-prevention datasets. Visitor keys start with ``seed-`` so they are told apart from real
visits. The same seed date gives the same rows (fixed random seed).

The rows go into CKAN's ``tracking_raw`` table (testbed_cli/ckan.py ensure_usage), and
``ckan tracking update`` turns them into the ``tracking_summary`` that package_show and the
search's ``views_recent`` sort read.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from testbed_config.japan_time import JST

DAYS = 90
SEED = 992011  # the fictional city's code
KEY_PREFIX = "seed-"

# Base views per weekday by a keyword of the dataset name (first match), else DEFAULT_RATE.
RATES = [
    ("as-received", 0.6),
    ("evacuation", 14.0),
    ("aed", 11.0),
    ("population", 12.0),
    ("childcare", 9.0),
    ("tourist", 8.0),
    ("events", 7.0),
    ("medical", 6.5),
    ("public-facilities", 6.0),
    ("toilets", 4.0),
    ("care-service", 4.5),
    ("waste", 3.5),
    ("finance", 2.5),
    ("districts", 3.0),
]
DEFAULT_RATE = 3.0
DRILL_KEYWORDS = ("evacuation", "aed")  # 防災 datasets during the drill week
DOWNLOAD_SHARE = 0.25


@dataclass(frozen=True)
class Visit:
    user_key: str
    url: str
    tracking_type: str  # "page" or "resource", as CKAN's tracking.js sends them
    at: datetime  # naive, Japan time (the hours a person in the city visits)


def rate(name: str) -> float:
    return next((r for key, r in RATES if key in name), DEFAULT_RATE)


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method: fine for the small rates here."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def visits(datasets: list[dict], until: date, days: int = DAYS) -> list[Visit]:
    """Page views (``/dataset/<name>``) and resource downloads (the resource's URL) of ``datasets``
    (dicts with ``name`` and ``resource_urls``) on the ``days`` days before ``until``."""
    rng = random.Random(f"{SEED}:{until.isoformat()}")
    drill = until - timedelta(days=days // 3)  # a drill week a month before the seed date
    out: list[Visit] = []
    for ds in sorted(datasets, key=lambda d: d["name"]):
        base = rate(ds["name"])
        urls = list(ds.get("resource_urls") or [])
        for offset in range(days, 0, -1):
            day = until - timedelta(days=offset)
            lam = base * (1.0 if day.weekday() < 5 else 0.35)
            if any(k in ds["name"] for k in DRILL_KEYWORDS) and drill <= day < drill + timedelta(days=7):
                lam *= 4
            for _ in range(_poisson(rng, lam)):
                visitor = f"{KEY_PREFIX}{rng.randrange(10**9):09d}"
                at = datetime.combine(day, datetime.min.time()) + timedelta(
                    hours=rng.choice((9, 10, 11, 13, 14, 15, 16, 20, 21)), minutes=rng.randrange(60)
                )
                out.append(Visit(visitor, f"/dataset/{ds['name']}", "page", at))
                if urls and rng.random() < DOWNLOAD_SHARE:
                    out.append(
                        Visit(visitor, rng.choice(urls), "resource", at + timedelta(seconds=rng.randrange(30, 300)))
                    )
    return out


def copy_text(rows: list[Visit]) -> str:
    """``COPY tracking_raw (user_key, url, tracking_type, access_timestamp) FROM STDIN`` data (text format).

    ``access_timestamp`` as CKAN's tracking middleware writes it: the naive local time of the CKAN process,
    UTC here (``ckanext.testbed.usage.recorded_timezone``), so a visit at 09:00 Japan time is stored as 00:00."""

    def esc(v: str) -> str:
        return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    def stored(at: datetime) -> str:
        return at.replace(tzinfo=JST).astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")

    return "".join(f"{esc(v.user_key)}\t{esc(v.url)}\t{v.tracking_type}\t{stored(v.at)}\n" for v in rows)

"""The raw figures of the usage summary, each one SQL query over CKAN's and this extension's tables.

- ``readable_datasets``: the active datasets a caller may read, by CKAN's own permission labels (the rule
  package_search applies: public, or ``member-<org>``, ``creator-<user>``, ``collaborator-<dataset>`` among the
  caller's labels), with their organisation. Trainees' sandboxes are left out unless asked for.
- ``usage``: views and downloads, distinct visitors per dataset and Japan-time day from ``tracking_raw``,
  counted as ``daily.py`` counts them (so one dataset's figure equals ``testbed_usage_daily``'s total); downloads
  of uploaded files are matched by their resource id, whatever host name the visitor used.
- ``requests_by_org`` / ``answered_by_dataset``: data requests received, answered and open, with the median
  days to answer, per organisation and overall (one query with grouping sets).
- ``usecases_by_dataset``: use cases (利活用事例) per dataset, only when that table exists (``None`` otherwise).

Nothing here decides who may see what beyond the labels and organisation lists passed in (``summary.py`` does).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from . import daily

DOWNLOAD_PATH = re.compile(r"/dataset/[^/]+/resource/([0-9a-f-]{36})/download(?:/|$)")


class Dataset(NamedTuple):  # a tuple: a thousand of them are made per call, ~4 ms as a frozen dataclass
    id: str
    name: str
    title: str
    private: bool
    org_id: str | None
    org_name: str | None
    org_title: str | None


def _text(sql: str):
    from sqlalchemy import text  # CKAN's venv

    return text(sql)


_DATASETS = """
SELECT p.id, p.name, coalesce(nullif(p.title, ''), p.name), p.private, p.owner_org, g.name,
       coalesce(nullif(g.title, ''), g.name)
FROM package p
LEFT JOIN "group" g ON g.id = p.owner_org
WHERE p.state = 'active' AND p.type = 'dataset'
  AND (:everything OR NOT p.private
       OR ('member-' || p.owner_org) = ANY(:labels)
       OR (p.owner_org IS NULL AND ('creator-' || p.creator_user_id) = ANY(:labels))
       OR ('collaborator-' || p.id) = ANY(:labels))
  AND (:practice OR g.name IS NULL OR NOT starts_with(g.name, :prefix))
  AND (CAST(:org AS text) IS NULL OR p.owner_org = :org)
"""


class Named(NamedTuple):
    id: str
    name: str


_ALL = "SELECT id, name FROM package WHERE state = 'active' AND type = 'dataset'"


def all_datasets(session) -> list[Named]:
    """Every active dataset's id and URL name (what ``usage`` matches visits against), sandboxes' too."""
    return [Named(*row) for row in session.execute(_text(_ALL))]


def readable_datasets(
    session, *, labels: list[str], everything: bool, practice: bool, prefix: str, org: str | None
) -> list[Dataset]:
    """Datasets readable with ``labels`` (or all, for sysadmins), sandboxes' only if ``practice``."""
    params = {"labels": labels, "everything": everything, "practice": practice, "prefix": prefix, "org": org}
    return [Dataset(*row) for row in session.execute(_text(_DATASETS), params)]


PAGE_PATH = re.compile(r"^(?:/[A-Za-z]{2}(?:[_-][A-Za-z]+)*)?/dataset/([^/?#]+)/?$")  # daily.PAGE_TARGET in Python

# Two passes over the period's rows: the distinct URLs (few), matched to datasets here in Python; then distinct
# visitors per matched target and day, counted in SQL. Matching each of tens of thousands of rows with a regular
# expression in SQL (as daily.py does for one dataset) took ~0.5 s at 50,000 visits.
_URLS = """
SELECT DISTINCT tracking_type, url FROM tracking_raw
WHERE tracking_type IN ('page', 'resource') AND access_timestamp >= :since AND access_timestamp < :until
"""
_COUNTS = """
SELECT target, array_agg(day - CAST(:start AS date)), array_agg(n) FROM (
    SELECT target, day, count(*) AS n FROM (
        SELECT DISTINCT m.target, {day} AS day, r.user_key COLLATE "C" AS visitor
        FROM tracking_raw r
        JOIN unnest(CAST(:kinds AS text[]), CAST(:urls AS text[]), CAST(:targets AS int[])) AS m(kind, url, target)
          ON r.tracking_type = m.kind AND r.url = m.url
        WHERE r.access_timestamp >= :since AND r.access_timestamp < :until
    ) AS hits
    GROUP BY target, day
) AS per_day
GROUP BY target
"""  # one row per target with its days (as offsets from the start) and counts: far fewer rows to read
ZONED_DAY = "((r.access_timestamp AT TIME ZONE :recorded) AT TIME ZONE :display)::date"
SHIFTED_DAY = "(r.access_timestamp + CAST(:shift AS interval))::date"  # same day, without a zone lookup per row

PerDay = dict[str, dict[date, int]]  # dataset id -> {day: count}


def _shift(period: daily.Period) -> timedelta | None:
    """The display zone's lead over the recorded zone if it is the same all through the period (no DST change)."""
    shown, stored = ZoneInfo(period.display), ZoneInfo(period.recorded)
    leads = set()
    for day in [*period.days(), period.end + timedelta(days=1)]:
        moment = datetime.combine(day, time(), stored)
        leads.add(moment.astimezone(shown).utcoffset() - moment.utcoffset())
    return leads.pop() if len(leads) == 1 else None


def usage(session, period: daily.Period, datasets: list[Dataset] | list[Named]) -> tuple[PerDay, PerDay]:
    """(views, downloads) per dataset id and day, each counted as ``testbed_usage_daily`` counts them: distinct
    visitors per day of a dataset's page (``/dataset/<name or id>``, any language prefix); of each of its files
    (a link's URL, or an upload's download path under any host name)."""
    from sqlalchemy import text  # CKAN's venv

    since, until = period.recorded_bounds()
    by_page = {key: d.id for d in datasets for key in (d.name, d.id)}
    by_url: dict[str, tuple[str, str]] = {}
    by_resource: dict[str, tuple[str, str]] = {}
    wanted = {d.id for d in datasets}
    resources = session.execute(text(_RESOURCES)) if datasets else []
    for resource_id, package_id, url, url_type in resources:
        if package_id not in wanted:
            continue
        if url_type == "upload":
            by_resource[resource_id] = (resource_id, package_id)
        elif url:
            by_url[url] = (url, package_id)
    kinds, urls, targets = [], [], []
    numbers: dict[tuple[str, str], int] = {}  # (kind, dataset id or file) -> a small number for SQL to sort by
    owners: list[tuple[str, str]] = []  # number -> (kind, dataset id)
    for kind, url in session.execute(text(_URLS), {"since": since, "until": until}):
        if kind == "page":
            match = PAGE_PATH.match(url)
            found = (match.group(1), by_page.get(match.group(1))) if match else None
        else:
            found = by_url.get(url)
            if found is None and (match := DOWNLOAD_PATH.search(url)):
                found = by_resource.get(match.group(1))
        if not found or not found[1]:
            continue
        key = (kind, found[1] if kind == "page" else found[0])  # a page counts per dataset, a download per file
        if key not in numbers:
            numbers[key] = len(owners)
            owners.append((kind, found[1]))
        kinds.append(kind)
        urls.append(url)
        targets.append(numbers[key])
    views: PerDay = defaultdict(lambda: defaultdict(int))
    downloads: PerDay = defaultdict(lambda: defaultdict(int))
    if not urls:
        return views, downloads
    shift = _shift(period)
    params = {
        "kinds": kinds,
        "urls": urls,
        "targets": targets,
        "since": since,
        "until": until,
        "start": period.start,
        "end": period.end,
        "recorded": period.recorded,
        "display": period.display,
        "shift": f"{int(shift.total_seconds()) if shift is not None else 0} seconds",
    }
    statement = text(_COUNTS.format(day=SHIFTED_DAY if shift is not None else ZONED_DAY))
    days = period.days()
    for number, offsets, counts in session.execute(statement, params):
        kind, dataset_id = owners[number]
        found = (views if kind == "page" else downloads)[dataset_id]
        for offset, n in zip(offsets, counts, strict=True):
            found[days[offset]] += n
    return views, downloads


# Every active dataset's files, the unwanted left out in Python: ``package_id = ANY(:ids)`` with a thousand ids
# compares each row with each id (~5 ms at a thousand datasets; this ~2 ms).
_RESOURCES = """
SELECT r.id, r.package_id, r.url, r.url_type FROM resource r JOIN package p ON p.id = r.package_id
WHERE r.state = 'active' AND p.state = 'active' AND p.type = 'dataset'
"""

# What ``usage`` reads, in a few numbers per day: the visits (how many, the latest, a sum of their hashes) and
# what they are matched against (every dataset's id and URL name, every file's URL). Equal stamps: equal counts.
_DAY_STAMPS = """
SELECT {day} AS day, count(*), max(r.access_timestamp),
       sum(hashtext(r.tracking_type || ' ' || r.url || ' ' || r.user_key))
FROM tracking_raw r
WHERE r.tracking_type IN ('page', 'resource') AND r.access_timestamp >= :since AND r.access_timestamp < :until
GROUP BY 1
"""
# (a sum of hashes, like the visits' above: ~1 ms at a thousand datasets, where an md5 of them all sorted took ~4 ms)
_MATCHED = """
SELECT
  (SELECT count(*) || ' ' || coalesce(sum(hashtext(id || ' ' || name)), 0)
   FROM package WHERE state = 'active' AND type = 'dataset'),
  (SELECT count(*) || ' ' || coalesce(sum(hashtext(
            r.id || ' ' || r.package_id || ' ' || coalesce(r.url, '') || ' ' || coalesce(r.url_type, ''))), 0)
   FROM resource r JOIN package p ON p.id = r.package_id
   WHERE r.state = 'active' AND p.state = 'active' AND p.type = 'dataset')
"""


def day_stamps(session, period: daily.Period) -> dict[date, tuple]:
    """{day: stamp} for every day of ``period``: a stamp changes when a visit of that day is added, removed or
    changed, or when a dataset's name or a file's URL changes (what ``usage`` of every dataset matches against).
    Read before counting, a stamp that still matches later means the day's counts are still right."""
    from sqlalchemy import text  # CKAN's venv

    matched = tuple(session.execute(text(_MATCHED)).one())
    since, until = period.recorded_bounds()
    shift = _shift(period)
    params = {
        "since": since,
        "until": until,
        "recorded": period.recorded,
        "display": period.display,
        "shift": f"{int(shift.total_seconds()) if shift is not None else 0} seconds",
    }
    statement = text(_DAY_STAMPS.format(day=SHIFTED_DAY if shift is not None else ZONED_DAY))
    found = {day: (n, latest, hashed) for day, n, latest, hashed in session.execute(statement, params)}
    return {day: (matched, found.get(day)) for day in period.days()}


@dataclass
class RequestFigures:
    received: int = 0
    answered: int = 0
    open: int = 0
    median_days: float | None = None


# Requests routed to a hidden organisation are left out: those named in :hidden, and every organisation whose
# name starts with :hidden_prefix (trainees' sandboxes, deleted ones too: thousands after a few courses).
_NOT_HIDDEN = """(organization_id IS NULL OR NOT (organization_id = ANY(:hidden) OR organization_id IN (
      SELECT id FROM "group"
      WHERE is_organization AND CAST(:hidden_prefix AS text) IS NOT NULL AND starts_with(name, :hidden_prefix))))"""

# Open = filed before the period's end and not closed by then (today's open requests for a period ending today).
_REQUESTS = f"""
SELECT GROUPING(organization_id) AS overall, organization_id,
       count(*) FILTER (WHERE created >= :since AND created < :until),
       count(*) FILTER (WHERE closed_at >= :since AND closed_at < :until),
       count(*) FILTER (WHERE created < :until AND (closed_at IS NULL OR closed_at >= :until)),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - created) / 86400.0)
           FILTER (WHERE closed_at >= :since AND closed_at < :until)
FROM testbed_request
WHERE (CAST(:orgs AS text[]) IS NULL OR organization_id = ANY(:orgs))
  AND {_NOT_HIDDEN}
GROUP BY GROUPING SETS ((organization_id), ())
"""


def requests_by_org(
    session,
    *,
    since: datetime,
    until: datetime,
    orgs: list[str] | None,
    hidden: list[str],
    hidden_prefix: str | None = None,
) -> tuple[dict[str | None, RequestFigures], RequestFigures]:
    """({organisation id or None (not yet routed): figures}, overall) for requests of ``orgs`` (None: all),
    leaving out those routed to ``hidden`` organisations or to any whose name starts with ``hidden_prefix``
    (training copies the caller is not part of; sandboxes)."""
    params = {"since": since, "until": until, "orgs": orgs, "hidden": hidden, "hidden_prefix": hidden_prefix}
    per_org: dict[str | None, RequestFigures] = {}
    overall = RequestFigures()
    for grouped, org_id, received, answered, still_open, median in session.execute(_text(_REQUESTS), params):
        figures = RequestFigures(received, answered, still_open, None if median is None else round(float(median), 1))
        if grouped:
            overall = figures
        else:
            per_org[org_id] = figures
    return per_org, overall


# Every dataset's, the unwanted left out in Python (``dataset_id = ANY(:ids)`` with a thousand ids: ~10 ms, ~3 ms)
_ANSWERED = f"""
SELECT dataset_id, count(*) FROM testbed_request
WHERE status = 'closed' AND resolution IN ('published', 'partial') AND dataset_id IS NOT NULL
  AND closed_at >= :since AND closed_at < :until
  AND {_NOT_HIDDEN}
GROUP BY dataset_id
"""


def answered_by_dataset(
    session, *, ids: list[str], since: datetime, until: datetime, hidden: list[str], hidden_prefix: str | None = None
) -> dict:
    """{dataset id: requests closed as 公開済み/一部対応 with it in the period} (hidden as ``requests_by_org``)."""
    params = {"since": since, "until": until, "hidden": hidden, "hidden_prefix": hidden_prefix}
    wanted = set(ids)
    return {dataset_id: n for dataset_id, n in session.execute(_text(_ANSWERED), params) if dataset_id in wanted}


_HAS_USECASES = "SELECT to_regclass('testbed_usecase_dataset') IS NOT NULL"
_USECASES = "SELECT package_id, usecase_id FROM testbed_usecase_dataset"  # the unwanted left out in Python


def usecases_by_dataset(session, ids: list[str]) -> dict[str, set[str]] | None:
    """{dataset id: ids of the use cases (利活用事例) that name it}, or None while the use-case table does not exist.

    The use cases are another part of this extension (``usecases/``, table ``testbed_usecase_dataset`` from its
    migration); a catalogue not yet migrated to it simply has no use-case column. Ids, not counts, so that a use
    case of two datasets of one organisation counts once for it.
    """
    if not session.execute(_text(_HAS_USECASES)).scalar():
        return None
    found: dict[str, set[str]] = defaultdict(set)
    wanted = set(ids)
    for package_id, usecase_id in session.execute(_text(_USECASES)):
        if package_id in wanted:
            found[package_id].add(usecase_id)
    return found

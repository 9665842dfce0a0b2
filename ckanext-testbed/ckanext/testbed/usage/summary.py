"""The usage summary (利活用の見える化): views, downloads, requests and use cases per dataset and organisation.

One ``Summary`` is built per call from a handful of queries (``figures.py``), never one query per dataset, so
the page stays fast at a thousand datasets. Who sees what:

- datasets: those the caller may read, by CKAN's permission labels (private ones only for their
  organisation's members and sysadmins, as package_search and ``testbed_usage_daily``);
- trainees' sandboxes (and requests routed to them, the training copies) only when the summary is asked for
  that sandbox; their requests then only for its members, coordinators and sysadmins;
- requests: counted per organisation (received in the period, answered (closed) in the period, open at its
  end, median days from filing to closing); a dataset's figure is the requests closed with it as
  公開済み/一部対応 in the period.

The action (``logic.py``), the page and the CSV (``views.py``) all read the same ``Summary``.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import get_permission_labels

from .. import practice
from ..requests import roles
from ..search import fields
from . import cache, daily, figures

CACHE_OPTION = "ckanext.testbed.usage.cache_seconds"
# dataset id -> (first, counts): its counts from the period's day number ``first`` to its last day with a count
# (0 where none); days before and after are 0. A year's period of a dataset seen only lately stays short.
Series = dict[str, tuple[int, list[int]]]
RANKED = 5
UNROUTED = "担当課未定（調整役が確認中）"


@dataclass
class Summary:
    """Figures of one period; ``datasets`` and ``organizations`` are rows ready for JSON, the page and CSV."""

    period: daily.Period
    datasets: list[dict[str, Any]]
    organizations: list[dict[str, Any]]
    totals: dict[str, Any]
    rankings: dict[str, list[dict[str, Any]]]
    has_usecases: bool
    views: Series = field(repr=False)
    downloads: Series = field(repr=False)

    def series(self, ids: list[str], kind: str = "views") -> list[int]:
        """Per-day counts (views or downloads) of these datasets added up, one value per day of the period."""
        found = self.views if kind == "views" else self.downloads
        values = [0] * ((self.period.end - self.period.start).days + 1)
        for dataset_id in ids:
            if (kept := found.get(dataset_id)) is not None:
                first, row = kept
                last = first + len(row)
                values[first:last] = map(operator.add, values[first:last], row)
        return values

    def as_dict(self, with_days: bool = False) -> dict[str, Any]:
        """The action's answer; ``with_days`` adds each dataset's per-day views and downloads."""
        days = [d.isoformat() for d in self.period.days()]
        all_ids = [d["id"] for d in self.datasets]
        organizations = [
            {**{k: v for k, v in row.items() if k != "dataset_ids"}, "views_by_day": self.series(row["dataset_ids"])}
            for row in self.organizations
        ]
        datasets = [
            {**row, "views_by_day": self.series([row["id"]]), "downloads_by_day": self.series([row["id"]], "downloads")}
            if with_days
            else dict(row)
            for row in self.datasets
        ]
        return {
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "timezone": self.period.display,
            "has_usecases": self.has_usecases,
            "totals": self.totals,
            "days": days,
            "daily": [
                {"date": day, "views": v, "downloads": d}
                for day, v, d in zip(days, self.series(all_ids), self.series(all_ids, "downloads"), strict=True)
            ],
            "rankings": self.rankings,
            "organizations": organizations,
            "datasets": datasets,
        }


def _labels(user: model.User | None) -> list[str]:
    return list(get_permission_labels().get_user_dataset_labels(user)) if user is not None else ["public"]


def _organizations(org: model.Group | None, sandbox: bool) -> list[model.Group]:
    if org is not None:
        return [org]
    query = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active", model.Group.type == "organization"
    )
    groups = query.order_by(model.Group.title, model.Group.name)
    return [g for g in groups if sandbox or not practice.is_practice_org(g.name)]


def _request_row(found: figures.RequestFigures | None) -> dict[str, Any]:
    found = found or figures.RequestFigures()
    return {
        "requests_received": found.received,
        "requests_answered": found.answered,
        "requests_open": found.open,
        "median_days_to_answer": found.median_days,
    }


def _top(rows: list[dict[str, Any]], key: str, label_keys: tuple[str, ...]) -> list[dict[str, Any]]:
    ranked = sorted((r for r in rows if r.get(key)), key=lambda r: (-r[key], r["title"]))[:RANKED]
    return [{**{k: r[k] for k in label_keys}, "count": r[key]} for r in ranked]


def _counts(period: daily.Period, ids: list[str]) -> tuple[Series, Series]:
    """Views and downloads of ``ids`` in ``period``, from the counts of every dataset per day (``cache.py``)."""

    def count_days(first: date, last: date) -> dict[date, tuple[dict[str, int], dict[str, int]]]:
        """{day: ({dataset id: views}, {dataset id: downloads})} of every dataset, ``first`` to ``last``."""
        datasets = figures.all_datasets(model.Session)
        span = daily.Period(first, last, period.display, period.recorded)
        per_day: dict[date, tuple[dict[str, int], dict[str, int]]] = defaultdict(lambda: ({}, {}))
        for slot, found in enumerate(figures.usage(model.Session, span, datasets)):
            for dataset_id, days in found.items():
                for day, n in days.items():
                    per_day[day][slot][dataset_id] = n
        return per_day

    def combine(days: dict[date, tuple[dict[str, int], dict[str, int]]]) -> tuple[Series, Series]:
        """The days' counts as one series per dataset counted (see ``Series``)."""
        ordered = [days[day] for day in period.days()]
        series: tuple[Series, Series] = ({}, {})
        for kind, found in enumerate(series):
            span: dict[str, list[int]] = {}  # dataset id -> [first, last] day numbers with a count
            for slot, counted in enumerate(ordered):
                for dataset_id in counted[kind]:
                    if (seen := span.get(dataset_id)) is None:
                        span[dataset_id] = [slot, slot]
                    else:
                        seen[1] = slot
            for dataset_id, (first, last) in span.items():
                found[dataset_id] = (first, [0] * (last - first + 1))
            for slot, counted in enumerate(ordered):
                for dataset_id, n in counted[kind].items():
                    first, row = found[dataset_id]
                    row[slot - first] = n
        return series

    def check(first: date, last: date) -> dict[date, tuple]:
        return figures.day_stamps(model.Session, daily.Period(first, last, period.display, period.recorded))

    seconds = float(tk.config.get(CACHE_OPTION) or 0)
    zone = (period.display, period.recorded)
    views, downloads = cache.COUNTS.get(
        period, zone, period.days(), count_days, combine, seconds, empty=lambda: ({}, {}), check=check
    )
    return {i: views[i] for i in ids if i in views}, {i: downloads[i] for i in ids if i in downloads}


def build(*, user: model.User | None, period: daily.Period, org: model.Group | None = None) -> Summary:
    """The summary of ``period`` as ``user`` may see it, of the whole catalogue or of one organisation."""
    session = model.Session
    sandbox = org is not None and practice.is_practice_org(org.name)
    everything = bool(user and user.sysadmin)
    datasets = figures.readable_datasets(
        session,
        labels=[] if everything else _labels(user),  # a sysadmin's labels list every organisation: not needed
        everything=everything,
        practice=sandbox,
        prefix=fields.practice_prefix(),
        org=org.id if org else None,
    )
    ids = [d.id for d in datasets]
    views, downloads = _counts(period, ids)
    since, until = daily.Period(period.start, period.end, period.display, "UTC").recorded_bounds()  # requests: UTC
    if sandbox:
        hidden = [] if roles.can_see_all(user) or roles.capacity(user, org.id) else [org.id]
        hidden_prefix = None
    else:
        hidden, hidden_prefix = [], fields.practice_prefix()  # every sandbox's requests
    per_org, overall = figures.requests_by_org(
        session, since=since, until=until, orgs=[org.id] if org else None, hidden=hidden, hidden_prefix=hidden_prefix
    )
    answered = figures.answered_by_dataset(
        session, ids=ids, since=since, until=until, hidden=hidden, hidden_prefix=hidden_prefix
    )
    usecases = figures.usecases_by_dataset(session, ids)

    rows = []
    for d in datasets:
        row = {
            "id": d.id,
            "name": d.name,
            "title": d.title,
            "private": bool(d.private),
            "organization": d.org_name,
            "organization_title": d.org_title,
            "views": sum(views[d.id][1]) if d.id in views else 0,
            "downloads": sum(downloads[d.id][1]) if d.id in downloads else 0,
            "requests_answered": int(answered.get(d.id, 0)),
        }
        if usecases is not None:
            row["usecases"] = len(usecases.get(d.id, ()))
        rows.append(row)
    rows.sort(key=lambda r: (-r["views"], -r["downloads"], r["title"], r["name"]))

    by_org: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_org[row["organization"]].append(row)
    organizations = []
    for group in _organizations(org, sandbox):
        mine = by_org.get(group.name, [])
        row = {
            "id": group.id,
            "name": group.name,
            "title": group.title or group.name,
            "datasets": len(mine),
            "views": sum(r["views"] for r in mine),
            "downloads": sum(r["downloads"] for r in mine),
            **_request_row(per_org.get(group.id)),
            "dataset_ids": [r["id"] for r in mine],
        }
        if usecases is not None:
            row["usecases"] = len(set().union(*(usecases.get(r["id"], ()) for r in mine)))
        organizations.append(row)
    if org is None and per_org.get(None):
        organizations.append(
            {"id": None, "name": None, "title": UNROUTED, "datasets": 0, "views": 0, "downloads": 0}
            | _request_row(per_org[None])
            | {"dataset_ids": []}
            | ({"usecases": 0} if usecases is not None else {})
        )

    totals = {
        "datasets": len(rows),
        "views": sum(r["views"] for r in rows),
        "downloads": sum(r["downloads"] for r in rows),
        **_request_row(overall),
    }
    if usecases is not None:
        totals["usecases"] = len(set().union(*usecases.values()))
    rankings = {
        "views": _top(rows, "views", ("name", "title")),
        "downloads": _top(rows, "downloads", ("name", "title")),
        "requests": _top([o for o in organizations if o["name"]], "requests_received", ("name", "title")),
    }
    return Summary(period, rows, organizations, totals, rankings, usecases is not None, views, downloads)

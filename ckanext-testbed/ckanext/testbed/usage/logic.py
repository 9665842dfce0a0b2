"""The usage actions and their auth functions (wired in by ``plugin.py``).

``testbed_usage_daily`` (one dataset's or organisation's days) and ``testbed_usage_summary`` (the whole
catalogue's figures, ``summary.py``) never show more than package_show would: a dataset's figures need the right to
read that dataset (so a private dataset's only to its organisation's members and sysadmins), and an
organisation's figures add up only the datasets the caller may read. They read, never write
(``side_effect_free``: GET works, for the course's notebooks and the /usage page).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import daily, schema, summary

RECORDED_ZONE_OPTION = "ckanext.testbed.usage.recorded_timezone"
MAX_DATASETS = 1000  # of one organisation (package_search's own page limit)


def _zone(name: str, fallback: str) -> str:
    name = (name or "").strip()
    if not name or name == "server":
        name = fallback
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback
    return name


def _zones() -> tuple[str, str]:
    """(display zone, recorded zone): CKAN's ``ckan.display_timezone`` and this package's option."""
    recorded = _zone(tk.config.get(RECORDED_ZONE_OPTION), "UTC")
    return _zone(tk.config.get("ckan.display_timezone"), recorded), recorded


def _as_caller(context: dict) -> dict:
    """A fresh context for the actions called on the caller's behalf (same user, same auth)."""
    return {
        "user": context.get("user"),
        "auth_user_obj": context.get("auth_user_obj"),
        "ignore_auth": bool(context.get("ignore_auth")),
        "model": model,
    }


def _readable_datasets(context: dict, data: dict) -> list[dict]:
    """The dataset asked for, or the organisation's datasets the caller may read (package_show's rule)."""
    if data.get("id"):
        return [tk.get_action("package_show")(_as_caller(context), {"id": data["id"]})]
    org = tk.get_action("organization_show")(_as_caller(context), {"id": data["org"], "include_datasets": False})
    found = tk.get_action("package_search")(
        _as_caller(context),
        {"fq": f'owner_org:"{org["id"]}"', "include_private": True, "rows": MAX_DATASETS},
    )["results"]
    readable = []
    for dataset in found:
        try:
            tk.check_access("package_show", _as_caller(context), {"id": dataset["id"]})
        except tk.NotAuthorized:
            continue
        readable.append(dataset)
    return readable


@tk.side_effect_free
def testbed_usage_daily(context: dict, data_dict: dict) -> dict[str, Any]:
    """Page views or downloads per day (Japan time) of one dataset (``id``) or one organisation (``org``).

    Parameters: ``id`` or ``org``; ``kind`` = ``views`` (default) or ``downloads``; ``start`` and ``end``
    (``YYYY-MM-DD``, both included; default the 90 days up to today). Returns ``{"kind", "start", "end",
    "timezone", "datasets" (their names), "total", "rows": [{"date", "count"}, …]}`` with one row per day.
    """
    data, errors = tk.navl_validate(dict(data_dict or {}), schema.usage_daily_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    schema.check_target(data)
    tk.check_access("testbed_usage_daily", context, data)
    display, recorded = _zones()
    today = datetime.now(ZoneInfo(display)).date()
    start, end = schema.check_period(data.get("start"), data.get("end"), today)
    period = daily.Period(start=start, end=end, display=display, recorded=recorded)
    datasets = _readable_datasets(context, data)
    kind = schema.KINDS[data["kind"]]
    targets = daily.page_targets(datasets) if kind == "page" else daily.resource_targets(datasets)
    rows = daily.fill(period, daily.counts(model.Session, kind=kind, targets=targets, period=period))
    return {
        "kind": data["kind"],
        "start": start.isoformat(),
        "end": end.isoformat(),
        "timezone": display,
        "datasets": sorted(d["name"] for d in datasets),
        "total": sum(r["count"] for r in rows),
        "rows": rows,
    }


@tk.auth_allow_anonymous_access
def testbed_usage_daily_auth(context: dict, data_dict: dict) -> dict[str, Any]:
    """A dataset's usage: whoever may read the dataset. An organisation's: anyone (the figures then count
    only the datasets the caller may read; see ``_readable_datasets``)."""
    if data_dict.get("id"):
        try:
            tk.check_access("package_show", _as_caller(context), {"id": data_dict["id"]})
        except tk.NotAuthorized:
            return {"success": False, "msg": "このデータセットの利用状況を見る権限がありません。"}
        except tk.ObjectNotFound:
            pass  # the action's package_show then answers "not found"
    return {"success": True}


def summary_period(start: Any, end: Any) -> daily.Period:
    """The period asked for (default: the 90 days up to today, Japan time); raises ValidationError."""
    display, recorded = _zones()
    today = datetime.now(ZoneInfo(display)).date()
    first, last = schema.check_period(start, end, today)
    return daily.Period(start=first, end=last, display=display, recorded=recorded)


def summary_org(ref: str | None) -> model.Group | None:
    """The organisation asked for (name or id), or None for the whole catalogue; NotFound in Japanese."""
    if not ref:
        return None
    org = model.Group.get(ref)
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ObjectNotFound(f"組織「{ref}」が見つかりません。組織の URL 名か ID を指定してください。")
    return org


def current_user(context: dict) -> model.User | None:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    return model.User.get(context["user"]) if context.get("user") else None


def today() -> date:
    """Today in the display zone (Japan)."""
    return datetime.now(ZoneInfo(_zones()[0])).date()


def summarise(context: dict, data_dict: dict) -> tuple[summary.Summary, dict[str, Any]]:
    """(the Summary, the validated parameters) for ``testbed_usage_summary`` and the /usage page."""
    data, errors = tk.navl_validate(dict(data_dict or {}), schema.usage_summary_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("testbed_usage_summary", context, data)
    period = summary_period(data.get("start"), data.get("end"))
    org = summary_org(data.get("org"))
    return summary.build(user=current_user(context), period=period, org=org), data


@tk.side_effect_free
def testbed_usage_summary(context: dict, data_dict: dict) -> dict[str, Any]:
    """How the catalogue was used in a period: views, downloads, requests and use cases per dataset and
    organisation, the per-day totals and the rankings (利活用の見える化; the same figures as the /usage page).

    Parameters: ``start``, ``end`` (``YYYY-MM-DD``, both included, Japan time; default the 90 days up to
    today); ``org`` (an organisation's name or id: only its datasets and requests); ``with_days`` (true: each
    dataset's ``views_by_day`` and ``downloads_by_day`` too). Only datasets the caller may read are counted.
    Returns ``{"start", "end", "timezone", "has_usecases", "totals", "days", "daily", "rankings",
    "organizations", "datasets"}`` (see usage/README.md).
    """
    found, data = summarise(context, data_dict)
    return found.as_dict(with_days=bool(data.get("with_days")))


@tk.auth_allow_anonymous_access
def testbed_usage_summary_auth(context: dict, data_dict: dict) -> dict[str, Any]:
    """Anyone: the figures count only the datasets the caller may read (``summary.py``)."""
    return {"success": True}


def get_actions() -> dict[str, Any]:
    return {"testbed_usage_daily": testbed_usage_daily, "testbed_usage_summary": testbed_usage_summary}


def get_auth_functions() -> dict[str, Any]:
    return {"testbed_usage_daily": testbed_usage_daily_auth, "testbed_usage_summary": testbed_usage_summary_auth}

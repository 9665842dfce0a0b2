"""The usage page (/usage, 「カタログの利用状況」) and its CSV (/usage.csv).

Both show the figures of the ``testbed_usage_summary`` action (``logic.summarise``: same validation, auth and
permissions) for the signed-in person or an anonymous visitor, over a chosen period (``start``/``end``, or
``days`` = 30/90/365 up to today; default the last 90 days), for the whole catalogue or one organisation
(``?org=``). Trends are inline SVG drawn on the server (``sparkline.py``): no JavaScript, no CDN."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import flask
from ckan.common import current_user
from markupsafe import Markup

from .. import practice
from . import export, logic, schema, sparkline

bp = flask.Blueprint("testbed_usage", __name__)

PAGE_SIZE = 50
PRESETS = [(30, "過去30日"), (90, "過去90日"), (365, "過去1年")]
SORTS = {
    "views": ("閲覧数", lambda r: (-r["views"], -r["downloads"], r["title"], r["name"])),
    "downloads": ("ダウンロード数", lambda r: (-r["downloads"], -r["views"], r["title"], r["name"])),
    "requests": ("応えた要望", lambda r: (-r["requests_answered"], -r["views"], r["title"], r["name"])),
    "title": ("名前", lambda r: (r["title"], r["name"])),
}


def _context() -> dict[str, Any]:
    return {"user": current_user.name if current_user.is_authenticated else ""}


def _params(args) -> dict[str, Any]:
    """Action parameters from the query string; ``days`` (a preset) becomes ``start``/``end`` up to today."""
    params = {key: args[key].strip() for key in ("start", "end", "org") if args.get(key, "").strip()}
    days = args.get("days", "").strip()
    if not {"start", "end"} & params.keys() and days.isdigit() and 1 <= int(days) <= schema.MAX_DAYS:
        end = logic.today()
        params["start"] = (end - timedelta(days=int(days) - 1)).isoformat()
        params["end"] = end.isoformat()
    return params


def _error(exc: Exception) -> str:
    if isinstance(exc, tk.ValidationError):
        return "、".join(str(m) for messages in exc.error_dict.values() for m in messages)
    return str(exc) or "指定された組織が見つかりません。"


def _departments() -> list[tuple[str, str]]:
    """(name, title) of the city's organisations for the selector (no sandboxes)."""
    rows = (
        model.Session.query(model.Group.name, model.Group.title)
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .order_by(model.Group.title, model.Group.name)
    )
    return [(name, title or name) for name, title in rows if not practice.is_practice_org(name)]


def _spark(values: list[int], label: str, **size: int) -> Markup:
    return Markup(sparkline.bars(values, label=label, **size))  # noqa: S704 (numbers and an escaped label only)


@bp.route("/usage")
def index():
    """The page: totals with a trend, rankings, organisations, datasets (paged, sortable), CSV links."""
    args = tk.request.args
    params = _params(args)
    error = None
    try:
        found, _ = logic.summarise(_context(), params)
    except (tk.ValidationError, tk.ObjectNotFound) as exc:
        error = _error(exc)  # shown above the default period (and the organisation, if it was not the problem)
        keep = isinstance(exc, tk.ValidationError) and params.get("org")
        params = {"org": params["org"]} if keep else {}
        try:
            found, _ = logic.summarise(_context(), params)
        except (tk.ValidationError, tk.ObjectNotFound):
            params = {}
            found, _ = logic.summarise(_context(), params)
    data = found.as_dict()
    sort = args.get("sort") if args.get("sort") in SORTS else "views"
    rows = sorted(data["datasets"], key=SORTS[sort][1])
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    try:
        page = min(pages, max(1, int(args.get("page", 1))))
    except ValueError:
        page = 1
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    for row in shown:
        row["spark"] = _spark(found.series([row["id"]]), "閲覧数")
    for row in data["organizations"]:
        row["spark"] = _spark(row["views_by_day"], "閲覧数")
    daily_views = [d["views"] for d in data["daily"]]
    daily_downloads = [d["downloads"] for d in data["daily"]]
    query = {"start": data["start"], "end": data["end"], **({"org": params["org"]} if params.get("org") else {})}
    return tk.render(
        "testbed_usage/index.html",
        {
            "usage": data,
            "error": error,
            "org": params.get("org", ""),
            "org_title": data["organizations"][0]["title"] if params.get("org") and data["organizations"] else "",
            "departments": _departments(),
            "presets": PRESETS,
            "sorts": {key: label for key, (label, _) in SORTS.items()},
            "sort": sort,
            "rows": shown,
            "page": page,
            "pages": pages,
            "query": query,
            "views_spark": _spark(daily_views, "閲覧数", width=360, height=60),
            "downloads_spark": _spark(daily_downloads, "ダウンロード数", width=360, height=60),
        },
    )


@bp.route("/usage.csv")
def csv():
    """The dataset table (``?table=organizations``: the organisation table) as CSV for Excel."""
    params = _params(tk.request.args)
    try:
        found, _ = logic.summarise(_context(), params)
    except (tk.ValidationError, tk.ObjectNotFound) as exc:
        return tk.abort(400 if isinstance(exc, tk.ValidationError) else 404, _error(exc))
    data = found.as_dict()
    kind = "organizations" if tk.request.args.get("table") == "organizations" else "datasets"
    body = export.table(data, kind)
    name = f"usage_{kind}_{data['start']}_{data['end']}.csv"
    return flask.Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{name}"'},
    )

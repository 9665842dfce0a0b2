"""Web pages of data requests: the list with search (/data-request), one request (/data-request/<id>) with its
discussion, and the form to file one (/data-request/new). Everything goes through the actions, so the pages
obey the same auth functions and show the same Japanese messages as the API."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import flask
from ckan.common import current_user

from .. import practice
from ..search import fields
from ..search.normalize import escape_like
from . import messages, roles

bp = flask.Blueprint("testbed_request", __name__, url_prefix="/data-request")

FORM_FIELDS = ("title", "description", "purpose", "data_format", "area", "organization")
PAGE_SIZE = 20


def _context() -> dict[str, Any]:
    return {"user": current_user.name if current_user.is_authenticated else ""}


@bp.route("/")
def index():
    """The list: search words, organisation and state filters, newest first."""
    args = tk.request.args
    params = {"q": args.get("q", ""), "limit": PAGE_SIZE}
    for key in ("organization", "status"):
        if args.get(key):
            params[key] = args[key]
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    params["offset"] = (page - 1) * PAGE_SIZE
    try:
        result = tk.get_action("testbed_request_list")(_context(), params)
        error = None
    except tk.ValidationError as e:
        result, error = {"count": 0, "results": [], "status_counts": {}}, "、".join(sum(e.error_dict.values(), []))
    return tk.render(
        "testbed_request/index.html",
        {
            "result": result,
            "error": error,
            "q": params["q"],
            "status": args.get("status", ""),
            "organization": args.get("organization", ""),
            "page": page,
            "pages": max(1, -(-result["count"] // PAGE_SIZE)),
            "status_labels": messages.STATUS_LABELS,
            "signed_in": current_user.is_authenticated,
        },
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    """The form to file a request (signed-in users); errors shown beside each field."""
    if not current_user.is_authenticated:
        return tk.abort(403, messages.SIGN_IN)
    data: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
        data = {key: tk.request.form.get(key, "") for key in FORM_FIELDS}
        try:
            created = tk.get_action("testbed_request_create")(_context(), dict(data))
        except tk.ValidationError as e:
            errors = e.error_dict
        else:
            tk.h.flash_success("要望を受け付けました。担当課または調整役から連絡があります。")
            return tk.redirect_to("testbed_request.read", id=created["id"])
    organizations = tk.get_action("organization_list")(_context(), {"all_fields": True})
    return tk.render("testbed_request/new.html", {"data": data, "errors": errors, "organizations": organizations})


def _dataset_ref(value: str) -> str:
    """A dataset's name from what staff paste: its name, id or page URL (``…/dataset/<name>``)."""
    value = value.strip()
    if "/dataset/" in value:
        value = value.split("/dataset/", 1)[1].split("?", 1)[0].split("#", 1)[0].strip("/").split("/", 1)[0]
    return value


def _flat(error_dict: dict[str, Any]) -> dict[str, list[str]]:
    return {key: value if isinstance(value, list) else [str(value)] for key, value in error_dict.items()}


@bp.route("/<id>/assign", methods=["POST"])
def assign(id: str):
    """Route a request to a department (coordinators) or take it on (staff: 対応中にする)."""
    form = tk.request.form
    params = {"id": id}
    if form.get("organization"):
        params["organization"] = form["organization"]
    if form.get("take"):
        params["assignee"] = current_user.name if current_user.is_authenticated else ""
    elif form.get("assignee"):
        params["assignee"] = form["assignee"].strip()
    try:
        done = tk.get_action("testbed_request_assign")(_context(), params)
    except tk.ValidationError as e:
        return read(id, form_errors={"assign": _flat(e.error_dict)}, form_data=dict(form))
    except tk.NotAuthorized as e:
        tk.h.flash_error(str(e) or messages.NOT_STAFF_ASSIGN)
    except tk.ObjectNotFound:
        return tk.abort(404, messages.NOT_FOUND.format(id=id))
    else:
        org = done["organization"]["title"] if done["organization"] else "調整役"
        if form.get("take"):
            tk.h.flash_success("要望を対応中にしました。担当はあなたです。")
        elif done["assignee"]:
            tk.h.flash_success(f"要望を担当課「{org}」に振り分け、担当者を {done['assignee']} さんにしました。")
        else:
            tk.h.flash_success(f"要望を担当課「{org}」に振り分けました。担当課に通知しました。")
    return tk.redirect_to("testbed_request.read", id=id)


@bp.route("/<id>/close", methods=["POST"])
def close(id: str):
    """Close a request: 公開済み/一部対応 (with a dataset by name or URL), 対応不可 (reason and note), 重複."""
    form = tk.request.form
    params = {"id": id, "resolution": form.get("resolution", "")}
    for key in ("reason", "note", "duplicate_of"):
        if form.get(key, "").strip():
            params[key] = form[key].strip()
    if form.get("dataset", "").strip():
        params["dataset"] = _dataset_ref(form["dataset"])
    try:
        done = tk.get_action("testbed_request_close")(_context(), params)
    except tk.ValidationError as e:
        return read(id, form_errors={"close": _flat(e.error_dict)}, form_data=dict(form))
    except tk.NotAuthorized as e:
        tk.h.flash_error(str(e) or messages.NOT_STAFF_CLOSE)
    except tk.ObjectNotFound:
        return tk.abort(404, messages.NOT_FOUND.format(id=id))
    else:
        tk.h.flash_success(f"要望を「{done['resolution_label']}」として完了にしました。要望者に通知しました。")
    return tk.redirect_to("testbed_request.read", id=id)


def _route_targets(context: dict[str, Any]) -> list[dict[str, str]]:
    """What the coordinators' route form offers: the city's departments, then the trainees' sandboxes (a request
    routed there is a training copy), each labelled 研修用 so that it is not taken for a department. The sandboxes
    come from the table, not ``organization_list``, whose 25-row cap for full records would cut a cohort short."""
    city = [
        {"name": org["name"], "display_name": org["display_name"]}
        for org in tk.get_action("organization_list")(context, {"all_fields": True})
        if not practice.is_practice_org(org["name"])
    ]
    sandboxes = (
        model.Session.query(model.Group.name, model.Group.title)
        .filter(
            model.Group.is_organization.is_(True),
            model.Group.state == "active",
            model.Group.name.like(escape_like(fields.practice_prefix()) + "%", escape="\\"),
        )
        .order_by(model.Group.title, model.Group.name)
        .all()
    )
    return city + [
        {"name": name, "display_name": messages.PRACTICE_ROUTE_LABEL.format(title=title or name)}
        for name, title in sandboxes
    ]


@bp.route("/mail-settings", methods=["GET", "POST"])
def mail_settings():
    """One's choice: request notifications by mail as well, or in CKAN only (the link at the foot of each mail)."""
    if not current_user.is_authenticated:
        return tk.abort(403, messages.MAIL_SETTINGS_SIGN_IN)
    action = tk.get_action("testbed_request_mail_settings")
    if tk.request.method == "POST":
        wanted = tk.request.form.get("mail") == "on"
        action(_context(), {"mail": wanted})
        tk.h.flash_success(messages.MAIL_SETTINGS_SAVED_ON if wanted else messages.MAIL_SETTINGS_SAVED_OFF)
        return tk.redirect_to("testbed_request.mail_settings")
    return tk.render("testbed_request/mail_settings.html", {"settings": action(_context(), {})})


@bp.route("/<id>", methods=["GET", "POST"])
def read(id: str, form_errors: dict[str, Any] | None = None, form_data: dict[str, str] | None = None):
    """One request: details, discussion, (POST ``text``) a new comment, and the staff's forms."""
    context = _context()
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST" and form_errors is None:
        try:
            tk.get_action("testbed_request_comment")(context, {"id": id, "text": tk.request.form.get("text", "")})
        except tk.ValidationError as e:
            errors = e.error_dict
        except tk.NotAuthorized as e:
            return tk.abort(403, str(e) or messages.NOT_INVOLVED)
        else:
            return tk.redirect_to("testbed_request.read", id=id)
    try:
        request = tk.get_action("testbed_request_show")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, messages.NOT_FOUND.format(id=id))
    except tk.NotAuthorized:
        return tk.abort(403, messages.NOT_VISIBLE)
    viewer = roles.current_user(context)
    organizations = []
    if request["can_manage"] and roles.can_see_all(viewer):
        organizations = _route_targets(context)
    return tk.render(
        "testbed_request/read.html",
        {
            "request_dict": request,
            "errors": errors,
            "can_route": bool(organizations),
            "organizations": organizations,
            "form_errors": form_errors or {},
            "form_data": form_data or {},
            "resolution_labels": messages.RESOLUTION_LABELS,
            "reason_labels": messages.REASON_LABELS,
        },
    )

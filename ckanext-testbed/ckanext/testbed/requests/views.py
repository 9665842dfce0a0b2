"""Web pages of data requests: the list with search (/data-request), one request (/data-request/<id>) with its
discussion, and the form to file one (/data-request/new). Everything goes through the actions, so the pages
obey the same auth functions and show the same Japanese messages as the API."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import flask
from ckan.common import current_user

from . import messages

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


@bp.route("/<id>", methods=["GET", "POST"])
def read(id: str):
    """One request: details, discussion, and (POST ``text``) a new comment."""
    context = _context()
    errors: dict[str, list[str]] = {}
    if tk.request.method == "POST":
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
    return tk.render("testbed_request/read.html", {"request_dict": request, "errors": errors})

"""Web pages of use cases: the gallery with search and a kind filter (/usecase), one use case (/usecase/<id>),
the form to register one (/usecase/new, a dataset filled in from ``?dataset=``) and to change or delete it.
Everything goes through the actions, so the pages obey the same auth functions and show the same Japanese
messages as the API."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import flask
from ckan.common import current_user

from . import images, messages

bp = flask.Blueprint("testbed_usecase", __name__, url_prefix="/usecase")

FORM_FIELDS = ("title", "kind", "description", "author", "url", "datasets")
PAGE_SIZE = 24


def _context() -> dict[str, Any]:
    return {"user": current_user.name if current_user.is_authenticated else ""}


def _flat(error_dict: dict[str, Any]) -> dict[str, list[str]]:
    return {key: value if isinstance(value, list) else [str(value)] for key, value in error_dict.items()}


@bp.route("/")
def index():
    """The gallery: search words, a kind filter (and ``dataset``: those of one dataset), newest first."""
    args = tk.request.args
    params: dict[str, Any] = {"q": args.get("q", ""), "limit": PAGE_SIZE}
    for key in ("kind", "dataset"):
        if args.get(key):
            params[key] = args[key]
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    params["offset"] = (page - 1) * PAGE_SIZE
    try:
        result = tk.get_action("testbed_usecase_list")(_context(), params)
        error = None
    except tk.ValidationError as e:
        result = {"count": 0, "results": [], "kind_counts": {}}
        error = "、".join(sum(_flat(e.error_dict).values(), []))
    return tk.render(
        "testbed_usecase/index.html",
        {
            "result": result,
            "error": error,
            "q": params["q"],
            "kind": args.get("kind", ""),
            "dataset": args.get("dataset", ""),
            "page": page,
            "pages": max(1, -(-result["count"] // PAGE_SIZE)),
            "kind_labels": messages.KIND_LABELS,
            "signed_in": current_user.is_authenticated,
        },
    )


def _form_data() -> dict[str, Any]:
    data: dict[str, Any] = {key: tk.request.form.get(key, "") for key in FORM_FIELDS}
    upload = tk.request.files.get(images.FIELD)
    if upload is not None and upload.filename:
        data[images.FIELD] = upload
    if tk.request.form.get("clear_image"):
        data["clear_image"] = True
    return data


def _render_form(data: dict[str, Any], errors: dict[str, list[str]], usecase: dict[str, Any] | None = None):
    shown = {key: value for key, value in data.items() if isinstance(value, str)}
    return tk.render(
        "testbed_usecase/new.html",
        {
            "data": shown,
            "errors": errors,
            "usecase": usecase,
            "kind_labels": messages.KIND_LABELS,
            "max_mb": images.max_mb(),
            "image_given": images.FIELD in data,
        },
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    """The form to register a use case (signed-in users); errors shown beside each field."""
    if not current_user.is_authenticated:
        return tk.abort(403, messages.SIGN_IN)
    if tk.request.method != "POST":
        return _render_form({"kind": "app", "datasets": tk.request.args.get("dataset", "")}, {})
    data = _form_data()
    try:
        created = tk.get_action("testbed_usecase_create")(_context(), dict(data))
    except tk.ValidationError as e:
        return _render_form(data, _flat(e.error_dict))
    tk.h.flash_success("利活用事例を登録しました。使ったデータセットのページにも表示されます。")
    return tk.redirect_to("testbed_usecase.read", id=created["id"])


def _show(id: str) -> dict[str, Any]:
    try:
        return tk.get_action("testbed_usecase_show")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, messages.NOT_FOUND.format(id=id))
    except tk.NotAuthorized:
        return tk.abort(404, messages.NOT_FOUND.format(id=id))


@bp.route("/<id>")
def read(id: str):
    """One use case: picture, kind, who made it, the link, the datasets it uses (those the viewer may read)."""
    return tk.render("testbed_usecase/read.html", {"usecase": _show(id)})


@bp.route("/<id>/edit", methods=["GET", "POST"])
def edit(id: str):
    """The same form, filled in, for the creator and sysadmins."""
    usecase = _show(id)
    if not usecase["can_edit"]:
        return tk.abort(403, messages.ONLY_OWNER)
    if tk.request.method != "POST":
        data = {key: usecase[key] for key in FORM_FIELDS if key != "datasets"}
        data["datasets"] = "\n".join(d["name"] for d in usecase["datasets"])
        return _render_form(data, {}, usecase)
    data = _form_data()
    try:
        tk.get_action("testbed_usecase_update")(_context(), {"id": id, **data})
    except tk.ValidationError as e:
        return _render_form(data, _flat(e.error_dict), usecase)
    tk.h.flash_success("利活用事例を更新しました。")
    return tk.redirect_to("testbed_usecase.read", id=id)


@bp.route("/<id>/delete", methods=["POST"])
def delete(id: str):
    """Delete a use case (creator and sysadmins), back to the gallery."""
    try:
        tk.get_action("testbed_usecase_delete")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, messages.NOT_FOUND.format(id=id))
    except tk.NotAuthorized:
        return tk.abort(403, messages.ONLY_OWNER)
    tk.h.flash_success("利活用事例を削除しました。")
    return tk.redirect_to("testbed_usecase.index")

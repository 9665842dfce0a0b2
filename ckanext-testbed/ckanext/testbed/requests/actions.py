"""API actions of data requests (データ公開の要望): file, route, discuss, close, follow, be notified.

Every action checks its auth function of the same name (``auth.py``) and validates its input with a
navl schema whose messages are Japanese (``schema.py``). Times in answers are Japan time (ISO 8601 with
+09:00). Searching (``q``) is substring matching on NFKC-folded text, as the dataset search does, so two
Japanese characters find a request without Solr or word segmentation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.plugins import toolkit as tk

from .. import practice
from ..search import fields
from ..search.normalize import escape_like, like_pattern, normalize_text
from . import mail, messages, notify, roles, schema
from .model import ASSIGNED, CLOSED, OPEN, Comment, Coordinator, Follower, Notification, Request, utcnow

JST = dt.timezone(dt.timedelta(hours=9), "JST")
SORTS = {
    "newest": Request.created.desc(),
    "oldest": Request.created.asc(),
    "updated": Request.modified.desc(),
}
PUBLISHING = ("published", "partial")  # resolutions that link a dataset


def _jst(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(JST).isoformat(timespec="seconds")


def _commit(context: dict[str, Any]) -> None:
    if not context.get("defer_commit"):
        model.repo.commit()


def _signed_in(context: dict[str, Any]) -> model.User:
    """The acting user; refused when there is none (e.g. a site call with ``ignore_auth`` but no user)."""
    user = roles.current_user(context)
    if user is None:
        raise tk.NotAuthorized(messages.SIGN_IN)
    return user


def _get(data_dict: dict[str, Any]) -> Request:
    ref = data_dict.get("id")
    if not isinstance(ref, str) or not ref.strip():
        raise tk.ValidationError({"id": [messages.REQUIRED.format(label="要望の ID")]})
    request = model.Session.get(Request, ref.strip())
    if request is None:
        raise tk.ObjectNotFound(messages.NOT_FOUND.format(id=ref.strip()))
    return request


def _organization(ref: str, field: str = "organization") -> model.Group:
    org = model.Group.get(ref)
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ValidationError({field: [messages.ORG_NOT_FOUND.format(name=ref)]})
    return org


def _org_summary(org_id: str | None, cache: dict[str, Any]) -> dict[str, str] | None:
    if not org_id:
        return None
    if org_id not in cache:
        org = model.Group.get(org_id)
        cache[org_id] = {"id": org.id, "name": org.name, "title": org.title or org.name} if org else None
    return cache[org_id]


def _user_name(user_id: str | None, cache: dict[str, Any]) -> str | None:
    if not user_id:
        return None
    if user_id not in cache:
        user = model.User.get(user_id)
        cache[user_id] = user.name if user else None
    return cache[user_id]


def _search_text(request: Request) -> str:
    parts = (request.title, request.description, request.purpose, request.data_format, request.area)
    return normalize_text(" \n ".join(part or "" for part in parts))


def _age_days(request: Request) -> int:
    return ((request.closed_at or utcnow()) - request.created).days


def _summary(request: Request, viewer: model.User | None, cache: dict[str, Any]) -> dict[str, Any]:
    """What a list shows of a request (no requester name, no linked dataset)."""
    return {
        "id": request.id,
        "title": request.title,
        "organization": _org_summary(request.organization_id, cache),
        "assignee": _user_name(request.assignee_id, cache),
        "status": request.status,
        "status_label": messages.STATUS_LABELS[request.status],
        "resolution": request.resolution,
        "resolution_label": messages.RESOLUTION_LABELS.get(request.resolution or ""),
        "created": _jst(request.created),
        "modified": _jst(request.modified),
        "closed_at": _jst(request.closed_at),
        "age_days": _age_days(request),
        "is_mine": bool(viewer and viewer.id == request.requester_id),
    }


def _can_read_dataset(viewer: model.User | None, dataset_id: str) -> bool:
    context = {"model": model, "session": model.Session, "user": viewer.name if viewer else ""}
    try:
        tk.check_access("package_show", context, {"id": dataset_id})
    except tk.NotAuthorized:
        return False
    return True


def _comment_role(request: Request, user_id: str) -> str:
    if user_id == request.requester_id:
        return "要望者"
    if model.Session.get(Coordinator, user_id) is not None:
        return "調整役"
    user = model.User.get(user_id)
    if user is not None and user.sysadmin:
        return "サイト管理者"
    return "担当課"


def _comment_dict(comment: Comment, request: Request, show_names: bool, cache: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": comment.id,
        "user": _user_name(comment.user_id, cache) if show_names else None,
        "role": _comment_role(request, comment.user_id),
        "text": comment.text,
        "created": _jst(comment.created),
    }


def _full(request: Request, viewer: model.User | None) -> dict[str, Any]:
    """A request as ``testbed_request_show`` answers: summary, texts, closing, discussion, dataset if readable."""
    cache: dict[str, Any] = {}
    involved = roles.is_involved(viewer, request)
    result = _summary(request, viewer, cache)
    result.update(
        {
            "description": request.description,
            "purpose": request.purpose,
            "data_format": request.data_format,
            "area": request.area,
            "requester": _user_name(request.requester_id, cache) if involved else None,
            "reason": request.reason,
            "reason_label": messages.REASON_LABELS.get(request.reason or ""),
            "close_note": request.close_note,
            "duplicate_of": request.duplicate_of,
            "dataset": None,
            "dataset_hidden": None,
        }
    )
    if request.dataset_id:
        package = model.Package.get(request.dataset_id)
        if package is not None and _can_read_dataset(viewer, package.id):
            result["dataset"] = {"id": package.id, "name": package.name, "title": package.title or package.name}
        else:
            result["dataset_hidden"] = messages.DATASET_HIDDEN
    comments = model.Session.query(Comment).filter_by(request_id=request.id).order_by(Comment.created).all()
    result["comments"] = [_comment_dict(c, request, involved, cache) for c in comments]
    result["follower_count"] = model.Session.query(Follower).filter_by(request_id=request.id).count()
    result["following"] = bool(viewer) and model.Session.get(Follower, (request.id, viewer.id)) is not None
    result["can_comment"] = involved
    result["can_manage"] = roles.is_staff(viewer, request) and request.status != CLOSED
    return result


def testbed_request_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """File a data request; it goes to the organisation named, or to the coordinators when none is.

    :param title: what data is wanted (required, ≤ 200 characters)
    :param description: the data in more detail
    :param purpose: why it is wanted
    :param data_format: the format wished for (CSV, GeoJSON …)
    :param area: the area concerned
    :param organization: the department (organisation name or id) it concerns, optional
    :param requester: sysadmins only: the user name or id of the person the request is filed for. It is then
        theirs (``requester_id``) and they are its actor: they follow it and are not told of their own filing,
        nor is the sysadmin. With a sandbox as ``organization`` this files a training copy in one step, so only
        the sandbox's staff hear of it, never the coordinators (``ckan_seed/sample_requests.py``).
    """
    tk.check_access("testbed_request_create", context, data_dict)
    data = schema.validate(data_dict, schema.create_schema(), context)
    user = _signed_in(context)
    filer = user
    if data["requester"]:  # a sysadmin's (the auth function refuses anyone else)
        filer = model.User.get(data["requester"])
        if filer is None or filer.state != "active":
            raise tk.ValidationError({"requester": [messages.USER_NOT_FOUND.format(name=data["requester"])]})
    org = _organization(data["organization"]) if data["organization"] else None
    if org is not None and practice.is_practice_org(org.name) and not roles.can_see_all(user):
        raise tk.ValidationError({"organization": [messages.PRACTICE_ORG]})
    request = Request(
        title=data["title"],
        description=data["description"],
        purpose=data["purpose"],
        data_format=data["data_format"],
        area=data["area"],
        requester_id=filer.id,
        organization_id=org.id if org else None,
        status=OPEN,
    )
    request.search_text = _search_text(request)
    model.Session.add(request)
    model.Session.flush()
    notify.follow(request, filer.id)
    notify.notify(request, "created", filer.id, quiet=[user.id])
    _commit(context)
    return _full(request, user)


@tk.side_effect_free
def testbed_request_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """One request with its discussion; the linked dataset only if the viewer may read it.

    :param id: the request's id
    """
    request = _get(data_dict)
    tk.check_access("testbed_request_show", context, {"id": request.id})
    return _full(request, roles.current_user(context))


def _int(data_dict: dict[str, Any], key: str, default: int, lowest: int, highest: int) -> int:
    value = data_dict.get(key, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not lowest <= number <= highest:
        raise tk.ValidationError({key: [f"{key} は {lowest} から {highest} までの整数で指定してください。"]})
    return number


def _visible(query, viewer: model.User | None):
    """Leave out training copies (requests routed to a sandbox) the viewer is not part of."""
    if roles.can_see_all(viewer):
        return query
    prefix = escape_like(fields.practice_prefix()) + "%"
    practice_ids = sa.select(model.Group.id).where(model.Group.is_organization.is_(True), model.Group.name.like(prefix))
    visible = sa.or_(Request.organization_id.is_(None), Request.organization_id.not_in(practice_ids))
    if viewer is not None:
        mine = [Request.requester_id == viewer.id]
        orgs = roles.member_org_ids(viewer)
        if orgs:
            mine.append(Request.organization_id.in_(orgs))
        visible = sa.or_(visible, *mine)
    return query.filter(visible)


@tk.side_effect_free
def testbed_request_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Requests, newest first, with their states and ages; searchable by Japanese substrings.

    :param q: words that must all occur in the title, description, purpose, format or area (substrings)
    :param organization: only this organisation's requests (name or id)
    :param status: open (受付中), assigned (対応中) or closed (完了)
    :param resolution: published, partial, rejected or duplicate
    :param mine: only the signed-in user's own requests
    :param assignee: only those assigned to this user name
    :param sort: newest (default), oldest or updated
    :param limit: 1–100 (default 20); ``offset`` ≥ 0
    :returns: ``{count, results, status_counts}``
    """
    tk.check_access("testbed_request_list", context, data_dict)
    viewer = roles.current_user(context)
    query = _visible(model.Session.query(Request), viewer)
    q = data_dict.get("q")
    if isinstance(q, str):
        for term in normalize_text(q).split(" "):
            if term:
                query = query.filter(Request.search_text.like(like_pattern(term), escape="\\"))
    if data_dict.get("organization"):
        query = query.filter(Request.organization_id == _organization(str(data_dict["organization"])).id)
    if tk.asbool(data_dict.get("mine", False)):
        query = query.filter(Request.requester_id == (viewer.id if viewer else None))
    if data_dict.get("assignee"):
        assignee = model.User.get(str(data_dict["assignee"]))
        query = query.filter(Request.assignee_id == (assignee.id if assignee else None))
    if data_dict.get("resolution"):
        resolution = schema.one_of("対応結果", messages.RESOLUTION_LABELS)
        query = query.filter(Request.resolution == _check(resolution, "resolution", data_dict))
    counts = dict(query.with_entities(Request.status, sa.func.count()).group_by(Request.status).all())
    if data_dict.get("status"):
        status = schema.one_of("状態", messages.STATUS_LABELS)
        query = query.filter(Request.status == _check(status, "status", data_dict))
    sort = data_dict.get("sort") or "newest"
    if sort not in SORTS:
        raise tk.ValidationError({"sort": [f"sort は {'、'.join(SORTS)} のどれかで指定してください。"]})
    limit = _int(data_dict, "limit", 20, 1, 100)
    offset = _int(data_dict, "offset", 0, 0, 10**9)
    count = query.count()
    rows = query.order_by(SORTS[sort], Request.id).offset(offset).limit(limit).all()
    cache: dict[str, Any] = {}
    return {
        "count": count,
        "results": [_summary(row, viewer, cache) for row in rows],
        "status_counts": {status: counts.get(status, 0) for status in messages.STATUS_LABELS},
    }


def _check(validator, key: str, data_dict: dict[str, Any]) -> Any:
    try:
        return validator(data_dict.get(key))
    except tk.Invalid as error:
        raise tk.ValidationError({key: [error.error]}) from None


def testbed_request_assign(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Route a request to an organisation (coordinators only) and/or assign it to one of its staff.

    :param id: the request's id
    :param organization: the department it goes to (name or id)
    :param assignee: the user name of an editor/admin of that organisation, or of a coordinator
    """
    data = schema.validate(data_dict, schema.assign_schema(), context)
    request = _get(data)
    tk.check_access("testbed_request_assign", context, {"id": request.id})
    if request.status == CLOSED:
        raise tk.ValidationError({"id": [messages.ALREADY_CLOSED]})
    if not data["organization"] and not data["assignee"]:
        raise tk.ValidationError({"organization": [messages.ASSIGN_NOTHING]})
    user = roles.current_user(context)
    org_id = request.organization_id
    if data["organization"]:
        org = _organization(data["organization"])
        if org.id != request.organization_id and not roles.can_see_all(user):
            raise tk.NotAuthorized(messages.NOT_STAFF_MOVE)
        org_id = org.id
    assignee = None
    if data["assignee"]:
        assignee = model.User.get(data["assignee"])
        if assignee is None or assignee.state != "active":
            raise tk.ValidationError({"assignee": [messages.USER_NOT_FOUND.format(name=data["assignee"])]})
        coordinator = roles.is_coordinator(assignee)
        if not org_id and not coordinator:
            raise tk.ValidationError({"assignee": [messages.ASSIGNEE_NEEDS_ORG]})
        if not coordinator and roles.capacity(assignee, org_id) not in roles.STAFF_CAPACITIES:
            org_name = model.Group.get(org_id).title or model.Group.get(org_id).name
            raise tk.ValidationError(
                {"assignee": [messages.ASSIGNEE_NOT_STAFF.format(name=assignee.name, org=org_name)]}
            )
    if org_id != request.organization_id:
        request.assignee_id = None
    request.organization_id = org_id
    if assignee is not None:
        request.assignee_id = assignee.id
    request.status = ASSIGNED if request.assignee_id else OPEN
    request.modified = utcnow()
    if assignee is not None:
        notify.follow(request, assignee.id)
    notify.notify(request, "assigned", user.id if user else None)
    _commit(context)
    return _full(request, user)


def testbed_request_comment(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Add a comment (plain text, kept exactly as written) to a request's discussion.

    :param id: the request's id
    :param text: the comment
    """
    data = schema.validate(data_dict, schema.comment_schema(), context)
    request = _get(data)
    tk.check_access("testbed_request_comment", context, {"id": request.id})
    user = _signed_in(context)
    comment = Comment(request_id=request.id, user_id=user.id, text=data["text"])
    model.Session.add(comment)
    request.modified = utcnow()
    model.Session.flush()
    notify.follow(request, user.id)
    notify.notify(request, "commented", user.id, comment_id=comment.id)
    _commit(context)
    return _comment_dict(comment, request, True, {})


def _dataset_for_close(context: dict[str, Any], ref: str) -> model.Package:
    package = model.Package.get(ref)
    if package is None or package.state != "active":
        raise tk.ValidationError({"dataset": [messages.DATASET_NOT_FOUND.format(name=ref)]})
    if not _can_read_dataset(roles.current_user(context), package.id):
        raise tk.ValidationError({"dataset": [messages.DATASET_UNREADABLE.format(name=ref)]})
    if package.private:
        raise tk.ValidationError({"dataset": [messages.DATASET_NOT_PUBLIC.format(name=package.title or ref)]})
    return package


def testbed_request_close(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Close a request as 公開済み (with the public dataset that answers it), 一部対応, 対応不可 or 重複.

    :param id: the request's id
    :param resolution: published | partial | rejected | duplicate
    :param dataset: the dataset (name or id) that answers it: required for published, optional for partial
    :param reason: for rejected, one of the fixed reasons (``messages.REASON_LABELS``)
    :param note: free text; required for rejected
    :param duplicate_of: for duplicate, the id of the request it repeats
    """
    data = schema.validate(data_dict, schema.close_schema(), context)
    request = _get(data)
    tk.check_access("testbed_request_close", context, {"id": request.id})
    if request.status == CLOSED:
        raise tk.ValidationError({"id": [messages.ALREADY_CLOSED]})
    resolution = data["resolution"]
    errors: dict[str, list[str]] = {}
    package = None
    if resolution in PUBLISHING and data["dataset"]:
        package = _dataset_for_close(context, data["dataset"])
    elif resolution == "published":
        errors["dataset"] = [messages.DATASET_REQUIRED]
    if resolution == "rejected":
        if not data["reason"]:
            errors["reason"] = [messages.REASON_REQUIRED]
        if not data["note"]:
            errors["note"] = [messages.NOTE_REQUIRED]
    duplicate = None
    if resolution == "duplicate":
        if not data["duplicate_of"]:
            errors["duplicate_of"] = [messages.DUPLICATE_REQUIRED]
        elif data["duplicate_of"] == request.id:
            errors["duplicate_of"] = [messages.DUPLICATE_SELF]
        else:
            duplicate = model.Session.get(Request, data["duplicate_of"])
            if duplicate is None:
                errors["duplicate_of"] = [messages.NOT_FOUND.format(id=data["duplicate_of"])]
    if errors:
        raise tk.ValidationError(errors)
    user = roles.current_user(context)
    now = utcnow()
    request.status = CLOSED
    request.resolution = resolution
    request.reason = data["reason"] if resolution == "rejected" else None
    request.close_note = data["note"]
    request.dataset_id = package.id if package is not None else None
    request.duplicate_of = duplicate.id if duplicate is not None else None
    request.closed_at = now
    request.modified = now
    notify.notify(request, "closed", user.id if user else None, extra=[request.requester_id])
    _commit(context)
    return _full(request, user)


def testbed_request_follow(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Be notified of a request's changes. :param id: the request's id"""
    request = _get(data_dict)
    tk.check_access("testbed_request_follow", context, {"id": request.id})
    notify.follow(request, _signed_in(context).id)
    _commit(context)
    return {"id": request.id, "following": True}


def testbed_request_unfollow(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Stop being notified of a request's changes. :param id: the request's id"""
    request = _get(data_dict)
    tk.check_access("testbed_request_unfollow", context, {"id": request.id})
    notify.unfollow(request, _signed_in(context).id)
    _commit(context)
    return {"id": request.id, "following": False}


@tk.side_effect_free
def testbed_request_notifications(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The signed-in user's request notifications, newest first, with a Japanese sentence each.

    :param unread_only: only those not yet marked read
    :param limit: 1–200 (default 50)
    :returns: ``{unread, results}``
    """
    tk.check_access("testbed_request_notifications", context, data_dict)
    user = _signed_in(context)
    limit = _int(data_dict, "limit", 50, 1, 200)
    query = (
        model.Session.query(Notification, Request)
        .join(Request, Request.id == Notification.request_id)
        .filter(Notification.user_id == user.id)
    )
    if tk.asbool(data_dict.get("unread_only", False)):
        query = query.filter(Notification.read_at.is_(None))
    rows = query.order_by(Notification.created.desc(), Notification.id).limit(limit).all()
    cache: dict[str, Any] = {}
    results = []
    for note, request in rows:
        words = messages.RESOLUTION_LABELS.get(request.resolution or "", "")
        results.append(
            {
                "id": note.id,
                "request_id": request.id,
                "request_title": request.title,
                "kind": note.kind,
                "message": messages.NOTIFICATION_LABELS[note.kind].format(title=request.title, resolution=words),
                "actor": _user_name(note.actor_id, cache),
                "created": _jst(note.created),
                "read": note.read_at is not None,
            }
        )
    return {"unread": notify.unread_count(user.id), "results": results}


def testbed_request_notifications_read(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Mark the signed-in user's notifications read. :param ids: those ids only (default: all)"""
    tk.check_access("testbed_request_notifications_read", context, data_dict)
    user = _signed_in(context)
    ids = data_dict.get("ids")
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
        raise tk.ValidationError({"ids": ["ids は通知 ID の一覧 (文字列のリスト) で指定してください。"]})
    marked = notify.mark_read(user.id, ids, utcnow())
    _commit(context)
    return {"marked": marked, "unread": notify.unread_count(user.id)}


def testbed_request_mail_settings(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The signed-in user's choice of mail notifications (``mail.py``); changed when ``mail`` is given.

    :param mail: true to get request notifications by mail as well (the default), false for CKAN only
    :returns: ``{mail, has_email, site_sends_mail}`` (the site sends mail only when the stack config has ``mail:``)
    """
    tk.check_access("testbed_request_mail_settings", context, data_dict)
    user = _signed_in(context)
    if "mail" in data_dict:
        try:
            wanted = tk.asbool(data_dict["mail"])
        except ValueError:
            raise tk.ValidationError({"mail": ["mail は true か false で指定してください。"]}) from None
        mail.set_wants_mail(user, wanted)
        _commit(context)
    return {"mail": mail.wants_mail(user), "has_email": mail.has_address(user), "site_sends_mail": mail.enabled()}


def testbed_request_delete(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Delete a request with its comments, followers and notifications for good; sysadmins only (spam, tests).

    :param id: the request's id
    """
    request = _get(data_dict)
    tk.check_access("testbed_request_delete", context, {"id": request.id})
    model.Session.query(Request).filter(Request.duplicate_of == request.id).update(
        {Request.duplicate_of: None}, synchronize_session=False
    )
    for table in (Notification, Follower, Comment):
        model.Session.query(table).filter(table.request_id == request.id).delete(synchronize_session=False)
    model.Session.delete(request)
    _commit(context)
    return {"id": request.id, "deleted": True}


def testbed_request_coordinator_set(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Grant or withdraw the coordinator role (調整役); sysadmins only.

    :param user: the user name or id
    :param coordinator: true to grant (default), false to withdraw
    """
    tk.check_access("testbed_request_coordinator_set", context, data_dict)
    ref = data_dict.get("user")
    target = model.User.get(ref) if isinstance(ref, str) and ref else None
    if target is None:
        raise tk.ValidationError({"user": [messages.USER_NOT_FOUND.format(name=ref or "")]})
    grant = tk.asbool(data_dict.get("coordinator", True))
    existing = model.Session.get(Coordinator, target.id)
    if grant and existing is None:
        model.Session.add(Coordinator(user_id=target.id))
    elif not grant and existing is not None:
        model.Session.delete(existing)
    _commit(context)
    return {"user": target.name, "coordinator": grant}


@tk.side_effect_free
def testbed_request_coordinator_list(context: dict[str, Any], data_dict: dict[str, Any]) -> list[str]:
    """User names of the coordinators (調整役); sysadmins and coordinators only."""
    tk.check_access("testbed_request_coordinator_list", context, data_dict)
    rows = (
        model.Session.query(model.User.name)
        .join(Coordinator, Coordinator.user_id == model.User.id)
        .order_by(model.User.name)
        .all()
    )
    return [row[0] for row in rows]


def _delete_training_copies(context: dict[str, Any], data_dict: dict[str, Any]) -> int:
    """Before a trainee's sandbox is deleted or purged: its training copies go with it (a request keeps no
    organisation when its organisation is purged, and a request without one is no training copy any more, so it
    would be shown to everyone). Only sandboxes: a department's requests outlive it, as before."""
    org = model.Group.get(data_dict.get("id") or "")
    if org is None or not org.is_organization or not practice.is_practice_org(org.name):
        return 0
    ids = [r.id for r in model.Session.query(Request.id).filter(Request.organization_id == org.id)]
    if ids:
        model.Session.query(Request).filter(Request.duplicate_of.in_(ids)).update(
            {Request.duplicate_of: None}, synchronize_session=False
        )
        for table in (Notification, Follower, Comment):
            model.Session.query(table).filter(table.request_id.in_(ids)).delete(synchronize_session=False)
        model.Session.query(Request).filter(Request.id.in_(ids)).delete(synchronize_session=False)
    return len(ids)  # committed with the organisation's own delete or purge


@tk.chained_action
def organization_delete(original, context, data_dict):
    tk.check_access("organization_delete", context, data_dict)
    _delete_training_copies(context, data_dict)
    return original(context, data_dict)


@tk.chained_action
def organization_purge(original, context, data_dict):
    tk.check_access("organization_purge", context, data_dict)
    _delete_training_copies(context, data_dict)
    return original(context, data_dict)


def get_actions() -> dict[str, Any]:
    actions = {
        name: function
        for name, function in globals().items()
        if name.startswith("testbed_request_") and callable(function)
    }
    return {**actions, "organization_delete": organization_delete, "organization_purge": organization_purge}

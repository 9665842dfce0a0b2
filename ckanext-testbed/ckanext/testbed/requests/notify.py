"""Followers and notifications of requests (in CKAN, a table of its own; read through the API; by mail where
configured, ``mail.py``).

Who hears of an event: the request's followers (the requester, the assignee, everyone who commented or
chose to follow), the editors and admins of its organisation, and coordinators while no organisation has
it — never the person who caused the event (nor a sysadmin who filed it on the requester's behalf: ``quiet``).
"""

from __future__ import annotations

from collections.abc import Iterable

import ckan.model as model
import sqlalchemy as sa

from . import mail, roles
from .model import Follower, Notification, Request


def follow(request: Request, user_id: str) -> None:
    """Add a follower (idempotent; flushes within the action's transaction)."""
    if model.Session.get(Follower, (request.id, user_id)) is None:
        model.Session.add(Follower(request_id=request.id, user_id=user_id))
        model.Session.flush()


def unfollow(request: Request, user_id: str) -> None:
    model.Session.query(Follower).filter_by(request_id=request.id, user_id=user_id).delete()


def follower_ids(request: Request) -> list[str]:
    return [row[0] for row in model.Session.query(Follower.user_id).filter_by(request_id=request.id).all()]


def recipients(
    request: Request, actor_id: str | None, extra: Iterable[str] = (), quiet: Iterable[str] = ()
) -> list[str]:
    who = set(follower_ids(request)) | set(extra)
    if request.organization_id:
        who |= set(roles.staff_ids(request.organization_id))
    else:
        who |= set(roles.coordinator_ids())
    who.discard(actor_id)
    return sorted(who - set(quiet))


def notify(
    request: Request,
    kind: str,
    actor_id: str | None,
    extra: Iterable[str] = (),
    comment_id: str | None = None,
    quiet: Iterable[str] = (),
) -> list[str]:
    """Record one notification of ``kind`` per recipient, and their mails for after the commit (``mail.py``,
    only when mail is configured); returns the recipients' ids. ``quiet``: people who did the act without being
    its actor (a sysadmin filing on a requester's behalf), told nothing either."""
    who = recipients(request, actor_id, extra, quiet)
    for user_id in who:
        model.Session.add(Notification(user_id=user_id, request_id=request.id, kind=kind, actor_id=actor_id))
    mail.queue_event(request.id, kind, actor_id, who, comment_id=comment_id)
    return who


def mark_read(user_id: str, ids: list[str] | None, now) -> int:
    """Mark the user's notifications (these ids, or all) read; returns how many changed."""
    query = model.Session.query(Notification).filter(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.filter(Notification.id.in_(ids))
    return query.update({Notification.read_at: now}, synchronize_session=False)


def unread_count(user_id: str) -> int:
    return (
        model.Session.query(sa.func.count(Notification.id))
        .filter(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar()
    )

"""The tables of data requests, mapped on CKAN's metadata (``toolkit.BaseModel``).

They are created by the plugin's alembic migration (``migration/testbed/``, ``ckan db upgrade -p testbed``),
never by ``create_all``. Being on CKAN's metadata, CKAN's test reset empties them like its own tables.
Times are stored as naive UTC, as CKAN stores its own.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from ckan.plugins import toolkit as tk

OPEN, ASSIGNED, CLOSED = "open", "assigned", "closed"


def _uuid() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Request(tk.BaseModel):
    """One request for data (データ公開の要望) and where it stands."""

    __tablename__ = "testbed_request"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    title = sa.Column(sa.UnicodeText, nullable=False)
    description = sa.Column(sa.UnicodeText, nullable=False, default="")
    purpose = sa.Column(sa.UnicodeText, nullable=False, default="")
    data_format = sa.Column(sa.UnicodeText, nullable=False, default="")
    area = sa.Column(sa.UnicodeText, nullable=False, default="")
    search_text = sa.Column(sa.UnicodeText, nullable=False, default="")
    requester_id = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    organization_id = sa.Column(sa.UnicodeText, sa.ForeignKey("group.id", ondelete="SET NULL"), nullable=True)
    assignee_id = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    status = sa.Column(sa.UnicodeText, nullable=False, default=OPEN)
    resolution = sa.Column(sa.UnicodeText, nullable=True)
    reason = sa.Column(sa.UnicodeText, nullable=True)
    close_note = sa.Column(sa.UnicodeText, nullable=False, default="")
    dataset_id = sa.Column(sa.UnicodeText, sa.ForeignKey("package.id", ondelete="SET NULL"), nullable=True)
    duplicate_of = sa.Column(sa.UnicodeText, sa.ForeignKey("testbed_request.id", ondelete="SET NULL"), nullable=True)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    closed_at = sa.Column(sa.DateTime, nullable=True)


class Comment(tk.BaseModel):
    """A comment in a request's discussion, stored exactly as written (plain text, never HTML)."""

    __tablename__ = "testbed_request_comment"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    request_id = sa.Column(sa.UnicodeText, sa.ForeignKey("testbed_request.id", ondelete="CASCADE"), nullable=False)
    user_id = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    text = sa.Column(sa.UnicodeText, nullable=False)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class Follower(tk.BaseModel):
    """Someone notified of a request's changes (the requester, the assignee, commenters, who follows it)."""

    __tablename__ = "testbed_request_follower"

    request_id = sa.Column(sa.UnicodeText, sa.ForeignKey("testbed_request.id", ondelete="CASCADE"), primary_key=True)
    user_id = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class Notification(tk.BaseModel):
    """One event of a request for one user (shown in CKAN; read or not)."""

    __tablename__ = "testbed_request_notification"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    user_id = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    request_id = sa.Column(sa.UnicodeText, sa.ForeignKey("testbed_request.id", ondelete="CASCADE"), nullable=False)
    kind = sa.Column(sa.UnicodeText, nullable=False)
    actor_id = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    read_at = sa.Column(sa.DateTime, nullable=True)


class Coordinator(tk.BaseModel):
    """A user granted the coordinator role (調整役) by a sysadmin."""

    __tablename__ = "testbed_request_coordinator"

    user_id = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)

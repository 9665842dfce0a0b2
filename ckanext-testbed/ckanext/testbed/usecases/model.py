"""The tables of use cases, mapped on CKAN's metadata (``toolkit.BaseModel``).

Created by the plugin's alembic migration (``migration/testbed/``), never by ``create_all``; CKAN's test reset
empties them like its own tables. Times are stored as naive UTC, as CKAN stores its own.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from ckan.plugins import toolkit as tk


def _uuid() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class UseCase(tk.BaseModel):
    """One use (利活用事例) of datasets: an app, a map, a report, an internal analysis …"""

    __tablename__ = "testbed_usecase"

    id = sa.Column(sa.UnicodeText, primary_key=True, default=_uuid)
    title = sa.Column(sa.UnicodeText, nullable=False)
    description = sa.Column(sa.UnicodeText, nullable=False, default="")
    kind = sa.Column(sa.UnicodeText, nullable=False)
    author = sa.Column(sa.UnicodeText, nullable=False, default="")  # 作成者/団体, as written
    url = sa.Column(sa.UnicodeText, nullable=False, default="")
    image = sa.Column(sa.UnicodeText, nullable=False, default="")  # file name in the uploader's folder
    practice = sa.Column(sa.Boolean, nullable=False, default=False)  # every dataset is in a trainee's sandbox
    search_text = sa.Column(sa.UnicodeText, nullable=False, default="")
    creator_id = sa.Column(sa.UnicodeText, sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    created = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    modified = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class UseCaseDataset(tk.BaseModel):
    """A dataset a use case uses, in the order the registrant gave."""

    __tablename__ = "testbed_usecase_dataset"

    usecase_id = sa.Column(sa.UnicodeText, sa.ForeignKey("testbed_usecase.id", ondelete="CASCADE"), primary_key=True)
    package_id = sa.Column(sa.UnicodeText, sa.ForeignKey("package.id", ondelete="CASCADE"), primary_key=True)
    position = sa.Column(sa.Integer, nullable=False, default=0)

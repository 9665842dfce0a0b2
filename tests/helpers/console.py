"""Test helpers for the console's help queue and announcements: form POSTs with the service's xsrf token, and the
clean-up of what a test stored in the service's own SQLite file."""

from __future__ import annotations

import contextlib
import re

import requests

from classroom.store import Store
from testbed_config.names import classroom_name, classroom_store_file

XSRF = re.compile(r'name="_xsrf" value="([^"]+)"')


def url(hub, course: str, path: str = "") -> str:
    return f"{hub.public}/services/{classroom_name(course)}/{path}"


def xsrf(session: requests.Session, hub, course: str, page: str = "help") -> str:
    """The xsrf token of the service's form on ``page`` (signs the user in to the service on first use)."""
    r = session.get(url(hub, course, page), timeout=30)
    assert r.status_code == 200, r.text[:300]
    m = XSRF.search(r.text)
    assert m, "no xsrf field in the form"
    return m.group(1)


def post(session: requests.Session, hub, course: str, path: str, data: dict, page: str = "help"):
    """A form POST as a browser sends it (xsrf token from the page the form is on); redirects not followed."""
    token = xsrf(session, hub, course, page)
    return session.post(url(hub, course, path), data={**data, "_xsrf": token}, timeout=30, allow_redirects=False)


def store(layout, course: str) -> Store:
    """The service's own store, opened directly (tests run as root) to clean up."""
    return Store(layout.course_home(course) / classroom_store_file(course))


@contextlib.contextmanager
def forgetting(layout, course: str, *users: str):
    """On exit, remove every help request of ``users`` and every announcement made meanwhile."""
    s = store(layout, course)
    before = {a.id for a in s.announcements(limit=100000)}
    try:
        yield s
    finally:
        for user in users:
            s.forget_user(user)
        for a in s.announcements(limit=100000):
            if a.id not in before:
                s.delete_announcement(a.id)

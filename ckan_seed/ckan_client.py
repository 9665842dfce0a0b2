"""A tiny CKAN action-API client with timeouts and typed errors (used by the hub, so no ckanapi session state).

ckanapi would do, but the spawn hook needs a hard timeout on every call and one exception type for
"CKAN cannot be reached" that it can turn into a clear message for the trainee.
"""

from __future__ import annotations

import requests


class CkanError(Exception):
    """CKAN answered with an error (``kind`` is CKAN's ``__type``, e.g. 'Validation Error')."""

    def __init__(self, action: str, kind: str, detail: object):
        super().__init__(f"{action}: {kind}: {detail}")
        self.action, self.kind, self.detail = action, kind, detail


class NotFound(CkanError):
    """The object does not exist (404)."""


class NotAuthorized(CkanError):
    """The token may not do this (403)."""


class CkanUnavailable(Exception):
    """CKAN cannot be reached or answered something that is not its API (down, restarting, 5xx)."""


class CkanClient:
    """Calls ``/api/3/action/<name>`` with one token (or none) and a timeout per request."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, action: str, **data) -> object:
        headers = {"Authorization": self.token} if self.token else {}
        try:
            r = requests.post(f"{self.url}/api/3/action/{action}", json=data, headers=headers, timeout=self.timeout)
        except requests.RequestException as e:
            raise CkanUnavailable(f"CKAN ({self.url}) に接続できません: {e.__class__.__name__}") from None
        try:
            body = r.json()
        except ValueError:
            raise CkanUnavailable(f"CKAN ({self.url}) の応答が API の形ではありません (HTTP {r.status_code})") from None
        if isinstance(body, dict) and body.get("success"):
            return body.get("result")
        if r.status_code >= 500 or not isinstance(body, dict):
            raise CkanUnavailable(f"CKAN ({self.url}) がエラーを返しました (HTTP {r.status_code}, {action})")
        err = body.get("error") or {}
        kind = str(err.get("__type", "Error"))
        detail = {k: v for k, v in err.items() if k != "__type"}
        if r.status_code == 404 or kind == "Not Found Error":
            raise NotFound(action, kind, detail)
        if r.status_code == 403 or kind == "Authorization Error":
            raise NotAuthorized(action, kind, detail)
        raise CkanError(action, kind, detail)

    def show(self, action: str, **data) -> dict | None:
        """A ``*_show`` call that returns None instead of raising when the object does not exist."""
        try:
            return self.call(action, **data)
        except NotFound:
            return None

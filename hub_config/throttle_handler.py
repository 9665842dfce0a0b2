"""The hub's API handler of every sign-in lock, the hub's and CKAN's: rules and answers in ``throttle_api.py``.

Registered by ``auth.TestbedAuthenticator.get_handlers`` (``handler_spec``); kept apart from ``throttle_api.py``
because importing JupyterHub's handler machinery belongs to the running hub only.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from jupyterhub import orm
from jupyterhub.apihandlers import APIHandler
from tornado import web

from hub_config.throttle_api import (
    BAD_REQUEST,
    CKAN,
    CKAN_DELETE,
    CKAN_DOWN,
    CKAN_LIST,
    FORBIDDEN,
    HUB,
    MAX_NAME,
    NOTHING,
    PATH,
    SCOPE,
    SYSTEMS,
    WHERE,
    ckan_names,
    hub_locks,
    hub_unlock,
    lock,
    throttles,
)
from testbed_config.ckan_client import CkanClient, CkanError
from testbed_config.names import ckan_user_name


class SignInLocksHandler(APIHandler):
    """GET the locks of both systems; POST ``{"name", "system"}`` to lift them (see the module docstring)."""

    def initialize(self, ckan_url: str = "", ckan_token_file: str = ""):
        self.ckan_url, self.ckan_token_file = ckan_url, ckan_token_file

    def _check(self) -> None:
        """Signed in (cookie or token) with the scope; 403 otherwise (never a redirect to the sign-in page)."""
        if self.current_user is None or not (self.has_scope(SCOPE) or self.has_scope("admin:users")):
            raise web.HTTPError(403, FORBIDDEN)

    def _ckan(self) -> CkanClient:
        token = Path(self.ckan_token_file).read_text().strip()
        return CkanClient(self.ckan_url, token, timeout=10, retries=1)

    async def _ckan_call(self, action: str, **data):
        """CKAN's answer, or (None, a Japanese reason) when CKAN cannot be asked."""
        if not self.ckan_url or not self.ckan_token_file:
            return None, "この研修環境では CKAN のロックを扱えません (CKAN の設定がありません)。"
        try:
            return await asyncio.to_thread(lambda: self._ckan().call(action, **data)), ""
        except (CkanError, OSError) as e:
            self.log.error("CKAN sign-in locks (%s) unavailable: %s", action, e)
            return None, CKAN_DOWN.format(error=e)

    def _hub_users_of_ckan(self) -> dict[str, str]:
        return {ckan_user_name(u.name): u.name for u in self.db.query(orm.User.name)}

    def _json(self, data: dict, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data, ensure_ascii=False))

    async def get(self):
        self._check()
        locks = hub_locks(self.authenticator)
        answer, error = await self._ckan_call(CKAN_LIST)
        if answer is not None:
            hub_users = self._hub_users_of_ckan()
            for item in answer:
                key = item["key"]
                who = hub_users.get(key, "") if item["scope"] == "user" else ""
                locks.append(lock(CKAN, item["scope"], key, item["seconds_left"], item["failures"], item["limit"], who))
        self._json({"hub": bool(throttles(self.authenticator)), "ckan_error": error, "locks": locks})

    async def post(self):
        self._check()
        try:
            body = self.get_json_body() or {}
        except web.HTTPError:
            body = None
        if not isinstance(body, dict):
            raise web.HTTPError(400, BAD_REQUEST)
        name = str(body.get("name", "")).strip()
        system = str(body.get("system", "") or "")
        if not name or len(name) > MAX_NAME or system not in ("", *SYSTEMS):
            raise web.HTTPError(400, BAD_REQUEST)
        unlocked, error = [], ""
        if system in ("", HUB):
            unlocked += hub_unlock(self.authenticator, name)
        if system in ("", CKAN):
            answer, error = await self._ckan_call(CKAN_DELETE, names=ckan_names(name))
            for item in answer or []:
                unlocked.append(lock(CKAN, item["scope"], item["key"], 0, 0, 0, name if item["key"] != name else ""))
        for item in unlocked:
            self.log.info(
                "%s lifted the %s sign-in lock of %s %s",
                self.current_user.name,
                item["system"],
                item["scope"],
                item["key"],
            )
        if not unlocked:
            if error and system == CKAN:
                return self._json({"unlocked": [], "ckan_error": error, "message": error}, 502)
            message = NOTHING.format(name=name[:60], where=WHERE[system])
            return self._json({"unlocked": [], "ckan_error": error, "message": message}, 404)
        self._json({"unlocked": unlocked, "ckan_error": error})


def handler_spec(ckan_url: str, ckan_token_file: str) -> tuple:
    """The authenticator's ``get_handlers`` entry."""
    return (PATH, SignInLocksHandler, {"ckan_url": ckan_url, "ckan_token_file": ckan_token_file})

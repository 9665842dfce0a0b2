"""The handlers of the console's 「サインインのロック」 (``console_locks.py`` says how it works): instructors only,
form POSTs with the service's xsrf token; routes added by ``console.routes``."""

from __future__ import annotations

from tornado import web

from classroom.console import _Handler
from classroom.console_locks import (
    API_PATH,
    HUB_DOWN,
    NO_HUB_LOCKS,
    NO_RIGHT,
    NOT_INSTRUCTOR,
    PATH,
    hub_call,
    page,
    unlocked_text,
)


class _LocksBase(_Handler):
    async def _answer(self, method: str = "GET", body: dict | None = None) -> tuple[int, dict]:
        return await hub_call(self.board.hub.api_url, self.hub_auth.get_token(self), method, body)

    async def _show(self, *, status: int = 200, info: str = "", error: str = "") -> None:
        code, answer = await self._answer()
        if code == 403:
            error, answer = NO_RIGHT, {}
        elif code == 404:  # an authenticator without the testbed's throttle (single sign-on): nothing to show
            error, answer = NO_HUB_LOCKS, {}
        elif code != 200:
            error, answer = HUB_DOWN.format(why=answer.get("message") or f"HTTP {code}"), {}
        self.html(page(self.board.course, answer, xsrf=self.xsrf_form_html(), info=info, error=error), status)


class LocksPage(_LocksBase):
    """GET: the list; POST ``name`` and ``system`` (hub, ckan, or empty for both): lift it through the hub."""

    @web.authenticated
    async def get(self):
        if not await self.instructor():
            return self.refuse(403, NOT_INSTRUCTOR)
        if not self.get_argument("again", ""):
            code, _ = await self._answer()
            if code == 403:  # a console session opened before the scope existed: sign in to the console once more
                self.hub_auth.clear_cookie(self)
                return self.redirect(f"{PATH}?again=1")
        await self._show()

    @web.authenticated
    async def post(self):
        if not await self.instructor():
            return self.refuse(403, NOT_INSTRUCTOR)
        name = self.get_argument("name", "").strip()
        system = self.get_argument("system", "")
        code, answer = await self._answer("POST", {"name": name, "system": system})
        if code == 200:
            return await self._show(info=unlocked_text(name, answer.get("unlocked") or []))
        if code == 403:
            return await self._show(status=403, error=NO_RIGHT)
        text = answer.get("message") or HUB_DOWN.format(why=f"HTTP {code}")
        await self._show(status=code if code in (400, 404) else 502, error=text)


class LocksApi(_LocksBase):
    """GET the locks as JSON (instructors; a trainee gets 403)."""

    @web.authenticated
    async def get(self):
        if not await self.instructor():
            return self.refuse(403, NOT_INSTRUCTOR)
        code, answer = await self._answer()
        self.json({"course": self.board.course, **answer}, code if code != 599 else 502)


def routes(console, prefix: str) -> list[tuple]:
    kw = {"console": console}
    return [
        (prefix + PATH, LocksPage, kw),
        (prefix + API_PATH, LocksApi, kw),
    ]

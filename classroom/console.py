"""The console's help queue (手を挙げる) and announcements (お知らせ) as tornado handlers, and their routes.

Who may do what: instructors (hub admins, group formgrade-<course>) see the whole queue, close any request and
post announcements; a trainee raises hands, sees and cancels only their own requests (403 otherwise) and reads
the announcements to the whole class and to their own 期. Form POSTs carry the service's xsrf token (JupyterHub's
HubOAuth checks it for cookie-authenticated requests). ``announcements.atom`` is read by the trainee's own
JupyterLab server (news notifications) with the trainee's server token, sent as HTTP basic auth.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import datetime
from urllib.parse import quote

from jupyterhub.services.auth import HubOAuthenticated
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from classroom import announcements, help, sources
from classroom.store import CANCELLED, DONE, Store, utcnow

NOTICES = {  # ?ok=... after a form POST (Post/Redirect/Get)
    "raised": "手を挙げました。講師の画面に表示されています。",
    "cancelled": "依頼を取り消しました。",
    "done": "対応済みにしました。",
    "posted": "お知らせを送りました。",
    "withdrawn": "お知らせを取り下げました。研修生の画面からも消えます。",
}
NOT_YOURS = "ほかの研修生の依頼は取り消せません。自分の依頼だけを取り消せます。"
NOT_INSTRUCTOR = "この操作は講師だけができます。"
NO_REQUEST = "その依頼は見つかりません。すでに対応済みか、取り消されています。"
TOKEN_CACHE_SECONDS = 30


class Console:
    """What the handlers share: the board (hub lookups, roster, exchange) and the console's own store."""

    def __init__(self, board, store: Store, base_url: str = "/"):
        self.board, self.store, self.base_url = board, store, base_url
        self._tokens: dict[str, tuple[float, dict | None]] = {}

    def roster(self) -> sources.Roster:
        return sources.roster(self.board.roster)

    def cohorts(self) -> list[str]:
        return sorted(set(self.roster().cohorts.values()))

    async def is_member(self, name: str) -> bool:
        """In the course's cohort (group nbgrader-<course>): the user's own model first (fetched when they are first
        seen, so a trainee added a moment ago counts), then the group (both briefly cached)."""
        group_name = f"nbgrader-{self.board.course}"
        model = await self.board.hub.get(f"/users/{quote(name, safe='')}") or {}
        if group_name in model.get("groups", []):
            return True
        group = await self.board.hub.get(f"/groups/{group_name}") or {}
        return name in group.get("users", [])

    async def user_for_token(self, token: str) -> dict | None:
        """The hub user a token belongs to (GET /hub/api/user with it), briefly cached by the token's hash."""
        key = hashlib.sha256(token.encode()).hexdigest()
        hit = self._tokens.get(key)
        if hit and time.monotonic() - hit[0] < TOKEN_CACHE_SECONDS:
            return hit[1]
        req = HTTPRequest(
            f"{self.board.hub.api_url}/user", headers={"Authorization": f"token {token}"}, request_timeout=10
        )
        try:
            model = json.loads((await AsyncHTTPClient().fetch(req)).body)
        except HTTPClientError as e:
            if e.code not in (401, 403, 404):
                raise
            model = None
        self._tokens[key] = (time.monotonic(), model)
        return model


class _Handler(HubOAuthenticated, web.RequestHandler):
    def initialize(self, console: Console):
        self.console = console
        self.board = console.board

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")

    def write_error(self, status_code: int, **kwargs):
        from classroom import page  # the board's own error page, so every error of the service looks the same

        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page.error(status_code))

    def html(self, text: str, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(text)

    def json(self, data, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False))

    def refuse(self, status: int, text: str) -> None:
        from classroom import page

        if "/api/" in self.request.path:
            return self.json({"error": text}, status)
        self.html(page.error(status, text), status)

    @property
    def name(self) -> str:
        return self.current_user["name"]

    async def instructor(self) -> bool:
        return await self.board.is_instructor(self.current_user)

    def notice(self) -> str:
        return NOTICES.get(self.get_argument("ok", ""), "")


class HelpPage(_Handler):
    """GET: the raise-hand form (trainee) or the queue (instructor); POST: raise a hand."""

    async def page(self, *, status: int = 200, error: str = "", chosen: str = "", note: str = "") -> None:
        now = utcnow()
        store = self.console.store
        if await self.instructor() and not error:
            text = help.instructor_page(
                course=self.board.course,
                queue=store.help_requests(open_only=True),
                recent=store.help_requests(limit=30),
                names=self.console.roster().names,
                base_url=self.console.base_url,
                xsrf=self.xsrf_form_html(),
                now=now,
                info=self.notice(),
            )
            return self.html(text, status)
        text = help.trainee_page(
            course=self.board.course,
            viewer=self.name,
            mine=store.help_requests(username=self.name),
            notebooks=help.released_notebooks(self.board.exchange, self.board.course),
            xsrf=self.xsrf_form_html(),
            now=now,
            chosen=chosen or self.get_argument("notebook", ""),
            note=note,
            info=self.notice(),
            error=error,
        )
        self.html(text, status)

    @web.authenticated
    async def get(self):
        await self.page()

    @web.authenticated
    async def post(self):
        typed = self.get_argument("notebook", "").strip()
        raw = typed or self.get_argument("notebook_choice", "")
        note_raw = self.get_argument("note", "")
        try:
            notebook = help.check_notebook(raw)
            note = help.check_note(note_raw)
        except help.BadRequest as e:
            return await self.page(status=400, error=str(e), chosen=raw, note=note_raw)
        if not await self.instructor() and not await self.is_trainee():
            return self.refuse(403, "このコースの研修生だけが手を挙げられます。")
        self.console.store.raise_hand(self.name, note, notebook)
        self.redirect("help?ok=raised", status=303)

    async def is_trainee(self) -> bool:
        return await self.console.is_member(self.name)


class HelpClose(_Handler):
    """POST help/<id>/(done|cancel): instructors close any request; a trainee cancels only their own."""

    @web.authenticated
    async def post(self, request_id: str, action: str):
        store = self.console.store
        req = store.help_request(int(request_id))
        instructor = await self.instructor()
        if req is None:
            return self.refuse(404, NO_REQUEST)
        if not instructor and (req.username != self.name or action != "cancel"):
            return self.refuse(403, NOT_YOURS if action == "cancel" else NOT_INSTRUCTOR)
        if not store.close_help(req.id, DONE if action == "done" else CANCELLED, self.name):
            return self.refuse(409, NO_REQUEST)
        self.redirect(f"../../help?ok={'done' if action == 'done' else 'cancelled'}", status=303)


class HelpApi(_Handler):
    """GET api/help: instructors get the open queue (and ``?all=1`` every request); a trainee their own requests."""

    @web.authenticated
    async def get(self):
        now = utcnow()
        store = self.console.store
        instructor = await self.instructor()
        if instructor:
            items = store.help_requests(open_only=not self.get_argument("all", ""))
        else:
            items = store.help_requests(username=self.name)
        self.json(
            {
                "course": self.board.course,
                "instructor": instructor,
                "viewer": self.name,
                "generated_at": now.isoformat(timespec="seconds"),
                "requests": [
                    {
                        **r.as_json(now),
                        "notebook_url": help.notebook_url(self.console.base_url, r.username, r.notebook),
                    }
                    for r in items
                ],
            }
        )


async def _visible(handler: _Handler) -> tuple[bool, list]:
    """Whether the viewer is an instructor, and the announcements they see (all; or the class's and their 期's)."""
    store = handler.console.store
    if await handler.instructor():
        return True, store.announcements()
    return False, store.announcements(cohort=handler.console.roster().cohorts.get(handler.name, ""))


class AnnouncementsPage(_Handler):
    @web.authenticated
    async def get(self):
        instructor, items = await _visible(self)
        self.html(self.render_page(instructor, items))

    def render_page(self, instructor: bool, items: list, **kw) -> str:
        return announcements.page(
            course=self.board.course,
            items=items,
            instructor=instructor,
            cohorts=self.console.cohorts(),
            xsrf=self.xsrf_form_html(),
            info=self.notice(),
            **kw,
        )

    @web.authenticated
    async def post(self):
        instructor, items = await _visible(self)
        if not instructor:
            return self.refuse(403, "お知らせを送れるのは講師だけです。")
        body, cohort = self.get_argument("body", ""), self.get_argument("cohort", "")
        try:
            body, cohort = announcements.check(body, cohort, self.console.cohorts())
        except help.BadRequest as e:
            return self.html(self.render_page(True, items, body=body, chosen=cohort, error=str(e)), 400)
        self.console.store.announce(self.name, body, cohort)
        self.redirect("announcements?ok=posted", status=303)


class AnnouncementDelete(_Handler):
    """POST announcements/<id>/delete: an instructor withdraws an announcement (gone from every trainee's view)."""

    @web.authenticated
    async def post(self, announcement_id: str):
        if not await self.instructor():
            return self.refuse(403, "お知らせを取り下げられるのは講師だけです。")
        if not self.console.store.delete_announcement(int(announcement_id)):
            return self.refuse(404, "そのお知らせは見つかりません。すでに取り下げられています。")
        self.redirect("../../announcements?ok=withdrawn", status=303)


class AnnouncementsEmbed(_Handler):
    """The latest few, framed by the hub's home page (same origin only)."""

    def set_default_headers(self):
        super().set_default_headers()
        self.set_header(
            "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
        )

    @web.authenticated
    async def get(self):
        _, items = await _visible(self)
        prefix = self.request.path.rsplit("announcements/", 1)[0]
        self.html(announcements.embed(self.board.course, items, prefix))


class AnnouncementsApi(_Handler):
    """GET api/announcements (JSON). Read-only: a same-origin ``fetch`` from the hub's pages may read it."""

    def check_xsrf_cookie(self):
        if self.request.method not in ("GET", "HEAD"):
            return super().check_xsrf_cookie()

    @web.authenticated
    async def get(self):
        instructor, items = await _visible(self)
        self.json(
            {"course": self.board.course, "instructor": instructor, "announcements": [a.as_json() for a in items]}
        )


class AnnouncementsFeed(web.RequestHandler):
    """Atom feed of one trainee's announcements, for their JupyterLab server (``LabApp.news_url``), which fetches
    it server-side with the trainee's own hub token as the basic-auth password."""

    def initialize(self, console: Console):
        self.console = console

    async def get(self):
        auth = self.request.headers.get("Authorization", "")
        token = ""
        if auth.startswith("Basic "):
            try:
                token = base64.b64decode(auth[6:]).decode().partition(":")[2]
            except ValueError:
                token = ""
        elif auth.startswith("token "):
            token = auth[6:].strip()
        user = await self.console.user_for_token(token) if token else None
        if user is None:
            self.set_status(401)
            self.set_header("WWW-Authenticate", 'Basic realm="classroom"')
            return self.finish("sign in required")
        board = self.console.board
        if await board.is_instructor(user):
            items = self.console.store.announcements()
        elif await self.console.is_member(user["name"]):
            items = self.console.store.announcements(cohort=self.console.roster().cohorts.get(user["name"], ""))
        else:
            self.set_status(403)
            return self.finish("not in this course")
        prefix = self.request.path.rsplit("/", 1)[0] + "/"
        self.set_header("Content-Type", "application/atom+xml; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(
            announcements.atom(board.course, items, self.request.full_url(), prefix, datetime.now().astimezone())
        )


def routes(console: Console, prefix: str) -> list[tuple]:
    """The console's routes under the service prefix (``make_app`` adds them beside the board's)."""
    from classroom import console_locks_web  # サインインのロック (its handlers build on _Handler above)

    kw = {"console": console}
    return [
        *console_locks_web.routes(console, prefix),
        (prefix + "help", HelpPage, kw),
        (prefix + r"help/(\d+)/(done|cancel)", HelpClose, kw),
        (prefix + "api/help", HelpApi, kw),
        (prefix + "announcements", AnnouncementsPage, kw),
        (prefix + "announcements/embed", AnnouncementsEmbed, kw),
        (prefix + r"announcements/(\d+)/delete", AnnouncementDelete, kw),
        (prefix + "api/announcements", AnnouncementsApi, kw),
        (prefix + "announcements.atom", AnnouncementsFeed, kw),
    ]

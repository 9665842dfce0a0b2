"""The console's web pages (tornado handlers behind the hub's OAuth): the board at the service's root, a trainee's
page (``trainee?user=NAME``) and the printable view (``print``). Who sees what is decided by ``board.visible_to``
(via ``app.Board.for_viewer``): instructors see everyone; a trainee sees only their own row and page, and gets
403 (in Japanese) for anyone else's page or the printable view of the class."""

from __future__ import annotations

import time
from datetime import datetime

from jupyterhub.services.auth import HubOAuthenticated
from tornado import web

from classroom import backup_note, console_page, deadlines, page, sources

TITLE_CACHE_SECONDS = 60  # assignment titles come from the source notebooks, which change rarely


class _Titles:
    """Assignment titles (the first heading of each notebook), read from ``source/`` at most once a minute."""

    def __init__(self):
        self._cache: dict[str, tuple[float, str]] = {}

    def get(self, source, names: list[str]) -> dict[str, str]:
        out = {}
        for name in names:
            hit = self._cache.get(name)
            if hit is None or time.monotonic() - hit[0] > TITLE_CACHE_SECONDS:
                hit = (time.monotonic(), sources.assignment_title(source / name))
                self._cache[name] = hit
            out[name] = hit[1]
        return out


_titles = _Titles()


class _ConsoleBase(HubOAuthenticated, web.RequestHandler):
    def initialize(self, board):
        self.board = board

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.set_header("X-Content-Type-Options", "nosniff")

    def write_error(self, status_code: int, **kwargs):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page.error(status_code))

    def refuse(self, status: int, text: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page.error(status, text))

    def html(self, text: str) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(text)

    def filters(self) -> dict:
        return {
            "cohort": self.get_argument("cohort", ""),
            "dept": self.get_argument("dept", ""),
            "team": self.get_argument("team", ""),
            "sort": self.get_argument("sort", ""),
        }


class BoardHandler(_ConsoleBase):
    """The board: the whole class for instructors (filters, sorting, the last backup), a trainee's own row
    otherwise."""

    def initialize(self, board, backup_status=None):
        self.board = board
        self.backup_status = backup_status

    @web.authenticated
    async def get(self):
        view = await self.board.for_viewer(self.current_user)
        f = self.filters()
        f["sort"] = f["sort"] or "behind"
        now = datetime.now(deadlines.JST)
        backup = backup_note.html(self.backup_status, now) if view["instructor"] else ""
        self.html(console_page.board(view, course_title=self.board.title, now=now, backup=backup, **f))


class PrintHandler(_ConsoleBase):
    """The printable board (A4 landscape) for the training record; instructors only."""

    @web.authenticated
    async def get(self):
        view = await self.board.for_viewer(self.current_user)
        if not view["instructor"]:
            return self.refuse(
                403, "印刷用の一覧は講師だけが開けます。自分の記録は「課題ごとの詳しい記録」から印刷できます。"
            )
        f = self.filters()
        f["sort"] = f["sort"] or "name"
        self.html(console_page.print_view(view, course_title=self.board.title, now=datetime.now(deadlines.JST), **f))


class TraineeHandler(_ConsoleBase):
    """One trainee's page: their own for a trainee, anyone's in the course for an instructor; with the team's grade
    (班の成果物) and their reflection (振り返り) when the console has team pages (``console_teams_web.Teamwork``)."""

    def initialize(self, board, teamwork=None):
        super().initialize(board)
        self.teamwork = teamwork

    @web.authenticated
    async def get(self):
        await self.render_page(self.get_argument("user", self.current_user["name"]))

    async def render_page(self, wanted: str, *, status: int = 200, body: str | None = None, error: str = "") -> None:
        viewer = self.current_user["name"]
        view = await self.board.for_viewer(self.current_user)
        if wanted != viewer and not view["instructor"]:
            return self.refuse(403, "ほかの研修生の記録は見られません。自分の記録は研修コンソールから開けます。")
        row = next((r for r in view["trainees"] if r["username"] == wanted), None)
        if row is None:
            who = "あなたの記録はまだありません" if wanted == viewer else "この研修生はコースに登録されていません"
            return self.refuse(404, f"{who}。研修コンソールに戻って確かめてください。")
        titles = _titles.get(self.board.source, view["assignments"])
        now = datetime.now(deadlines.JST)
        sections = ""
        if self.teamwork is not None:
            info = "振り返りを提出しました。" if self.get_argument("ok", "") == "reflection" and not error else ""
            sections = self.teamwork.record_sections(
                row, own=wanted == viewer, xsrf=self.xsrf_form_html(), body=body, error=error, info=info
            )
        self.set_status(status)
        self.html(
            console_page.trainee(
                view, row, titles, course_title=self.board.title, now=now, fresh=True, sections=sections
            )
        )


def routes(prefix: str, board, teamwork=None, backup_status=None) -> list[tuple]:
    """The console's pages under the service prefix (the board replaces the old table at the root)."""
    kw = {"board": board}
    return [
        (prefix, BoardHandler, {**kw, "backup_status": backup_status}),
        (prefix + console_page.TRAINEE_PATH, TraineeHandler, {**kw, "teamwork": teamwork}),
        (prefix + console_page.PRINT_PATH, PrintHandler, kw),
    ]

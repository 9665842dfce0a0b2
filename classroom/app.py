"""The progress board service (tornado + hub OAuth): ``python -m classroom.app --course ID``.

Run by supervisord as the course's grader account, which owns the exchange's inbound folder and the
gradebook; trainees' homes stay closed to it. The hub settings come from the JUPYTERHUB_* environment, the
key that numbers completion certificates from TESTBED_CERTIFICATE_KEY (secrets stay off the command line),
everything else (course title, pass ratio) from options set by ``testbed_cli/progress.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from tornado import ioloop, web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from classroom import board, certificate, completion, console_web, deadlines, fresh_web, marks, page, solutions, sources
from classroom import console as help_console
from classroom.console_teams_web import Teamwork
from classroom.console_teams_web import routes as team_routes
from classroom.store import Store
from testbed_config.names import classroom_store_file

HUB_CACHE_SECONDS = 10  # the board is never more than this (plus a page reload) behind the hub


class Hub:
    """The few hub API reads the board needs, with the service's own token, briefly cached."""

    def __init__(self, api_url: str, token: str):
        self.api_url, self.token = api_url.rstrip("/"), token
        self._cache: dict[str, tuple[float, dict | None]] = {}

    async def get(self, path: str) -> dict | None:
        hit = self._cache.get(path)
        if hit and time.monotonic() - hit[0] < HUB_CACHE_SECONDS:
            return hit[1]
        req = HTTPRequest(f"{self.api_url}{path}", headers={"Authorization": f"token {self.token}"}, request_timeout=10)
        try:
            resp = await AsyncHTTPClient().fetch(req)
            value = json.loads(resp.body)
        except HTTPClientError as e:
            if e.code == 404:
                value = None
            elif hit:  # the hub is restarting: keep the last answer rather than fail the page
                return hit[1]
            else:
                raise
        except OSError:
            if hit:
                return hit[1]
            raise
        self._cache[path] = (time.monotonic(), value)
        return value

    def forget(self, path: str) -> None:
        """Drop the cached answer for ``path``: the next read asks the hub."""
        self._cache.pop(path, None)


class Board:
    """Where one course's facts live, and the board built from them for a viewer."""

    def __init__(
        self,
        course: str,
        hub: Hub,
        *,
        exchange: Path,
        gradebook: Path,
        roster: Path,
        source: Path,
        unix_prefix: str,
        rule: completion.Rule,
        title: str = "",
        font: Path | None = None,
        solution_after: int = 0,
    ):
        self.course, self.hub, self.unix_prefix = course, hub, unix_prefix
        self.exchange, self.gradebook, self.roster, self.source = exchange, gradebook, roster, source
        self.rule, self.title, self.font = rule, title, font
        self.solution_after = solution_after  # remote mode: model answers after this many failures; 0 never

    async def is_instructor(self, user: dict) -> bool:
        if user.get("admin"):
            return True
        model = await self.hub.get(f"/users/{quote(user['name'])}") or {}
        return bool(model.get("admin")) or f"formgrade-{self.course}" in model.get("groups", [])

    async def for_viewer(self, user: dict, *, fresh: bool = False) -> dict:
        """The board as ``user`` may see it; ``fresh`` asks the hub for the cohort again (a trainee added seconds
        ago is not "unknown" to an action that names them)."""
        if fresh:
            self.hub.forget(f"/groups/nbgrader-{self.course}")
        instructor = await self.is_instructor(user)
        group = await self.hub.get(f"/groups/nbgrader-{self.course}") or {}
        cohort = set(group.get("users", []))
        if not instructor:  # only the cohort may open the board (hub role), even before the cache knows them
            cohort.add(user["name"])
        facts = sources.collect(self.exchange, self.gradebook, self.roster, self.unix_prefix, self.source)
        now = datetime.now(deadlines.JST)
        full = board.build(facts, sorted(cohort), self.course, self.rule, now)
        full["generated_at"] = now.isoformat(timespec="seconds")
        return board.visible_to(full, user["name"], instructor=instructor)

    def certificate_of(self, row: dict, required: list[str]) -> certificate.Certificate:
        """The certificate of a trainee who has completed (a row of the board and its required assignments)."""
        done = row["completion"]
        results = []
        for name in required:
            cell = row["assignments"].get(name) or {}
            results.append(
                certificate.Result(
                    name,
                    sources.assignment_title(self.source / name),
                    cell.get("score") or 0.0,
                    cell.get("max_score") or 0.0,
                )
            )
        return certificate.Certificate(
            username=row["username"],
            fullname=row["fullname"],
            dept=row["dept"],
            course_id=self.course,
            course_title=self.title,
            completed_on=date.fromisoformat(done["completed_on"]),
            number=done["certificate_number"],
            pass_ratio=self.rule.pass_ratio,
            results=tuple(results),
        )


class _Base(HubOAuthenticated, web.RequestHandler):
    def initialize(self, board: Board):
        self.board = board

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")

    def write_error(self, status_code: int, **kwargs):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page.error(status_code))


class PageHandler(_Base):
    @web.authenticated
    async def get(self):
        data = await self.board.for_viewer(self.current_user)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page.render(data, data["generated_at"][:19].replace("T", " ")))


class ApiHandler(_Base):
    @web.authenticated
    async def get(self):
        data = await self.board.for_viewer(self.current_user)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False))


class CertificateHandler(_Base):
    """The requesting trainee's own certificate; an instructor's of anyone (``?user=NAME``)."""

    def refuse(self, status: int, text: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page.error(status, text))

    @web.authenticated
    async def get(self):
        viewer = self.current_user
        wanted = self.get_argument("user", viewer["name"])
        data = await self.board.for_viewer(viewer)
        if wanted != viewer["name"] and not data["instructor"]:
            return self.refuse(
                403, "ほかの研修生の修了証はダウンロードできません。自分の修了証は進捗ボードから取得してください。"
            )
        row = next((r for r in data["trainees"] if r["username"] == wanted), None)
        if row is None or not row["completion"]["completed"]:
            if wanted != viewer["name"]:
                return self.refuse(403, f"{wanted} さんはまだこのコースを修了していません (進捗ボードで確認できます)。")
            return self.refuse(
                403,
                "あなたはまだこのコースを修了していません。すべての課題に合格すると修了証をダウンロードできます。"
                "残っている課題は進捗ボードで確認できます。",
            )
        if self.board.font is None:
            return self.refuse(503, "修了証を作るための日本語フォントが見つかりません。運用者に連絡してください。")
        cert = self.board.certificate_of(row, data["required"])
        pdf = await ioloop.IOLoop.current().run_in_executor(None, certificate.render, cert, self.board.font)
        filename = f"shuryosho-{self.board.course}-{row['username']}.pdf"
        japanese = quote(f"修了証_{self.board.course}_{row['username']}.pdf")
        self.set_header("Content-Type", "application/pdf")
        self.set_header("Content-Disposition", f"attachment; filename=\"{filename}\"; filename*=UTF-8''{japanese}")
        self.finish(pdf)


class SolutionHandler(_Base):
    """A model answer for the requesting trainee's ``q.solution()`` (remote mode, after enough failed self-checks):
    asked by their kernel with its server's token (``classroom/solutions.py``)."""

    @web.authenticated
    async def get(self):
        assignment, question = self.get_argument("assignment", ""), self.get_argument("question", "")
        unix = self.board.unix_prefix + self.current_user["name"]
        tries = await ioloop.IOLoop.current().run_in_executor(None, marks.read_tries, self.board.exchange)
        failures = tries.get((unix, assignment), {}).get(question, {}).get("failures", 0)
        released = (
            solutions.SAFE_NAME.match(assignment) is not None
            and (self.board.exchange / "outbound" / assignment).is_dir()
        )
        answer = solutions.model_answer(self.board.source, assignment, question) if released else None
        status, body = solutions.decide(self.board.solution_after, failures, released, answer)
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body, ensure_ascii=False))


class HealthHandler(web.RequestHandler):
    def get(self):
        self.finish("ok")


def make_app(
    board_: Board,
    prefix: str,
    console: help_console.Console | None = None,
    hub_url: str = "",
    teamwork: Teamwork | None = None,
    backup_status: Path | None = None,
) -> web.Application:
    kw = {"board": board_}
    extra = help_console.routes(console, prefix) if console else []  # help queue, announcements
    if hub_url:  # a fresh copy of an assignment, through the trainee's own server behind the hub's proxy
        extra += fresh_web.routes(prefix, board_, hub_url)
    if teamwork:  # 班の成果物 (rubric grading) and 振り返り
        extra += team_routes(prefix, board_, teamwork)
    return web.Application(
        [
            *console_web.routes(prefix, board_, teamwork, backup_status),  # board, trainee pages, printable view
            (prefix + "api/progress", ApiHandler, kw),
            (prefix + page.CERTIFICATE_PATH, CertificateHandler, kw),
            (prefix + "api/solution", SolutionHandler, kw),
            (prefix + "health", HealthHandler),
            (prefix + "oauth_callback", HubOAuthCallbackHandler),
            *extra,
        ],
        cookie_secret=os.urandom(32),
        xsrf_cookies=True,  # form POSTs carry the service's xsrf token (JupyterHub's HubOAuth flavour)
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--course", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--address", default="127.0.0.1", help="where to listen (0.0.0.0 in a container)")
    p.add_argument("--exchange", type=Path, required=True, help="the course's folder in the nbgrader exchange")
    p.add_argument("--gradebook", type=Path, required=True)
    p.add_argument("--roster", type=Path, required=True, help="JSON export of the course's roster")
    p.add_argument("--source", type=Path, required=True, help="the course's nbgrader source folder (its assignments)")
    p.add_argument("--unix-prefix", default="", help="trainees' Unix accounts are <prefix><hub name>")
    p.add_argument("--pass-ratio", type=float, required=True, help="share of an assignment's points that passes it")
    p.add_argument("--title", default="", help="the course's title, printed on completion certificates")
    p.add_argument("--font", type=Path, help="TrueType Japanese font for certificates (default: IPAexGothic)")
    p.add_argument("--hub-url", default="", help="the hub's proxy as reached from here (trainees' servers)")
    p.add_argument(
        "--solution-after", type=int, default=0, help="remote mode: model answers after N failed self-checks; 0 never"
    )
    p.add_argument("--store", type=Path, help="SQLite file of the help queue and announcements (default: in HOME)")
    p.add_argument("--rubric", type=Path, help="the workshop's rubric (YAML) for grading team deliverables")
    p.add_argument("--backup-status", type=Path, help="the stack's backup status (JSON), shown to instructors")
    args = p.parse_args(argv)
    if not 0 < args.pass_ratio <= 1:
        p.error("--pass-ratio must be in (0, 1]")
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    hub = Hub(os.environ["JUPYTERHUB_API_URL"], os.environ["JUPYTERHUB_API_TOKEN"])
    rule = completion.Rule(args.pass_ratio, os.environ["TESTBED_CERTIFICATE_KEY"].encode())
    font = args.font or certificate.find_font()
    if font is None:  # the board still works; only certificates are refused (503, in Japanese)
        print(f"no Japanese font for certificates: install {certificate.FONT_PACKAGE} or pass --font", flush=True)
    try:
        marks.ensure_dropbox(args.exchange)
    except OSError as e:  # the board still shows submissions and scores; only fetch and self-check marks are missing
        print(f"no drop box for fetch and self-check marks in {args.exchange}: {e}", flush=True)
    b = Board(
        args.course,
        hub,
        exchange=args.exchange,
        gradebook=args.gradebook,
        roster=args.roster,
        source=args.source,
        unix_prefix=args.unix_prefix,
        rule=rule,
        title=args.title,
        font=font,
        solution_after=args.solution_after,
    )
    store = Store(args.store or Path.home() / classroom_store_file(args.course))
    console = help_console.Console(b, store, os.environ.get("JUPYTERHUB_BASE_URL", "/"))
    teamwork = Teamwork(b, store, args.rubric)  # without --rubric the pages say so (in Japanese) instead of grading
    make_app(b, prefix, console, args.hub_url, teamwork, args.backup_status).listen(args.port, address=args.address)
    print(f"classroom service of {args.course} on {args.address}:{args.port}{prefix}", flush=True)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()

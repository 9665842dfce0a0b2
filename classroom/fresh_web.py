"""The console's 「配布時の状態に戻す」 (a fresh copy of an assignment): a confirmation page and the POST that does it.

``fresh?user=NAME&assignment=A`` (GET) says what will happen; the form POSTs back (service xsrf token). An
instructor may restore any trainee's assignment; a trainee only their own, and only before submitting it.
The work goes through the trainee's own server with the token the hub issued to the person asking
(``fresh_copy``), so a trainee's request can touch nothing but their own server, and the service itself holds
no rights on anyone's home.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from jupyterhub.services.auth import HubOAuthenticated
from tornado import ioloop, web

from classroom import console_page, fresh_copy
from classroom.console_html import message, shell
from testbed_config.japan_time import now as japan_now

PATH = console_page.FRESH_PATH
UNKNOWN_TRAINEE = (
    "研修生「{user}」はこのコースに登録されていません。研修コンソールで名前を確かめてください。何も変更していません。"
)
NOT_YOURS = "ほかの研修生の課題は戻せません。自分の課題だけを配布時の状態に戻せます。"


def _page(title: str, body: str, back: str) -> str:
    return shell(title, f'<h1>{escape(title)}</h1>{body}<p><a href="{escape(back)}">記録のページに戻る</a></p>')


class FreshCopy(HubOAuthenticated, web.RequestHandler):
    def initialize(self, board, hub_url: str):
        self.board, self.hub_url = board, hub_url

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")

    def write_error(self, status_code: int, **kwargs):
        from classroom import page

        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page.error(status_code))

    def show(self, status: int, title: str, body: str, user: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        back = "trainee?" + urlencode({"user": user}) if user else "./"
        self.finish(_page(title, body, back))

    async def _checked(self) -> tuple[str, str, dict] | None:
        """(user, assignment, cell) when the request may go ahead; otherwise the refusal has been sent."""
        viewer = self.current_user["name"]
        user = self.get_argument("user", viewer).strip()
        view = await self.board.for_viewer(self.current_user)
        title = "配布時の状態に戻せません"
        if user != viewer and not view["instructor"]:
            self.show(403, title, message(NOT_YOURS, error=True), viewer)
            return None
        row = next((r for r in view["trainees"] if r["username"] == user), None)
        if row is None:  # perhaps added since the cohort was last read: ask the hub once more before refusing
            view = await self.board.for_viewer(self.current_user, fresh=True)
            row = next((r for r in view["trainees"] if r["username"] == user), None)
        if row is None:
            self.show(404, title, message(UNKNOWN_TRAINEE.format(user=user[:60]), error=True), "")
            return None
        try:
            name = fresh_copy.check_assignment(
                self.get_argument("assignment", ""), fresh_copy.released(self.board.exchange)
            )
        except fresh_copy.Refused as e:
            self.show(400, title, message(str(e), error=True), user)
            return None
        cell = row["assignments"].get(name) or {}
        if not view["instructor"] and cell.get("submitted"):
            self.show(409, title, message(fresh_copy.ALREADY_SUBMITTED.format(name=name), error=True), user)
            return None
        return user, name, cell

    @web.authenticated
    async def get(self):
        checked = await self._checked()
        if checked is None:
            return
        user, name, cell = checked
        folder = f"{self.board.course}/{name}"
        stamp = japan_now().strftime("%Y%m%d-%H%M%S")
        warn = (
            '<p class="note">この課題はすでに提出されています。戻しても提出済みのものは変わりません'
            " (戻したあとで提出し直すと、新しい提出が採点されます)。</p>"
            if cell.get("submitted")
            else ""
        )
        body = (
            f"<p><strong>{escape(user)}</strong> さんの課題「<strong>{escape(name)}</strong>」"
            f"(ホームの <code>{escape(folder)}/</code>) を、配布されたときの状態に戻します。</p>"
            "<ul><li>配布時と内容が違うファイルは、消さずに同じフォルダーに名前を変えて残します"
            f" (例: <code>{escape(name)}_{fresh_copy.ASIDE_WORD}_{stamp}.ipynb</code>、日本時間の日時つき)。</li>"
            "<li>自分で追加したファイルはそのまま残ります。採点されるのは配布時の名前のノートブックだけです。</li>"
            "<li>開いているノートブックは、戻したあとで再読み込みしてください。</li></ul>"
            f"{warn}"
            f'<form method="post" action="{PATH}">{self.xsrf_form_html()}'
            f'<input type="hidden" name="user" value="{escape(user)}">'
            f'<input type="hidden" name="assignment" value="{escape(name)}">'
            '<p><button type="submit" class="big" name="action" value="fresh">配布時の状態に戻す</button></p></form>'
        )
        self.show(200, f"配布時の状態に戻す: {name}", body, user)

    @web.authenticated
    async def post(self):
        checked = await self._checked()
        if checked is None:
            return
        user, name, _ = checked
        token = self.hub_auth.get_token(self)
        contents = fresh_copy.Contents(self.hub_url, user, token)

        def work():
            files = fresh_copy.released_files(self.board.exchange, name)
            return fresh_copy.restore(contents, course=self.board.course, assignment=name, files=files, at=japan_now())

        try:
            result = await ioloop.IOLoop.current().run_in_executor(None, work)
        except fresh_copy.Refused as e:
            return self.show(409, "配布時の状態に戻せませんでした", message(str(e), error=True), user)
        items = "".join(f"<li><code>{escape(a)}</code> → <code>{escape(b)}</code></li>" for a, b in result.kept)
        body = message(fresh_copy.summary(result)) + (
            f"<h2>名前を変えて残したファイル</h2><ul>{items}</ul>" if items else ""
        )
        self.show(200, f"配布時の状態に戻しました: {name}", body, user)


def routes(prefix: str, board, hub_url: str) -> list[tuple]:
    return [(prefix + PATH, FreshCopy, {"board": board, "hub_url": hub_url})]

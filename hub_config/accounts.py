"""/hub/trainee-accounts: the instructor's page for trainees' accounts (admins only, in Japanese).

Reset a trainee's password (the new one is shown once, on a printable card), disable or enable a
trainee, and lift a sign-in lock. It lives in the hub process because the hub alone (root) may write
the password store; the console service runs as an unprivileged account. Disabling stops the
trainee's server, ends their sessions and hub tokens, and blocks their CKAN user (the authenticator's
``ckan_account_state``); their files, grades and CKAN datasets stay. Served by ``TestbedAuthenticator``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from jupyterhub import orm
from jupyterhub.handlers import BaseHandler
from jupyterhub.scopes import needs_scope
from jupyterhub.utils import new_token
from tornado import web

from hub_config import passwords

TRAINEE_GROUP_PREFIX = "nbgrader-"  # the course groups trainees are in (configurer.course_groups)
ACTIONS = ("reset", "disable", "enable", "unlock", "unlock-address")


def roster_names(path: str) -> dict[str, tuple[str, str]]:
    """氏名 and 所属 per user name from the cohort roster (read only; empty when there is none)."""
    if not path or not Path(path).exists():
        return {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return {u: (f or "", d or "") for u, f, d in conn.execute("SELECT username, fullname, dept FROM roster")}
    except sqlite3.Error:
        return {}


class AccountsHandler(BaseHandler):
    """List the trainees with their state; POST ``action`` (reset, disable, enable, unlock) for ``username``."""

    path = r"/trainee-accounts"

    def _trainees(self) -> list[orm.User]:
        auth = self.authenticator
        staff = set(auth.staff_users) | set(auth.admin_users)
        found = [
            u
            for u in self.db.query(orm.User).order_by(orm.User.name)
            if not u.admin and u.name not in staff and any(g.name.startswith(TRAINEE_GROUP_PREFIX) for g in u.groups)
        ]
        return found

    async def _page(self, *, alert: str = "", message: str = "", card: dict | None = None) -> None:
        auth = self.authenticator
        names = await asyncio.to_thread(roster_names, auth.roster_db)
        disabled = await asyncio.to_thread(passwords.disabled_users, Path(auth.password_db))
        rows = []
        for u in self._trainees():
            user = self.find_user(u.name)
            fullname, dept = names.get(u.name, ("", ""))
            rows.append(
                {
                    "name": u.name,
                    "fullname": fullname,
                    "dept": dept,
                    "disabled": u.name in disabled,
                    "locked_minutes": -(-int(auth.user_throttle.locked_for(u.name)) // 60),
                    "running": bool(user and user.spawner.active),
                }
            )
        addresses = {a: -(-int(left) // 60) for a, left in auth.address_throttle.locked().items()}
        html = await self.render_template(
            "trainee-accounts.html",
            rows=rows,
            locked_addresses=addresses,
            alert=alert,
            result_message=message,
            card=card,
            hub_address=f"{self.request.protocol}://{self.request.host}{self.hub.base_url}",
        )
        self.set_header("Cache-Control", "no-store")  # the page may hold a new password
        self.finish(html)

    @web.authenticated
    @needs_scope("admin:users")
    async def get(self):
        await self._page()

    @web.authenticated
    @needs_scope("admin:users")
    async def post(self):
        action = self.get_body_argument("action", "")
        name = self.get_body_argument("username", "").strip()
        if action == "unlock-address":
            self.authenticator.address_throttle.forget(name)
            self.log.info("%s lifted the sign-in lock of address %s", self.current_user.name, name)
            return await self._page(
                alert="alert-success", message=f"端末 {name} からのサインインのロックを解除しました。"
            )
        if action not in ACTIONS or name not in {u.name for u in self._trainees()}:
            self.set_status(404)
            return await self._page(
                alert="alert-danger",
                message=f"研修生「{name[:32]}」は見つかりません。一覧から選んでください (何も変更していません)。",
            )
        self.log.info("%s: %s of trainee %s", self.current_user.name, action, name)
        await getattr(self, "_" + action)(name)

    def _end_sessions(self, name: str) -> None:
        """Sign the trainee out everywhere: a new cookie id and none of their hub tokens."""
        u = orm.User.find(self.db, name)
        u.cookie_id = new_token()
        for token in list(u.api_tokens):
            self.db.delete(token)
        self.db.commit()

    async def _reset(self, name: str) -> None:
        auth = self.authenticator
        password = await asyncio.to_thread(passwords.reset_password, Path(auth.password_db), name)
        auth.user_throttle.forget(name)
        self._end_sessions(name)
        fullname, dept = (await asyncio.to_thread(roster_names, auth.roster_db)).get(name, ("", ""))
        card = {"username": name, "fullname": fullname, "dept": dept, "password": password}
        note = " (アカウントは停止中のままです)" if await asyncio.to_thread(auth.is_disabled, name) else ""
        await self._page(
            alert="alert-success",
            message=f"{name} さんのパスワードを再発行しました{note}。前のパスワードは使えません。"
            "新しいパスワードはこの画面にしか表示されません: 印刷するか書き写して本人に渡してください。",
            card=card,
        )

    async def _ckan(self, name: str, active: bool) -> str:
        """Set the trainee's CKAN user active or blocked; '' or a Japanese warning."""
        set_state = self.authenticator.ckan_account_state
        if set_state is None:
            return ""
        try:
            await asyncio.to_thread(set_state, name, active)
        except Exception as e:  # CKAN down or refusing: the hub side is done, say so
            self.log.error("CKAN account of %s not %s: %s", name, "restored" if active else "blocked", e)
            return f" ただし CKAN の側は変更できませんでした ({e})。少し待ってから、もう一度同じ操作をしてください。"
        return ""

    async def _disable(self, name: str) -> None:
        await asyncio.to_thread(passwords.set_disabled, Path(self.authenticator.password_db), name, True)
        user = self.find_user(name)
        if user is not None and user.spawner.active and not user.spawner.pending:
            await self.stop_single_user(user)
        self._end_sessions(name)
        warning = await self._ckan(name, False)
        await self._page(
            alert="alert-warning" if warning else "alert-success",
            message=f"{name} さんのアカウントを停止しました。作業環境を止め、サインインとデータカタログ (CKAN) の"
            f"利用を止めています。ファイルと成績はそのまま残っています。{warning}",
        )

    async def _enable(self, name: str) -> None:
        await asyncio.to_thread(passwords.set_disabled, Path(self.authenticator.password_db), name, False)
        self.authenticator.user_throttle.forget(name)
        warning = await self._ckan(name, True)
        await self._page(
            alert="alert-warning" if warning else "alert-success",
            message=f"{name} さんのアカウントを再開しました。前と同じパスワードでサインインできます。{warning}",
        )

    async def _unlock(self, name: str) -> None:
        self.authenticator.user_throttle.forget(name)
        await self._page(alert="alert-success", message=f"{name} さんのサインインのロックを解除しました。")

"""Sign-in with individual passwords (on-site mode): each trainee has their own hashed password.

Besides checking the password (scrypt store, ``passwords.py``) the authenticator refuses accounts an
instructor disabled (at sign-in, at the next request of an open session via ``refresh_user``, and before
any spawn), throttles failed sign-ins per user and per address (``throttle.py``: a growing delay, then
a lock of some minutes, logged, kept across a hub restart in ``throttle_db``), says why in Japanese on
the sign-in page, and serves the instructor's account page (``accounts.py``: reset a password, disable/enable, unlock)
and the API of every sign-in lock, the hub's and CKAN's (``throttle_api.py``: the console's page and
``./testbed signin``).
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.handlers.login import LoginHandler
from traitlets import Callable, Integer, Set, Unicode, default

from hub_config import passwords, teams
from hub_config.throttle import SignInThrottle
from hub_config.throttle_store import ThrottleStore

BAD_LOGIN = "ユーザー名またはパスワードが違います。配布された用紙を確かめて、もう一度入力してください。"
FORM_EXPIRED = "サインインできませんでした。ページを読み込み直して、もう一度入力してください。"
DISABLED = "このアカウントは講師が停止しています。サインインできるようにするには、講師に声をかけてください。"
USER_LOCKED = (
    "サインインの失敗が続いたため、このアカウントは一時的にロックされています。"
    "{minutes} 分ほど待ってからやり直すか、講師に声をかけてください。"
)
ADDRESS_LOCKED = (
    "この端末からのサインインの失敗が続いたため、一時的にサインインを止めています。"
    "{minutes} 分ほど待ってからやり直すか、講師に声をかけてください。"
)


class AccountDisabledError(RuntimeError):
    """A disabled trainee's server may not start (the message is shown on the spawn page)."""


def _say(handler, message: str) -> None:
    """Leave the Japanese reason for the sign-in page (TestbedLoginHandler shows it)."""
    if handler is not None:
        handler.testbed_login_error = message


class TestbedLoginHandler(LoginHandler):
    """/hub/login whose refusal says, in Japanese, why (wrong password, disabled, locked)."""

    def _render(self, login_error=None, username=None, **kwargs):
        if login_error:
            reason = getattr(self, "testbed_login_error", None)
            login_error = reason or (BAD_LOGIN if login_error == "Invalid username or password" else FORM_EXPIRED)
        return super()._render(login_error=login_error, username=username, **kwargs)


class ThrottledSignIn(Authenticator):
    """Failed sign-ins counted per user name and per address (``throttle.py``): a growing delay, then a lock of
    some minutes, logged and kept across a hub restart; the reason is left for the sign-in page in Japanese.
    Shared by on-site mode's authenticator and remote mode's (``native_auth.py``), staff included."""

    max_failures_per_user = Integer(10, help="Failed sign-ins for one user name that lock it.").tag(config=True)
    max_failures_per_address = Integer(
        100, help="Failed sign-ins from one address that lock it (a classroom may share one address)."
    ).tag(config=True)
    failure_window_minutes = Integer(15, help="Failures older than this are forgotten.").tag(config=True)
    lock_minutes = Integer(10, help="How long a lock lasts (an instructor can unlock at once).").tag(config=True)
    throttle_db = Unicode(
        "", help="SQLite file keeping the sign-in failures and locks across a hub restart; '': memory only."
    ).tag(config=True)

    def _throttle(self, limit: int, scope: str) -> SignInThrottle:
        # the delay reaches its maximum (2 s) at 8 failures of one user, at 80 of a shared classroom address
        return SignInThrottle(
            limit=limit,
            lock=self.lock_minutes * 60,
            window=self.failure_window_minutes * 60,
            delay_step=2.0 / max(limit * 0.8, 1),
            store=ThrottleStore(self.throttle_db, scope) if self.throttle_db else None,
        )

    @property
    def user_throttle(self) -> SignInThrottle:
        if not hasattr(self, "_user_throttle"):
            self._user_throttle = self._throttle(self.max_failures_per_user, "user")
        return self._user_throttle

    @property
    def address_throttle(self) -> SignInThrottle:
        if not hasattr(self, "_address_throttle"):
            self._address_throttle = self._throttle(self.max_failures_per_address, "address")
        return self._address_throttle

    async def throttled(self, handler, username: str, check) -> bool:
        """``await check()`` (True: the password is right) unless ``username`` or the address is locked; a failure
        counts against both and waits a little longer each time (a right password never waits)."""
        address = handler.request.remote_ip if handler is not None else ""
        for throttle, key, message in (
            (self.user_throttle, username, USER_LOCKED),
            (self.address_throttle, address, ADDRESS_LOCKED),
        ):
            left = throttle.locked_for(key)
            if left:
                self.log.warning("Refused sign-in of %s from %s: locked for %.0f s more", username, address, left)
                _say(handler, message.format(minutes=math.ceil(left / 60)))
                return False
        if not await check():
            self.log.warning("Failed login for %s from %s", username, address)
            if self.user_throttle.failure(username):
                self.log.warning("Sign-in of %s locked for %d min after repeated failures", username, self.lock_minutes)
            if self.address_throttle.failure(address):
                self.log.warning(
                    "Sign-in from %s locked for %d min after repeated failures", address, self.lock_minutes
                )
            await asyncio.sleep(max(self.user_throttle.delay(username), self.address_throttle.delay(address)))
            return False
        self.user_throttle.forget(username)
        return True


class TestbedAuthenticator(ThrottledSignIn):
    """Checks a user name and password against the testbed's scrypt password store."""

    password_db = Unicode(help="Path of the SQLite file holding the password hashes.").tag(config=True)
    roster_db = Unicode("", help="The cohort roster (氏名, 所属) the account page shows; optional.").tag(config=True)
    staff_users = Set(help="Instructors (and admins): the account page never resets or disables them.").tag(config=True)
    ckan_url = Unicode("", help="CKAN's internal URL, for its sign-in locks (throttle_api.py); '': none.").tag(
        config=True
    )
    ckan_token_file = Unicode("", help="File of CKAN's admin token, for its sign-in locks (throttle_api.py).").tag(
        config=True
    )
    ckan_account_state = Callable(
        None,
        allow_none=True,
        help="f(hub_username, active) that blocks or restores the trainee's CKAN user (run in a thread); "
        "None: the CKAN side is not touched.",
    ).tag(config=True)

    @default("auth_refresh_age")
    def _refresh_often(self):
        return 30  # an open session of a disabled trainee ends within this many seconds (refresh_user)

    @default("refresh_pre_spawn")
    def _refresh_before_spawn(self):
        return True

    def is_disabled(self, username: str) -> bool:
        return passwords.is_disabled(Path(self.password_db), username)

    async def authenticate(self, handler, data):
        username = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        if not username or not password:
            return None

        async def right_password() -> bool:
            # scrypt takes ~40 ms of CPU: off the event loop, so a class signing in together hashes on every core
            return await asyncio.to_thread(passwords.verify, Path(self.password_db), username, password)

        if not await self.throttled(handler, username, right_password):
            return None
        if await asyncio.to_thread(self.is_disabled, username):
            # only someone who knows the password learns that the account exists and is disabled
            address = handler.request.remote_ip if handler is not None else ""
            self.log.warning("Refused sign-in of disabled account %s from %s", username, address)
            _say(handler, DISABLED)
            return None
        info = await asyncio.to_thread(self.roster_user_info, username)
        return {"name": username, "user_info": info} if info else username

    def roster_user_info(self, username: str) -> dict | None:
        """The trainee's 氏名 from the roster as JupyterHub's ``user_info``: a team workspace's collaborators list and
        cursors show it (jupyterhub-singleuser's IdentityProvider), not the team account or a bare user name."""
        return teams.user_info(teams.roster_fullname(self.roster_db, username))

    async def refresh_user(self, user, handler=None):
        """An open session of a disabled account must sign in again (and is then refused); a 氏名 corrected in the
        roster reaches ``user_info`` within ``auth_refresh_age``."""
        if await asyncio.to_thread(self.is_disabled, user.name):
            return False
        info = await asyncio.to_thread(self.roster_user_info, user.name)
        if info and info != (user.user_info or None):
            return {"name": user.name, "user_info": info}
        return True

    async def pre_spawn_start(self, user, spawner):
        """No server for a disabled account, whoever asks for it (the trainee's session or an admin)."""
        if await asyncio.to_thread(self.is_disabled, user.name):
            self.log.warning("Refused to start the server of disabled account %s", user.name)
            raise AccountDisabledError(
                f"{user.name} さんのアカウントは講師が停止しているため、作業環境を起動できません。"
            )

    def get_handlers(self, app):
        from hub_config.accounts import AccountsHandler  # imports the hub's handler machinery
        from hub_config.throttle_handler import handler_spec

        return [
            ("/login", TestbedLoginHandler),
            (AccountsHandler.path, AccountsHandler),
            handler_spec(self.ckan_url, self.ckan_token_file),  # the console's and the CLI's view of every lock
        ]

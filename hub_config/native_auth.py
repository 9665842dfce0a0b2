"""Sign-in for remote mode (遠隔研修): self-registration that an instructor approves, in Japanese.

Builds on jupyterhub-nativeauthenticator: a trainee signs up at /hub/signup, the account waits
(``is_authorized`` false) until an admin approves it at /hub/authorize. Staff (admins and course
instructors) never sign up: they sign in with the password the operator's tools keep in the
scrypt store (``names.PASSWORD_DB``, as in on-site mode), and their names cannot be registered by
anyone else. The handlers replace NativeAuthenticator's English messages with Japanese ones, and failed
sign-ups are counted per address (``signup_throttle``, the hub's sign-in throttle of ``throttle.py``): 20 within 15
minutes stop that address's sign-ups for 10 minutes (shown and lifted in the console's 「サインインのロック」).
Failed sign-ins, staff's included, are throttled per user and per address as in on-site mode
(``auth.ThrottledSignIn``: delay, lock, kept across a restart, shown and lifted in the console).
"""

from __future__ import annotations

import asyncio
import math
import re
from pathlib import Path

from jupyterhub import orm
from jupyterhub.scopes import needs_scope
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import (
    ChangePasswordAdminHandler,
    ChangePasswordHandler,
    LoginHandler,
    SignUpHandler,
)
from sqlalchemy.orm import object_session
from tornado import web
from tornado.escape import url_escape
from traitlets import Integer, Set, Unicode

from hub_config import passwords
from hub_config.auth import ThrottledSignIn
from hub_config.throttle import SignInThrottle
from hub_config.throttle_store import ThrottleStore

SIGNUP_LOCKED = (
    "この端末からの登録の失敗が続いたため、一時的に登録の受け付けを止めています。"
    "{minutes} 分ほど待ってからやり直すか、講師に声をかけてください。"
)
PENDING = "このアカウントはまだ講師の承認を待っています。承認されるとサインインできます。"
BAD_LOGIN = "ユーザー名またはパスワードが違います。もう一度入力してください。"


class JaSignUpHandler(SignUpHandler):
    """/hub/signup with Japanese result messages; failed sign-ups are counted per address (``signup_throttle``),
    and an address with too many is refused, before anything is created, until its lock ends."""

    async def post(self):
        auth = self.authenticator
        address = self.request.remote_ip
        left = auth.signup_throttle.locked_for(address) if auth.enable_signup else 0
        if not left:
            return await super().post()
        self.log.warning("Refused sign-up from %s: locked for %.0f s more", address, left)
        self.set_status(403)
        html = await self.render_template(
            "signup.html",
            ask_email=auth.ask_email_on_signup,
            result_message=SIGNUP_LOCKED.format(minutes=math.ceil(left / 60)),
            alert="alert-danger",
            two_factor_auth=auth.allow_2fa,
            recaptcha_key=auth.recaptcha_key,
            tos=auth.tos,
        )
        self.finish(html)

    def get_result_message(self, *args):
        alert, message = self._result_message(*args)
        if alert == "alert-danger":  # a taken name, a mismatch, a refused name or password: one more failure
            address = self.request.remote_ip
            self.log.warning("Failed sign-up from %s", address)
            if self.authenticator.signup_throttle.failure(address):
                self.log.warning("Sign-up from %s locked after repeated failures", address)
        return alert, message

    def _result_message(self, user, assume_user_is_human, username_already_taken, confirmation_matches, *_):
        auth = self.authenticator
        if username_already_taken:
            return "alert-danger", "このユーザー名はすでに使われています。別のユーザー名で登録してください。"
        if not confirmation_matches:
            return "alert-danger", "パスワードと確認用のパスワードが一致しません。同じものを二回入力してください。"
        if not user:
            return "alert-danger", (
                f"登録できませんでした。ユーザー名は英小文字で始まり英小文字・数字・-・_ だけの "
                f"{auth.max_username_length} 文字以内、"
                f"パスワードは {auth.minimum_password_length} 文字以上で、よく使われるものは避けてください。"
            )
        return "alert-info", "登録を受け付けました。講師が承認するとサインインできます (承認まで少しお待ちください)。"


class JaLoginHandler(LoginHandler):
    """/hub/login in Japanese, saying whether the password was wrong or the account awaits approval.

    Also replaces NativeAuthenticator 1.3.0's ``post``, which fails on JupyterHub 6 (it uses the
    ``statsd`` attribute JupyterHub 6 removed), with JupyterHub 6's own sequence.
    """

    def _render(self, login_error=None, username=None, sync=False, **_):
        return self.render_template(
            "native-login.html",
            sync=sync,
            next=url_escape(self.get_argument("next", default="")),
            username=username,
            login_error=login_error,
            login_url=self.settings["login_url"],
            enable_signup=self.authenticator.enable_signup,
            two_factor_auth=self.authenticator.allow_2fa,
        )

    async def post(self):
        args = [arg for arg in self.request.body_arguments if arg != "_xsrf"]
        data = {arg: self.get_argument(arg, strip=arg == "username") for arg in args}
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        username = data.get("username", "")
        info = self.authenticator.get_user(username) if username else None
        # like NativeAuthenticator: "pending" only to someone who knows the password
        pending = info is not None and not info.is_authorized and info.is_valid_password(data.get("password", ""))
        self.set_status(403)
        reason = getattr(self, "testbed_login_error", None)  # locked (auth.ThrottledSignIn says for how long)
        error = reason or (PENDING if pending else BAD_LOGIN)
        self.finish(await self._render(login_error=error, username=username[:32]))


def _new_password_message(auth, ok: bool, matches: bool) -> tuple[str, str]:
    if not matches:
        return "alert-danger", "新しいパスワードと確認用のパスワードが一致しません。同じものを二回入力してください。"
    if not ok:
        return "alert-danger", (
            f"変更できませんでした。{auth.minimum_password_length} 文字以上で、よく使われるものではない"
            "パスワードにしてください。"
        )
    return "alert-success", "パスワードを変更しました。次のサインインから新しいパスワードを使ってください。"


class JaChangePasswordHandler(ChangePasswordHandler):
    """/hub/change-password in Japanese; staff passwords are the operator's, not changed here."""

    async def _page(self, user, alert=None, message=None):
        staff = user.name in self.authenticator.staff_users
        html = await self.render_template(
            "change-password.html", user_name=user.name, staff=staff, alert=alert, result_message=message
        )
        self.finish(html)

    @web.authenticated
    async def get(self):
        await self._page(self.current_user)

    @web.authenticated
    async def post(self):
        user = self.current_user
        info = self.authenticator.get_user(user.name)
        if info is None:  # staff: their password lives in the operator's store
            return await self._page(user)
        new = self.get_body_argument("new_password", strip=False)
        if not info.is_valid_password(self.get_body_argument("old_password", strip=False)):
            return await self._page(user, "alert-danger", "今のパスワードが違います。もう一度入力してください。")
        matches = new == self.get_body_argument("new_password_confirmation", strip=False)
        ok = matches and bool(self.authenticator.change_password(user.name, new))
        await self._page(user, *_new_password_message(self.authenticator, ok, matches))


class JaChangePasswordAdminHandler(ChangePasswordAdminHandler):
    """/hub/change-password/NAME in Japanese: an admin sets a new password for a trainee who forgot theirs."""

    @needs_scope("admin:users")  # as on NativeAuthenticator's handler: admins only
    async def post(self, user_name):
        if self.authenticator.get_user(user_name) is None:
            raise web.HTTPError(404)
        new = self.get_body_argument("new_password", strip=False)
        matches = new == self.get_body_argument("new_password_confirmation", strip=False)
        ok = matches and bool(self.authenticator.change_password(user_name, new))
        alert, message = _new_password_message(self.authenticator, ok, matches)
        html = await self.render_template(
            "change-password-admin.html", user_name=user_name, alert=alert, result_message=message
        )
        self.finish(html)


class TestbedNativeAuthenticator(ThrottledSignIn, NativeAuthenticator):
    """NativeAuthenticator whose staff sign in from the testbed's password store and cannot be signed up; every
    sign-in, staff's included, is throttled per user and per address as in on-site mode (``auth.ThrottledSignIn``)."""

    staff_password_db = Unicode(help="SQLite file of the staff's scrypt password hashes (names.PASSWORD_DB).").tag(
        config=True
    )
    staff_users = Set(help="Admins and instructors: they sign in with their stored password, never sign up.").tag(
        config=True
    )
    reserved_names = Set(help="Hub names nobody may register (e.g. the courses' grader accounts).").tag(config=True)
    signup_username_pattern = Unicode(
        r"[a-z][a-z0-9_-]*", help="Names a trainee may register (the whole name must match)."
    ).tag(config=True)
    max_username_length = Integer(
        24, help="Longest name a trainee may register (the Unix account adds a prefix; useradd allows 32)."
    ).tag(config=True)
    signup_groups = Set(help="Hub groups a signed-up trainee joins on first sign-in (nbgrader-<course>).").tag(
        config=True
    )
    max_signup_failures_per_address = Integer(
        20, help="Failed sign-ups (taken name, refused password ...) from one address that lock its sign-ups."
    ).tag(config=True)
    signup_lock_minutes = Integer(10, help="How long such a lock lasts (failures over 15 min old are forgotten).").tag(
        config=True
    )

    ckan_url = Unicode("", help="CKAN's internal URL, for its sign-in locks (throttle_api.py); '': none.").tag(
        config=True
    )
    ckan_token_file = Unicode("", help="File of CKAN's admin token, for its sign-in locks (throttle_api.py).").tag(
        config=True
    )

    @property
    def signup_throttle(self) -> SignInThrottle:
        """Failed sign-ups per address (``throttle.py``; shown and lifted in the console as the hub's address locks)."""
        if not hasattr(self, "_signup_throttle"):
            self._signup_throttle = SignInThrottle(
                limit=self.max_signup_failures_per_address,
                lock=self.signup_lock_minutes * 60,
                window=15 * 60,
                delay_step=0.0,
                delay_max=0.0,
                store=ThrottleStore(self.throttle_db, "signup") if self.throttle_db else None,
            )
        return self._signup_throttle

    async def authenticate(self, handler, data):
        username = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        if not username or not password:
            return None
        staff = username in self.staff_users

        async def right_password() -> bool:
            if staff:
                return await asyncio.to_thread(passwords.verify, Path(self.staff_password_db), username, password)
            info = self.get_user(username)  # NativeAuthenticator's own table (bcrypt), on the hub's session
            return info is not None and info.is_valid_password(password)

        if not await self.throttled(handler, username, right_password):
            return None
        # a trainee's right password: NativeAuthenticator's own checks follow (approved by an instructor ...)
        return username if staff else await super().authenticate(handler, data)

    def create_user(self, username, password, **kwargs):
        name = self.normalize_username(username)
        if name in self.staff_users or name in self.reserved_names:
            self.log.warning("Refused sign-up with a reserved name %s", name)
            return None
        if not re.fullmatch(self.signup_username_pattern, name):
            return None
        return super().create_user(username, password, **kwargs)

    def user_exists(self, username):
        name = self.normalize_username(username)
        return name in self.staff_users or name in self.reserved_names or super().user_exists(username)

    def add_user(self, user):
        """Put a signed-up trainee into the course groups (nbgrader and the progress board read them)."""
        super().add_user(user)
        if user.name in self.staff_users or self.get_user(user.name) is None:
            return  # staff, or a hub user made by the operator (the cohort command sets its groups)
        # the hub passes its User wrapper after a sign-in, but the bare orm.User at start-up
        orm_user = getattr(user, "orm_user", user)
        db = object_session(orm_user)
        if db is None:
            return
        groups = [g for g in (orm.Group.find(db, n) for n in sorted(self.signup_groups)) if g is not None]
        missing = [g for g in groups if g not in orm_user.groups]
        if missing:
            orm_user.groups.extend(missing)
            db.commit()
            self.log.info("Signed-up trainee %s joined %s", user.name, ", ".join(g.name for g in missing))

    def get_handlers(self, app):
        swap = {
            SignUpHandler: JaSignUpHandler,
            LoginHandler: JaLoginHandler,
            ChangePasswordHandler: JaChangePasswordHandler,
            ChangePasswordAdminHandler: JaChangePasswordAdminHandler,
        }
        from hub_config.throttle_handler import handler_spec

        handlers = [(path, swap.get(cls, cls)) for path, cls in super().get_handlers(app)]
        return [*handlers, handler_spec(self.ckan_url, self.ckan_token_file)]  # the console's sign-in locks

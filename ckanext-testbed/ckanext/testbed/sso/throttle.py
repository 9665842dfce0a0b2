"""Throttling of CKAN's own sign-in form (``/user/login``): a growing delay after each failure, then a lock.

CKAN 2.12 has no throttling of its own (only the ``failed_login`` signal and an optional reCAPTCHA), and its
form stays reachable for CKAN administrators beside the hub sign-in. Failures are counted per user (the CKAN
user a login name or e-mail resolves to, else the name typed) and per address (the request's peer: gunicorn
is reached directly, no proxy header is trusted). ``limit`` failures within ``window`` seconds lock that key
for ``lock`` seconds; while locked, even the right password is refused with a Japanese message on the login
page. A successful sign-in forgets the user's failures, not the address's (one guessed account must not
clear the address of someone trying many). The counts live in CKAN's Redis, shared by every gunicorn worker
and kept across a CKAN restart; with Redis unreachable the form works unthrottled (logged), like CKAN's jobs.

The settings (``ckanext.testbed.login_throttle.*``, ``config_declaration.yaml``) are read at each request.
CKAN's sysadmins see the current locks and lift them at ``/ckan-admin/signin-locks`` (``views.signin_locks``).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

log = logging.getLogger(__name__)

PREFIX = "ckanext-testbed:login-throttle"
USER, ADDRESS = "user", "address"
USER_LOCKED = (
    "サインインの失敗が続いたため、このアカウントは一時的にロックされています。"
    "{minutes} 分ほど待ってからやり直してください。急ぐときは、システムの運用担当者に連絡してください。"
)
ADDRESS_LOCKED = (
    "この端末からのサインインの失敗が続いたため、一時的にサインインを止めています。"
    "{minutes} 分ほど待ってからやり直してください。急ぐときは、システムの運用担当者に連絡してください。"
)
MESSAGES = {USER: USER_LOCKED, ADDRESS: ADDRESS_LOCKED}


@dataclass(frozen=True)
class Limits:
    """How many failures lock a key, within how long, for how long, and the longest delay after a failure."""

    per_user: int = 10
    per_address: int = 100
    window: int = 15 * 60
    lock: int = 10 * 60
    delay_max: float = 1.0

    @classmethod
    def from_config(cls) -> Limits:
        c = tk.config
        return cls(
            per_user=c.get("ckanext.testbed.login_throttle.max_failures_per_user"),
            per_address=c.get("ckanext.testbed.login_throttle.max_failures_per_address"),
            window=c.get("ckanext.testbed.login_throttle.window_minutes") * 60,
            lock=c.get("ckanext.testbed.login_throttle.lock_minutes") * 60,
            delay_max=c.get("ckanext.testbed.login_throttle.delay_max_seconds"),
        )

    def limit(self, scope: str) -> int:
        return self.per_user if scope == USER else self.per_address

    def delay(self, scope: str, failures: int) -> float:
        """Seconds to wait after the ``failures``-th recent failure: the maximum at 80 % of the limit."""
        return min(self.delay_max, self.delay_max * failures / max(self.limit(scope) * 0.8, 1))


def _key(kind: str, scope: str, key: str) -> str:
    return f"{PREFIX}:{kind}:{scope}:{key}"


class LoginThrottle:
    """Failure counts and locks in Redis (``redis``: a ``redis.Redis`` or anything with its few methods)."""

    def __init__(self, redis, limits: Limits):
        self.redis, self.limits = redis, limits

    def locked_for(self, scope: str, key: str) -> int:
        """Seconds until ``key`` is unlocked (0: not locked)."""
        return max(0, int(self.redis.ttl(_key("lock", scope, key)) or 0))

    def failure(self, scope: str, key: str) -> tuple[int, bool]:
        """Count a failed attempt: (recent failures, True when this one locks ``key``)."""
        count_key = _key("failures", scope, key)
        failures = int(self.redis.incr(count_key))
        if failures == 1:
            self.redis.expire(count_key, self.limits.window)  # the window runs from the first failure
        if failures >= self.limits.limit(scope):
            self.redis.set(_key("lock", scope, key), "1", ex=self.limits.lock)
            self.redis.delete(count_key)  # after the lock, the count starts again
            return failures, True
        return failures, False

    def failures(self, scope: str, key: str) -> int:
        """Recent failures of ``key`` not yet followed by a lock (after a lock the count starts again)."""
        return int(self.redis.get(_key("failures", scope, key)) or 0)

    def forget(self, scope: str, key: str) -> None:
        """Clear ``key``'s failures and lock."""
        self.redis.delete(_key("failures", scope, key), _key("lock", scope, key))

    def locks(self) -> list[tuple[str, str, int]]:
        """Every current lock: (scope, key, seconds left), users first."""
        found = []
        for raw in self.redis.scan_iter(match=f"{PREFIX}:lock:*", count=500):
            name = raw.decode() if isinstance(raw, bytes) else raw
            scope, _, key = name[len(PREFIX) + len(":lock:") :].partition(":")
            left = self.locked_for(scope, key)
            if left and scope in MESSAGES:
                found.append((scope, key, left))
        return sorted(found, key=lambda lock: (lock[0] != USER, lock[1]))


def user_key(login: str) -> str:
    """The CKAN user name a login (name or e-mail) stands for; the typed text when there is no such user."""
    login = (login or "").strip()
    user = model.User.by_name(login) or (model.User.by_email(login) if "@" in login else None)
    if isinstance(user, list):  # older CKAN answered by_email with a list
        user = user[0] if user else None
    return user.name if user is not None else login.lower()[:100]


def address() -> str:
    return tk.request.remote_addr or "unknown"


def throttle() -> LoginThrottle:
    """The throttle of this request (CKAN's Redis, the settings of now)."""
    return LoginThrottle(connect_to_redis(), Limits.from_config())


def refusal(login: str) -> str | None:
    """The Japanese reason this sign-in attempt is refused before its password is checked, or None."""
    try:
        t = throttle()
        for scope, key in ((USER, user_key(login)), (ADDRESS, address())):
            left = t.locked_for(scope, key)
            if left:
                log.warning(
                    "refused CKAN sign-in of %r from %s: %s locked for %d s more", login, address(), scope, left
                )
                return MESSAGES[scope].format(minutes=math.ceil(left / 60))
    except Exception as e:  # Redis down: sign-in stays possible (CKAN's admin must be able to get in)
        log.error("sign-in throttle unavailable (%s): CKAN sign-in is not throttled", e)
    return None


def on_failed_login(login: str, **_kwargs) -> None:
    """CKAN's ``failed_login`` signal: count the failure for the user and the address, lock, then delay."""
    try:
        t = throttle()
        delay = 0.0
        for scope, key in ((USER, user_key(login)), (ADDRESS, address())):
            failures, locked = t.failure(scope, key)
            if locked:
                log.warning(
                    "CKAN sign-in of %s %r locked for %d min after %d failures",
                    scope,
                    key,
                    t.limits.lock // 60,
                    failures,
                )
            delay = max(delay, t.limits.delay(scope, failures))
    except Exception as e:
        log.error("sign-in throttle unavailable (%s): failure of %r not counted", e, login)
        return
    log.warning("failed CKAN sign-in of %r from %s", login, address())
    if delay:
        time.sleep(delay)  # only a failure waits: guessing slows down as failures pile up


def on_logged_in(_app, user=None, **_kwargs) -> None:
    """CKAN's ``user_logged_in`` signal (any sign-in, the hub's too): forget the user's failures."""
    if user is None or not getattr(user, "name", None):
        return
    try:
        throttle().forget(USER, user.name)
    except Exception as e:
        log.error("sign-in throttle unavailable (%s)", e)

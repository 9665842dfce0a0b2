"""A trainee's account after registration: a new password (with a printable sheet), disable and enable.

``./testbed cohort reset-password|disable|enable`` call these; the hub's account page
(``hub_config/accounts.py``) does the same from the browser. Disabling marks the account in the password
store (the hub's authenticator then refuses sign-in, ends open sessions and refuses to start a server),
stops the trainee's server, revokes their hub tokens and blocks their CKAN user (token and CKAN sign-in
refused). Files, grades, the sandbox and its datasets stay; enabling gives everything back, with the
same password.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ckan_seed import trainees
from hub_config import passwords
from testbed_cli import cohort_roster as roster
from testbed_cli import cohort_sheet
from testbed_cli.cohort import _ckan, _reserved, password_db, roster_db
from testbed_cli.cohort_hub import HubAPI
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config.ckan_client import CkanError


def _trainee(layout: Layout, username: str) -> roster.Member | None:
    """The roster entry of a registered trainee; SetupError (Japanese, nothing changed) for anyone else."""
    if username in _reserved(layout):
        raise SetupError(f"{username} は講師・採点用のアカウントです。このコマンドは研修生のアカウントにだけ使えます。")
    bad = roster.username_problem(username, 31)
    if bad:
        raise SetupError(bad)
    try:
        member = next((m for m in roster.load(roster_db(layout)) if m.username == username), None)
        known = member is not None or passwords.has_password(password_db(layout), username)
    except PermissionError:
        raise SetupError("研修生の名簿とパスワードは root だけが読めます。sudo を付けて実行してください。") from None
    if not known:
        raise SetupError(
            f"研修生 {username} は登録されていません (何も変更していません)。"
            "ユーザー名を ./testbed cohort list で確かめてください。"
        )
    return member


def reset_password(layout: Layout, username: str) -> Path:
    """A new random password for a trainee (the old one stops working at once); returns the printable sheet."""
    if layout.cfg.mode != "onsite":
        raise SetupError(
            "遠隔研修モードでは、研修生のパスワードはハブの「パスワード変更」ページで講師が再設定します "
            "(/hub/change-password/ユーザー名)。"
        )
    member = _trainee(layout, username)
    password = passwords.reset_password(password_db(layout), username)
    card = {
        "username": username,
        "fullname": member.fullname if member else username,
        "dept": member.dept if member else "",
        "password": password,
    }
    text = cohort_sheet.render(
        [card], hub_url=layout.cfg.hub_url, title="オープンデータ・テストベッド", heading="再発行したパスワード"
    )
    return cohort_sheet.write(layout.state / "cohort", text)


@dataclass
class Switched:
    server_stopped: bool
    tokens_revoked: int
    ckan_user: bool  # False: the trainee has no CKAN user (yet): nothing to block or restore


def _ckan_state(layout: Layout, username: str, active: bool) -> bool:
    ckan_url, ckan_token = _ckan(layout)
    try:
        return trainees.set_trainee_active(ckan_url, ckan_token, username, active)
    except CkanError as e:
        verb = "enable" if active else "disable"
        raise SetupError(f"{e}\nCKAN を確かめてから、もう一度 cohort {verb} {username} を実行してください。") from None


def disable(layout: Layout, username: str) -> Switched:
    """Disable a trainee: no sign-in, server stopped, hub tokens revoked, CKAN user blocked (idempotent)."""
    _trainee(layout, username)
    hub = HubAPI(layout)
    passwords.set_disabled(password_db(layout), username, True)  # first: no new sign-in from now on
    user = hub.user(username)
    running = bool(user and user.get("servers", {}).get(""))
    if user is not None:
        hub.stop_server(username)
    revoked = hub.revoke_tokens(username) if user is not None else 0
    return Switched(running, revoked, _ckan_state(layout, username, False))


def enable(layout: Layout, username: str) -> Switched:
    """Enable a disabled trainee again: sign-in with the same password, CKAN user restored (idempotent)."""
    _trainee(layout, username)
    passwords.set_disabled(password_db(layout), username, False)
    return Switched(False, 0, _ckan_state(layout, username, True))


def is_disabled(layout: Layout, username: str) -> bool:
    return passwords.is_disabled(password_db(layout), username)

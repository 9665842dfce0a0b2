"""A trainee's CKAN side: a user, a personal sandbox organisation, and an API token of that user.

``ensure_trainee`` is the one function the hub's spawn hook (and ``./testbed cohort``) calls; it is
idempotent and uses the sysadmin token only to manage the account, never hands it out. The trainee
is an ``editor`` of ``sandbox-<name>`` and a member of nothing else, so with their own token they read
the public catalogue, write only in their sandbox and cannot see private datasets of other
organisations. Their token is kept (root-only SQLite in the hub's state dir) and reused while valid;
when a new one is made, older testbed tokens of that user are revoked, so respawns never pile up
tokens. ``remove_trainee`` soft-deletes everything (datasets, sandbox, user: CKAN ``state=deleted``,
restorable or purgeable from CKAN's trash by a sysadmin) and revokes the tokens. ``set_trainee_active``
blocks a disabled trainee's CKAN user (state ``pending``: CKAN signs out a user who is not active, and
refuses their API token, which is kept) and restores it; datasets and sandbox stay. All three raise
``testbed_config.ckan_client.CkanError`` (message in Japanese) when CKAN cannot be reached or refuses.

For the role-play (course module 08_yobo) ``ensure_trainee`` also routes training copies of two sample data
requests to the sandbox (``sample_requests.ensure_training_requests``) and makes the grader's own CKAN account
(``testbed_config.names.CKAN_GRADER_USER``: no sysadmin, no token in any sandbox) a ``member`` of the sandbox: the
least CKAN gives that lets the trusted grader read those copies, which only the people involved see. Its token
is written, when asked (``reader_token_file``), to a root-only file the grader reads (``ensure_grader_reader``).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ckan_seed.sample_requests import ensure_training_requests, remove_training_requests
from testbed_config.ckan_client import CkanClient, CkanError
from testbed_config.names import CKAN_GRADER_USER as READER_USER
from testbed_config.names import ckan_user_name, sandbox_org_name

__all__ = ["TraineeAccount", "ensure_grader_reader", "ensure_trainee", "remove_trainee", "set_trainee_active"]

TOKEN_NAME = "testbed-hub"  # the name of every token this module makes (and may revoke)
ROLE = "editor"  # publish/update/delete datasets in the sandbox; no member management
READER_ROLE = "member"  # the grader's account: reads the sandbox (and its training copies), cannot publish
READER_TOKEN_NAME = "testbed-grader"
RETRIES = 2  # a spawn waits about 1 s more for a restarting CKAN; the trainee can simply start again


@dataclass(frozen=True)
class TraineeAccount:
    user_name: str
    org_name: str
    token: str


# token store ------------------------------------------------------------------------------------


def _db(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    conn = sqlite3.connect(path, timeout=10)
    conn.execute("CREATE TABLE IF NOT EXISTS tokens (hub_user TEXT PRIMARY KEY, ckan_user TEXT, jti TEXT, token TEXT)")
    return conn


def _stored_token(path: Path, hub_username: str) -> str | None:
    with _db(path) as conn:
        row = conn.execute("SELECT token FROM tokens WHERE hub_user = ?", (hub_username,)).fetchone()
    return row[0] if row else None


def _store_token(path: Path, hub_username: str, ckan_user: str, jti: str, token: str) -> None:
    with _db(path) as conn:
        conn.execute(
            "INSERT INTO tokens VALUES (?, ?, ?, ?) ON CONFLICT(hub_user) DO UPDATE SET "
            "ckan_user = excluded.ckan_user, jti = excluded.jti, token = excluded.token",
            (hub_username, ckan_user, jti, token),
        )


def _forget_token(path: Path, hub_username: str) -> None:
    with _db(path) as conn:
        conn.execute("DELETE FROM tokens WHERE hub_user = ?", (hub_username,))


# CKAN side ---------------------------------------------------------------------------------------


def _ensure_user(admin: CkanClient, name: str, hub_username: str, fullname: str | None, dept: str | None) -> None:
    about = f"研修受講者 (JupyterHub: {hub_username})" + (f" 所属: {dept}" if dept else "")
    user = admin.show("user_show", id=name)
    if user is None:
        try:
            admin.call(
                "user_create",
                name=name,
                email=f"{name}@trainees.testbed.example",
                password=secrets.token_urlsafe(24),  # never shown: trainees use their API token
                fullname=fullname or hub_username,
                about=about,
            )
            return
        except CkanError:
            if admin.show("user_show", id=name) is None:  # not a concurrent create of the same user
                raise
            user = admin.call("user_show", id=name)
    changes: dict = {}
    if user.get("state") != "active":
        changes.update(state="active", password=secrets.token_urlsafe(24))
    if fullname and user.get("fullname") != fullname:
        changes["fullname"] = fullname
    if dept and user.get("about") != about:
        changes["about"] = about
    if changes:
        admin.call("user_patch", retry=True, id=name, **changes)


def _ensure_sandbox(admin: CkanClient, org: str, user: str, hub_username: str, fullname: str | None, dept) -> None:
    label = fullname or hub_username
    title = f"{label} のサンドボックス"
    desc = f"{label} さんの練習用の組織です。データセットを作って公開する練習に自由に使えます。" + (
        f" (所属: {dept})" if dept else ""
    )
    found = admin.show("organization_show", id=org)
    if found is None:
        admin.call("organization_create", name=org, title=title, description=desc)
    else:
        changes: dict = {}
        if found.get("state") != "active":
            changes["state"] = "active"
        if fullname and found.get("title") != title:  # without a name, keep the title the cohort gave
            changes.update(title=title, description=desc)
        if changes:
            admin.call("organization_patch", retry=True, id=org, **changes)
    admin.call("organization_member_create", retry=True, id=org, username=user, role=ROLE)


def _ensure_reader_user(admin: CkanClient) -> None:
    if admin.show("user_show", id=READER_USER) is None:
        try:
            admin.call(
                "user_create",
                name=READER_USER,
                email=f"{READER_USER}@testbed.example",
                password=secrets.token_urlsafe(24),  # never used: the grader signs in with its token only
                fullname="採点 (読み取り専用)",
                about="採点が研修生のサンドボックスを読むためのアカウントです (読み取り専用)。",
            )
        except CkanError:
            if admin.show("user_show", id=READER_USER) is None:  # not a concurrent create
                raise


def ensure_grader_reader(admin: CkanClient, org: str | None = None, token_file: Path | None = None) -> None:
    """The grader's read-only CKAN account exists, is a ``member`` of the sandbox ``org`` (when given), and its
    token is in ``token_file`` (when given; made when missing or refused; root-only file). Idempotent."""
    _ensure_reader_user(admin)
    if org:
        admin.call("organization_member_create", retry=True, id=org, username=READER_USER, role=READER_ROLE)
    if token_file is None:
        return
    try:
        token = token_file.read_text(encoding="utf-8").strip()
    except OSError:
        token = ""
    if token and _token_works(admin.url, token, READER_USER, admin.timeout):
        return
    made = admin.call("api_token_create", user=READER_USER, name=READER_TOKEN_NAME)["token"]
    token_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = token_file.with_name(f".{token_file.name}.{os.getpid()}")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    tmp.write_text(made + "\n", encoding="utf-8")
    tmp.replace(token_file)  # atomic: a grader reading it never sees half a token


def _token_works(url: str, token: str, user: str, timeout: float) -> bool:
    try:
        me = CkanClient(url, token, timeout=timeout, retries=RETRIES).call("user_show", id=user)
    except CkanError as e:
        if e.kind in (CkanError.NOT_AUTHORIZED, CkanError.NOT_FOUND):
            return False
        raise
    return isinstance(me, dict) and me.get("name") == user and me.get("state") == "active"


def _revoke_tokens(admin: CkanClient, user: str) -> int:
    """Revoke every token of ``user`` made by the testbed; returns how many."""
    tokens = admin.show("api_token_list", user_id=user)
    if tokens is None:
        return 0
    revoked = 0
    for t in tokens:
        if t.get("name") == TOKEN_NAME:
            admin.call("api_token_revoke", jti=t["id"])
            revoked += 1
    return revoked


def ensure_trainee(
    ckan_url: str,
    admin_token: str,
    hub_username: str,
    fullname: str | None = None,
    dept: str | None = None,
    *,
    token_db: Path,
    timeout: float = 10.0,
    reader_token_file: Path | None = None,
) -> TraineeAccount:
    """Make sure the trainee's CKAN user, sandbox and own API token exist, with the role-play's training copies
    and the grader's read access to the sandbox (its token in ``reader_token_file`` when given); return them.

    Raises ``CkanError`` (message in Japanese) when CKAN cannot be reached or refuses.
    """
    admin = CkanClient(ckan_url, admin_token, timeout=timeout, retries=RETRIES)
    user, org = ckan_user_name(hub_username), sandbox_org_name(hub_username)
    try:
        _ensure_user(admin, user, hub_username, fullname, dept)
        _ensure_sandbox(admin, org, user, hub_username, fullname, dept)
        ensure_grader_reader(admin, org, reader_token_file)
        ensure_training_requests(admin, org)
        token = _stored_token(token_db, hub_username)
        if token and _token_works(ckan_url, token, user, timeout):
            return TraineeAccount(user, org, token)
        _revoke_tokens(admin, user)
        made = admin.call("api_token_create", user=user, name=TOKEN_NAME)
    except CkanError as e:
        raise e.about(f"CKAN で研修生 {hub_username} の準備ができませんでした。") from None
    except (KeyError, TypeError) as e:  # an answer without the fields CKAN 2.12 gives
        raise CkanError(
            CkanError.SERVER,
            f"CKAN ({ckan_url}) の応答に、研修生 {hub_username} の準備に要る項目がありません ({e!r})。",
            "CKAN の版が 2.12 か、./testbed logs ckan-web で確かめてください。",
        ) from None
    _store_token(token_db, hub_username, user, made.get("id", ""), made["token"])
    return TraineeAccount(user, org, made["token"])


BLOCKED = "pending"  # a state CKAN treats as not active (no sign-in, no token) and distinct from removed


def set_trainee_active(
    ckan_url: str, admin_token: str, hub_username: str, active: bool, *, timeout: float = 10.0
) -> bool:
    """Block (``active=False``) or restore the trainee's CKAN user; False when CKAN has no such user.

    A removed trainee (state ``deleted``) is left alone. Their token, sandbox and datasets stay, so enabling
    the trainee again gives back exactly what they had.
    """
    admin = CkanClient(ckan_url, admin_token, timeout=timeout, retries=RETRIES)
    name = ckan_user_name(hub_username)
    try:
        user = admin.show("user_show", id=name)
        if user is None or user.get("state") == "deleted":
            return False
        wanted = "active" if active else BLOCKED
        if user.get("state") != wanted:
            admin.call("user_patch", retry=True, id=name, state=wanted)
    except CkanError as e:
        what = "再開" if active else "停止"
        raise e.about(f"CKAN で研修生 {hub_username} の利用を{what}できませんでした。") from None
    return True


@dataclass(frozen=True)
class Removal:
    user_name: str
    org_name: str
    datasets_deleted: int
    tokens_revoked: int


def remove_trainee(ckan_url: str, admin_token: str, hub_username: str, *, token_db: Path) -> Removal:
    """Soft-delete the trainee's sandbox datasets, the sandbox and the user; revoke their tokens (idempotent)."""
    admin = CkanClient(ckan_url, admin_token)
    user, org = ckan_user_name(hub_username), sandbox_org_name(hub_username)
    deleted = revoked = 0
    try:
        found = admin.show("organization_show", id=org)
        remove_training_requests(admin, org)
        if found is not None:
            done: set[str] = set()
            while True:  # deleted datasets drop out of the search; stop if one does not (never loop forever)
                res = admin.call(
                    "package_search",
                    fq=f'owner_org:"{found["id"]}"',
                    include_private=True,
                    include_drafts=True,
                    rows=100,
                )
                todo = [ds["id"] for ds in res["results"] if ds["id"] not in done]
                if not todo:
                    break
                for ds_id in todo:
                    admin.call("package_delete", id=ds_id)
                    done.add(ds_id)
                    deleted += 1
            if found.get("state") == "active":
                admin.call("organization_delete", id=org)
        if admin.show("user_show", id=user) is not None:
            revoked = _revoke_tokens(admin, user)
            admin.call("user_delete", id=user)
    except CkanError as e:
        raise e.about(f"CKAN で研修生 {hub_username} を削除できませんでした。") from None
    _forget_token(token_db, hub_username)
    return Removal(user, org, deleted, revoked)

"""Hub user names for single sign-on: an IdP's name made Unix-safe, bound to one identity for good.

Every hub user becomes the Unix account ``<prefix><name>``, so a name must match ``[a-z][a-z0-9_-]*``
and fit useradd's 32 characters with the prefix. Names from an IdP or LMS do not (``Taro.Yamada@city.
example.jp``, ``12345``), and making them fit loses information: ``taro.yamada`` and ``taro-yamada``
both become ``taro-yamada``. So ``derive_name`` makes a readable candidate, and ``NameBook`` binds each
identity (the IdP's stable subject, never the name) to one hub name the first time it is let in: a
second person whose name maps alike gets ``taro-yamada-2`` instead of the first one's account, and a
renamed IdP account keeps its hub account. Grader accounts are never handed out; an admin's or
instructor's name only to a name the IdP vouches for (not an address from a domain nobody listed).

Pure Python (stdlib only), so the rules are unit-tested without JupyterHub.
"""

from __future__ import annotations

import os
import re
import sqlite3
import unicodedata
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_-]*")
_NOT_NAME = re.compile(r"[^a-z0-9_-]+")
MAX_TRIES = 999


class NameRefused(ValueError):
    """No hub name can be made; the message (Japanese) is shown to the person signing in."""


@dataclass(frozen=True)
class NameRules:
    """What a hub name may be: its length, the e-mail domains vouched for, names nobody may get from SSO."""

    max_length: int = 24
    email_domains: frozenset[str] = field(default_factory=frozenset)
    staff: frozenset[str] = field(default_factory=frozenset)  # admins and instructors
    reserved: frozenset[str] = field(default_factory=frozenset)  # the courses' grader accounts


@dataclass(frozen=True)
class Candidate:
    name: str
    vouched: bool  # False: the part before @ of an address from any domain (may not become a staff name)


def derive_name(raw: str, rules: NameRules) -> Candidate:
    """The hub name an IdP name would get: NFKC, lowercase, part before @, other characters → '-'.

    ``Taro.Yamada@city.example.jp`` → ``taro-yamada``; ``12345`` (a staff number) → ``u12345``;
    longer than ``max_length`` → cut. Raises NameRefused when nothing usable is left (e.g. 山田太郎)
    or the address's domain is not in ``email_domains``.
    """
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    vouched = True
    if "@" in text:
        local, _, domain = text.rpartition("@")
        if rules.email_domains and domain not in rules.email_domains:
            raise NameRefused(
                f"メールアドレス {raw} のドメイン ({domain}) では、この研修環境にサインインできません。"
                f"使えるのは {', '.join(sorted(rules.email_domains))} のアドレスです。研修の担当者に連絡してください。"
            )
        vouched = bool(rules.email_domains)
        text = local
    name = _NOT_NAME.sub("-", text).strip("-_")
    if not name:
        raise NameRefused(
            f"サインインに使われた名前「{raw}」から、英数字のユーザー名を作れませんでした。"
            "研修の担当者に連絡してください (運用者へ: sso.username_claim をメールアドレスや職員番号のような"
            "英数字の項目にしてください)。"
        )
    if not name[0].isalpha():
        name = "u" + name  # Unix names start with a letter: 012345 → u012345
    return Candidate(name[: rules.max_length].rstrip("-_"), vouched)


def numbered(name: str, n: int, max_length: int) -> str:
    """``name-n``, cut so that it still fits (the n-th person whose name maps to ``name``)."""
    suffix = f"-{n}"
    return name[: max_length - len(suffix)].rstrip("-_") + suffix


class NameBook:
    """Which identity owns which hub name: a private SQLite file in the hub's state directory."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        conn = sqlite3.connect(self.path)
        if new:
            os.chmod(self.path, 0o600)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS sso_names (identity TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
            "claim TEXT NOT NULL, created TEXT NOT NULL)"
        )
        return conn

    def propose(self, identity: str, raw: str, rules: NameRules) -> str:
        """The hub name of ``identity``: the one bound before, else the first free one derived from ``raw``.

        Nothing is written: ``bind`` records the name once the hub has let the person in.
        """
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT name FROM sso_names WHERE identity = ?", (identity,)).fetchone()
            if row:
                return row[0]
            candidate = derive_name(raw, rules)
            for n in range(1, MAX_TRIES + 1):
                name = candidate.name if n == 1 else numbered(candidate.name, n, rules.max_length)
                if name in rules.reserved or (name in rules.staff and not candidate.vouched):
                    continue
                if conn.execute("SELECT 1 FROM sso_names WHERE name = ?", (name,)).fetchone() is None:
                    return name
        raise NameRefused(f"「{raw}」に使えるユーザー名が見つかりませんでした。研修の担当者に連絡してください。")

    def bind(self, identity: str, name: str, raw: str) -> None:
        """Record that ``name`` belongs to ``identity`` from now on (nothing to do if it already does)."""
        with closing(self._connect()) as conn, conn:
            row = conn.execute("SELECT name FROM sso_names WHERE identity = ?", (identity,)).fetchone()
            if row and row[0] == name:
                return
            try:
                conn.execute(
                    "INSERT INTO sso_names (identity, name, claim, created) VALUES (?, ?, ?, ?)",
                    (identity, name, raw, datetime.now(UTC).isoformat(timespec="seconds")),
                )
            except sqlite3.IntegrityError:  # someone else took the name a moment ago
                raise NameRefused(
                    "同じユーザー名で同時にサインインした人がいました。少し待ってから、もう一度サインインしてください。"
                ) from None

    def is_bound(self, name: str) -> bool:
        """Did this hub name come from single sign-on?"""
        if not self.path.exists():
            return False
        with closing(self._connect()) as conn:
            return conn.execute("SELECT 1 FROM sso_names WHERE name = ?", (name,)).fetchone() is not None

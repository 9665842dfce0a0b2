"""Individual trainee and instructor passwords, stored hashed (scrypt) in a private SQLite file.

Used by the hub's authenticator (verify, is_disabled) and by the operator's cohort commands and the
instructor's account page (set, reset, disable). The file lives in the hub's state directory (0700,
root), never in the hub's user table. A disabled account keeps its hash (enabling it again restores
the same password); ``verify`` only checks the password, the authenticator refuses disabled accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
from pathlib import Path

# scrypt parameters (RFC 7914 interactive-login strength); stored with each hash
N, R, P = 2**14, 8, 1
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o/1/l/i: easy to read off a printed sheet


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    conn = sqlite3.connect(path)
    if new:
        os.chmod(path, 0o600)
    conn.execute("CREATE TABLE IF NOT EXISTS passwords (username TEXT PRIMARY KEY, hash TEXT NOT NULL)")
    # additive schema: a store written before accounts could be disabled gains the table when opened
    conn.execute("CREATE TABLE IF NOT EXISTS disabled (username TEXT PRIMARY KEY, since TEXT NOT NULL)")
    return conn


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def check_hash(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algo != "scrypt":
        return False
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(got.hex(), digest)


def generate_password(length: int = 10) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def set_password(path: Path, username: str, password: str) -> None:
    with _connect(path) as conn:
        conn.execute(
            "INSERT INTO passwords (username, hash) VALUES (?, ?) "
            "ON CONFLICT(username) DO UPDATE SET hash = excluded.hash",
            (username, hash_password(password)),
        )


def has_password(path: Path, username: str) -> bool:
    with _connect(path) as conn:
        return conn.execute("SELECT 1 FROM passwords WHERE username = ?", (username,)).fetchone() is not None


def verify(path: Path, username: str, password: str) -> bool:
    if not path.exists():
        return False
    with _connect(path) as conn:
        row = conn.execute("SELECT hash FROM passwords WHERE username = ?", (username,)).fetchone()
    return bool(row) and check_hash(password, row[0])


def reset_password(path: Path, username: str) -> str:
    """A new random password for ``username``, stored hashed at once (the old one stops working); returned once."""
    password = generate_password()
    set_password(path, username, password)
    return password


def set_disabled(path: Path, username: str, disabled: bool) -> None:
    """Disable (or enable again) ``username``'s sign-in; the password hash is kept either way."""
    with _connect(path) as conn:
        if disabled:
            conn.execute(
                "INSERT INTO disabled (username, since) VALUES (?, datetime('now')) ON CONFLICT(username) DO NOTHING",
                (username,),
            )
        else:
            conn.execute("DELETE FROM disabled WHERE username = ?", (username,))


def is_disabled(path: Path, username: str) -> bool:
    if not path.exists():
        return False
    with _connect(path) as conn:
        return conn.execute("SELECT 1 FROM disabled WHERE username = ?", (username,)).fetchone() is not None


def disabled_users(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with _connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT username FROM disabled")}


def delete(path: Path, username: str) -> None:
    """Forget ``username`` entirely (password and disabled mark), as when a trainee is removed."""
    with _connect(path) as conn:
        conn.execute("DELETE FROM passwords WHERE username = ?", (username,))
        conn.execute("DELETE FROM disabled WHERE username = ?", (username,))

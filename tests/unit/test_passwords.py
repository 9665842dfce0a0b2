"""Password storage: hashed, verifiable, never in clear text."""

import pytest

from hub_config import passwords

pytestmark = pytest.mark.unit


def test_password_is_stored_hashed_and_verifies(tmp_path):
    db = tmp_path / "pw.sqlite"
    passwords.set_password(db, "sato", "secret-pass")
    assert passwords.verify(db, "sato", "secret-pass")
    assert not passwords.verify(db, "sato", "wrong")
    assert not passwords.verify(db, "tanaka", "secret-pass")
    assert b"secret-pass" not in db.read_bytes()
    assert db.stat().st_mode & 0o077 == 0


def test_generated_passwords_avoid_confusable_characters():
    pw = passwords.generate_password(200)
    assert not set(pw) & set("0o1li")


def test_does_a_reset_password_replace_the_old_one_at_once(tmp_path):
    """After reset_password, is the new password accepted and the old one refused?"""
    db = tmp_path / "pw.sqlite"
    passwords.set_password(db, "sato", "old-pass-1")
    new = passwords.reset_password(db, "sato")
    assert new != "old-pass-1" and len(new) >= 10
    assert passwords.verify(db, "sato", new)
    assert not passwords.verify(db, "sato", "old-pass-1")


def test_does_disabling_keep_the_password_and_enabling_restore_it(tmp_path):
    """Is a disabled account marked (and listed) while its hash stays, and unmarked again by enabling?"""
    db = tmp_path / "pw.sqlite"
    passwords.set_password(db, "sato", "secret-pass")
    passwords.set_disabled(db, "sato", True)
    passwords.set_disabled(db, "sato", True)  # idempotent
    assert passwords.is_disabled(db, "sato")
    assert not passwords.is_disabled(db, "tanaka")
    assert passwords.disabled_users(db) == {"sato"}
    assert passwords.verify(db, "sato", "secret-pass")  # the authenticator refuses; the hash is kept
    passwords.set_disabled(db, "sato", False)
    assert not passwords.is_disabled(db, "sato")
    assert passwords.disabled_users(db) == set()


def test_does_deleting_a_user_forget_the_disabled_mark(tmp_path):
    """Does removing a trainee leave no disabled mark behind for a later trainee of the same name?"""
    db = tmp_path / "pw.sqlite"
    passwords.set_password(db, "sato", "secret-pass")
    passwords.set_disabled(db, "sato", True)
    passwords.delete(db, "sato")
    assert not passwords.is_disabled(db, "sato")
    assert not passwords.has_password(db, "sato")


def test_does_a_store_from_before_disabling_existed_still_work(tmp_path):
    """Does a password file written by the previous version (no ``disabled`` table) verify and accept marks?"""
    import sqlite3

    db = tmp_path / "pw.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE passwords (username TEXT PRIMARY KEY, hash TEXT NOT NULL)")
    conn.execute("INSERT INTO passwords VALUES (?, ?)", ("sato", passwords.hash_password("secret-pass")))
    conn.commit()
    conn.close()
    assert not passwords.is_disabled(db, "sato")
    assert passwords.verify(db, "sato", "secret-pass")
    passwords.set_disabled(db, "sato", True)
    assert passwords.is_disabled(db, "sato")


def test_is_nothing_disabled_when_there_is_no_store_yet(tmp_path):
    """Does asking about a missing file answer 'not disabled' without creating it?"""
    db = tmp_path / "none.sqlite"
    assert not passwords.is_disabled(db, "sato")
    assert passwords.disabled_users(db) == set()
    assert not db.exists()

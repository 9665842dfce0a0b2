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

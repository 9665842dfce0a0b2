"""Secrets generated at install time and kept in <state>/secrets (directory 0700, files 0600)."""

from __future__ import annotations

import os
import secrets as _secrets
from pathlib import Path

# name -> what it is for (the file names are stable; operators may look them up)
KNOWN = {
    "postgres-superuser": "PostgreSQL superuser (testbed_admin) password",
    "ckan-db": "PostgreSQL password of CKAN's database role",
    "datastore-ro": "PostgreSQL password of the DataStore read-only role",
    "redis": "Redis password",
    "ckan-secret-key": "CKAN SECRET_KEY (sessions, API token signing)",
    "ckan-admin-password": "password of the CKAN sysadmin account 'testbed-admin'",
    "hub-cookie-secret": "JupyterHub cookie secret (hex)",
    "proxy-auth-token": "configurable-http-proxy API token",
    "hub-admin-token": "JupyterHub API token with admin scopes (operator scripts, tests)",
    "instructor-password": "initial password of the instructor accounts",
    "formgrader-<course>-token": "hub API token of a course's formgrader service",
    "progress-<course>-token": "hub API token of a course's progress board service",
    "progress-<course>-certificate-key": "key of a course's completion certificate numbers (HMAC)",
    "ckan-admin-token": "CKAN API token of 'testbed-admin' (operator scripts, seeding, trainee provisioning)",
    "ckan-test-db": "PostgreSQL password of the role ckan_test (./testbed test --ckanext: ckan_test, datastore_test)",
    "datastore-test-ro": "PostgreSQL password of the DataStore read-only role of the tests, datastore_test_ro",
    "ckan-test-secret-key": "CKAN SECRET_KEY of the CKAN-level tests' ini (<state>/ckan-test/test.ini)",
}


def secrets_dir(state_dir: Path) -> Path:
    d = state_dir / "secrets"
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    return d


def get(state_dir: Path, name: str, *, nbytes: int = 32, hex: bool = False) -> str:
    """Read a secret, generating it (once) when it does not exist yet."""
    path = secrets_dir(state_dir) / name
    if path.exists():
        value = path.read_text().strip()
        if value:
            return value
    value = _secrets.token_hex(nbytes) if hex else _secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value


def put(state_dir: Path, name: str, value: str) -> None:
    """Store a secret obtained elsewhere (e.g. a CKAN API token)."""
    path = secrets_dir(state_dir) / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    os.chmod(path, 0o600)


def path_of(state_dir: Path, name: str) -> Path:
    return state_dir / "secrets" / name

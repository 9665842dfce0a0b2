"""Secrets generated at install time and kept in <state>/secrets (directory 0700, files 0600)."""

from __future__ import annotations

import os
import secrets as _secrets
from pathlib import Path

from testbed_config import names

KNOWN = names.SECRETS  # name -> what it is for (spelled in testbed_config/names.py)


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
    return secrets_dir(state_dir) / name

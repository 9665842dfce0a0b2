"""Sign-in with individual passwords (on-site mode): each trainee has their own hashed password."""

from __future__ import annotations

import asyncio
from pathlib import Path

from jupyterhub.auth import Authenticator
from traitlets import Unicode

from hub_config import passwords


class TestbedAuthenticator(Authenticator):
    """Checks a user name and password against the testbed's scrypt password store."""

    password_db = Unicode(help="Path of the SQLite file holding the password hashes.").tag(config=True)

    async def authenticate(self, handler, data):
        username = self.normalize_username(data.get("username", ""))
        password = data.get("password", "")
        if not username or not password:
            return None
        # scrypt takes ~40 ms of CPU: off the event loop, so a class signing in together hashes on every core
        if await asyncio.to_thread(passwords.verify, Path(self.password_db), username, password):
            return username
        self.log.warning("Failed login for %s", username)
        return None

"""The hub REST API calls the cohort commands need (operator token ``hub-admin-token``)."""

from __future__ import annotations

import time

import requests

from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config import names


class HubAPI:
    def __init__(self, layout: Layout):
        self.url = layout.cfg.hub_api_url
        try:
            self.token = (layout.secrets / names.HUB_ADMIN_TOKEN).read_text().strip()
        except PermissionError:
            raise SetupError("hub の管理トークンを読む権限がありません。root (sudo) で実行してください。") from None
        except FileNotFoundError:
            raise SetupError("hub の管理トークンがまだありません。先に ./testbed up を実行してください。") from None

    def _req(self, method: str, path: str, ok: tuple[int, ...], **kw) -> requests.Response:
        try:
            r = requests.request(
                method, self.url + path, headers={"Authorization": f"token {self.token}"}, timeout=30, **kw
            )
        except requests.RequestException:
            raise SetupError(
                f"JupyterHub ({self.url}) に接続できません。./testbed status で hub を確認し、"
                "止まっていれば ./testbed up を実行してください。"
            ) from None
        if r.status_code not in ok:
            raise SetupError(f"JupyterHub がエラーを返しました ({method} {path}: HTTP {r.status_code} {r.text[:200]})")
        return r

    def user(self, name: str) -> dict | None:
        r = self._req("GET", f"/users/{name}", ok=(200, 404))
        return r.json() if r.status_code == 200 else None

    def users(self) -> dict[str, dict]:
        users: dict[str, dict] = {}
        while True:  # the hub returns at most api_page_max_limit (200) users per request
            page = self._req("GET", "/users", ok=(200,), params={"offset": len(users), "limit": 200}).json()
            users.update((u["name"], u) for u in page)
            if len(page) < 200 or not page:
                return users

    def group_exists(self, group: str) -> bool:
        return self._req("GET", f"/groups/{group}", ok=(200, 404)).status_code == 200

    def group_members(self, group: str) -> list[str] | None:
        """The group's user names; None if there is no such group."""
        r = self._req("GET", f"/groups/{group}", ok=(200, 404))
        return r.json().get("users", []) if r.status_code == 200 else None

    def start_server(self, name: str) -> str | None:
        """Ask for the user's server; None if asked (or already running), else the hub's refusal."""
        r = self._req("POST", f"/users/{name}/server", ok=(201, 202, 400))
        return r.text[:200] if r.status_code == 400 and "already running" not in r.text else None

    def stop_server(self, name: str) -> None:
        self._req("DELETE", f"/users/{name}/server", ok=(202, 204, 400, 404))

    def revoke_tokens(self, name: str) -> int:
        """Delete every hub API token of the user (their open JupyterLab and API access); returns how many."""
        r = self._req("GET", f"/users/{name}/tokens", ok=(200, 404))
        if r.status_code == 404:
            return 0
        tokens = r.json().get("api_tokens", [])
        for t in tokens:
            self._req("DELETE", f"/users/{name}/tokens/{t['id']}", ok=(204, 404))
        return len(tokens)

    def create_users(self, names: list[str]) -> None:
        self._req("POST", "/users", ok=(201,), json={"usernames": names})

    def add_to_group(self, group: str, names: list[str]) -> None:
        self._req("POST", f"/groups/{group}/users", ok=(200,), json={"users": names})

    def delete_user(self, name: str, wait: float = 60) -> bool:
        """Stop the user's server, then delete the user; False if the user did not exist."""
        if self.user(name) is None:
            return False
        self.stop_server(name)
        deadline = time.monotonic() + wait
        while True:
            r = self._req("DELETE", f"/users/{name}", ok=(204, 404, 400, 409))
            if r.status_code in (204, 404):
                return True
            if time.monotonic() > deadline:
                raise SetupError(
                    f"{name} のサーバーが {wait:.0f} 秒たっても止まりません。少し待ってからやり直してください。"
                )
            time.sleep(0.5)

"""A small JupyterHub REST client for tests, plus code execution in a user's kernel."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
import websocket

from testbed_config import names


@dataclass
class HubClient:
    api: str  # http://127.0.0.1:8081/hub/api
    public: str  # http://127.0.0.1:8000
    token: str
    unix_prefix: str
    # where a removed trainee's CKAN side (user, sandbox, tokens) is removed too: a spawned server made it
    ckan_url: str = ""
    ckan_token: str = ""
    ckan_token_db: str = ""

    @classmethod
    def from_layout(cls, layout) -> HubClient:
        cfg = layout.cfg
        token = (layout.secrets / "hub-admin-token").read_text().strip()
        addr = cfg.local_host
        ckan_token = (layout.secrets / names.CKAN_ADMIN_TOKEN).read_text().strip()
        return cls(
            cfg.hub_api_url,
            f"http://{addr}:{cfg.ports.hub}",
            token,
            cfg.unix_user_prefix,
            ckan_url=cfg.ckan_internal_url,
            ckan_token=ckan_token,
            ckan_token_db=str(layout.hub_dir / names.CKAN_TOKEN_DB),
        )

    def _h(self, token: str | None = None) -> dict:
        return {"Authorization": f"token {token or self.token}"}

    def request(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        return requests.request(method, self.api + path, headers=self._h(token), timeout=30, **kw)

    def create_user(self, name: str) -> None:
        r = self.request("POST", f"/users/{name}")
        assert r.status_code in (201, 409), r.text

    def start_server(self, name: str, timeout: float = 120) -> None:
        r = self.request("POST", f"/users/{name}/server")
        assert r.status_code in (201, 202, 400), r.text
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = self.request("GET", f"/users/{name}").json()
            server = user.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise AssertionError(f"server of {name} not ready after {timeout}s")

    def delete_user(self, name: str) -> None:
        self.request("DELETE", f"/users/{name}/server")
        for _ in range(60):
            if self.request("DELETE", f"/users/{name}").status_code in (204, 404):
                break
            time.sleep(0.5)
        subprocess.run(["userdel", "-r", self.unix_prefix + name], capture_output=True)
        if self.ckan_url:
            from ckan_seed.trainees import remove_trainee

            remove_trainee(self.ckan_url, self.ckan_token, name, token_db=Path(self.ckan_token_db))

    def user_token(self, name: str, scopes: list[str] | None = None) -> str:
        body = {"note": "tests", "expires_in": 3600}
        if scopes:
            body["scopes"] = scopes
        r = self.request("POST", f"/users/{name}/tokens", json=body)
        assert r.status_code == 201, r.text
        return r.json()["token"]

    def run_code(
        self, name: str, code: str, token: str | None = None, timeout: float = 60, keep_kernel: bool = False
    ) -> dict:
        """Start a kernel in ``name``'s server, run ``code``, return {'stdout', 'error', 'result'}
        (the kernel is shut down afterwards unless ``keep_kernel``)."""
        token = token or self.token
        base = f"{self.public}/user/{name}/api"
        r = requests.post(f"{base}/kernels", headers=self._h(token), json={"name": "python3"}, timeout=60)
        assert r.status_code == 201, r.text
        kid = r.json()["id"]
        ws_url = base.replace("http", "ws", 1) + f"/kernels/{kid}/channels"
        ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=timeout)
        # the server's pings keep recv() from timing out: close the socket at the deadline instead
        watchdog = threading.Timer(timeout, ws.close)
        watchdog.start()
        try:
            msg_id = uuid.uuid4().hex
            ws.send(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "username": name,
                            "session": uuid.uuid4().hex,
                            "msg_type": "execute_request",
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "channel": "shell",
                        "content": {
                            "code": code,
                            "silent": False,
                            "store_history": False,
                            "user_expressions": {},
                            "allow_stdin": False,
                            "stop_on_error": True,
                        },
                    }
                )
            )
            out = {"stdout": "", "error": None, "result": None}
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "stream":
                    out["stdout"] += msg["content"]["text"]
                elif kind == "execute_result":
                    out["result"] = msg["content"]["data"].get("text/plain")
                elif kind == "error":
                    out["error"] = f"{msg['content']['ename']}: {msg['content']['evalue']}"
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    return out
            raise AssertionError("kernel did not finish in time")
        except websocket.WebSocketConnectionClosedException:
            if not watchdog.is_alive():
                raise AssertionError(f"kernel did not finish in {timeout:g} s") from None
            raise
        finally:
            watchdog.cancel()
            ws.close()
            if not keep_kernel:
                requests.delete(f"{base}/kernels/{kid}", headers=self._h(token), timeout=30)

"""Small helpers around ckanapi: one client per thread, reads in parallel, errors in Japanese."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import ckanapi
import requests

from ckan_seed.problem import SeedError

USER_AGENT = "testbed-catalog-seed"
RETRY_DELAYS = (0.5, 1, 2, 4, 8)


class Client:
    """ckanapi.RemoteCKAN per thread for one CKAN site and token."""

    def __init__(self, url: str, token: str, timeout: float = 120):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._local = threading.local()

    @property
    def ckan(self) -> ckanapi.RemoteCKAN:
        if not hasattr(self._local, "ckan"):
            self._local.ckan = ckanapi.RemoteCKAN(self.url, apikey=self.token, user_agent=USER_AGENT)
        return self._local.ckan

    def call(self, action: str, files: dict | None = None, **data):
        """Call ``action``; raises NotFound for a missing object and SeedError for anything else.

        A refused or reset connection (CKAN restarting, e.g. during ``./testbed up``) is retried for
        about 15 s; re-sending is safe because every step of the seeder can be repeated.
        """
        for delay in (*RETRY_DELAYS, None):
            for f in (files or {}).values():
                f.seek(0)
            try:
                return self.ckan.call_action(action, data, files=files, requests_kwargs={"timeout": self.timeout})
            except ckanapi.NotFound:
                raise
            except ckanapi.NotAuthorized as exc:
                raise SeedError(
                    f"CKAN が {action} を許可しませんでした（{_detail(exc)}）。"
                    "シスアドミンの API トークン（./testbed admin-token ckan）を使っているか確かめてください。"
                ) from exc
            except ckanapi.ValidationError as exc:
                raise SeedError(f"CKAN が {action} の内容を受け付けませんでした: {_detail(exc)}") from exc
            except (requests.ConnectionError, requests.Timeout) as exc:
                if delay is None or isinstance(exc, requests.Timeout):
                    raise SeedError(
                        f"CKAN（{self.url}）に接続できません。./testbed status で ckan-web が正常か確かめてください。"
                    ) from exc
                time.sleep(delay)
            except ckanapi.CKANAPIError as exc:
                raise SeedError(f"CKAN の {action} が失敗しました: {_detail(exc)}") from exc

    def show(self, action: str, name: str) -> dict | None:
        """``*_show`` of ``name``, or None when it does not exist."""
        try:
            return self.call(action, id=name)
        except ckanapi.NotFound:
            return None

    def map(self, fn: Callable, items: Iterable, workers: int = 4) -> list:
        """``fn`` over ``items`` in a few threads (CKAN serves reads from several workers)."""
        items = list(items)
        if len(items) <= 1 or workers <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(fn, items))


def _detail(exc: Exception) -> str:
    args = exc.args[0] if exc.args else exc
    if isinstance(args, dict):
        args = {k: v for k, v in args.items() if k != "__type"}
    return str(args)[:500]

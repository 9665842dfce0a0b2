"""The project's one client of CKAN's action API: ckanapi's RemoteCKAN over a requests Session.

The seeder, trainee provisioning, the grader's read-only checks and the CLI all talk to CKAN through
``CkanClient``. Every request has a timeout. Retries are urllib3's ``Retry`` on the session's
adapter, not hand-written sleeps:

- a connection that could not be made (nothing was sent: CKAN down or restarting) is retried for
  every call, with exponential backoff;
- 502/503/504 (gunicorn or a proxy saying "not now") only for reads (``*_show``, ``*_list``,
  ``*_search`` ...), or for a write whose caller passes ``retry=True`` because repeating it is harmless;
- a request that reached CKAN and timed out is never re-sent (CKAN may still be working on it).

Whatever goes wrong is one exception, ``CkanError``: its message is Japanese and names the problem
and the fix; ``kind`` lets a caller handle a case (``CkanError.NOT_FOUND`` ...). ``read_only=True``
(the grader) refuses every action that writes, before anything is sent, and reads with GET.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import ckanapi
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

USER_AGENT = "open-data-testbed"
RETRY_STATUSES = frozenset({502, 503, 504})
READ_SUFFIXES = ("_show", "_list", "_search", "_search_sql", "_autocomplete", "_info")
READ_ACTIONS = frozenset({"testbed_datastore_status"})  # ckanext-testbed's side-effect-free actions


def is_read(action: str) -> bool:
    """Does ``action`` only read? (CKAN's naming: ``*_show``, ``*_list``, ``*_search`` ...)"""
    return action.endswith(READ_SUFFIXES) or action in READ_ACTIONS


class CkanError(Exception):
    """Talking to CKAN failed. ``str()`` is Japanese: ``problem`` (what went wrong) then ``fix`` (what to do)."""

    UNREACHABLE = "unreachable"  # no connection: CKAN down, restarting, or a wrong URL
    TIMEOUT = "timeout"  # connected, but no answer in time
    SERVER = "server"  # HTTP 5xx, or an answer that is not CKAN's API
    NOT_AUTHORIZED = "not_authorized"  # token refused / missing, or not allowed for this user
    NOT_FOUND = "not_found"
    VALIDATION = "validation"  # ``fields``: CKAN's messages per field name
    READ_ONLY = "read_only"  # a write asked of a read-only client (nothing was sent)
    FAILED = "failed"  # any other error CKAN reported (e.g. a search query error)

    def __init__(
        self,
        kind: str,
        problem: str,
        fix: str = "",
        *,
        action: str = "",
        fields: dict[str, list[str]] | None = None,
        status: int | None = None,
    ):
        super().__init__(problem + fix)
        self.kind, self.problem, self.fix = kind, problem, fix
        self.action, self.fields, self.status = action, fields or {}, status

    def about(self, what: str) -> CkanError:
        """The same error with what was being done in front of its message (``what`` ends with 「。」)."""
        return CkanError(
            self.kind, what + self.problem, self.fix, action=self.action, fields=self.fields, status=self.status
        )


def _text(value: object, limit: int = 300) -> str:
    if isinstance(value, dict):
        value = value.get("message") or {k: v for k, v in value.items() if k != "__type"}
    return str(value)[:limit]


def _field_messages(err: dict) -> dict[str, list[str]]:
    fields = {}
    for key, value in err.items():
        if key in ("__type", "message"):
            continue
        fields[key] = [str(v) for v in value] if isinstance(value, list) else [_text(value)]
    return fields


class CkanClient:
    """Calls one CKAN site's action API with one token (or none); safe to share between threads."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        read_only: bool = False,
        user_agent: str = USER_AGENT,
    ):
        """``retries`` counts re-tries after the first attempt; waits between them are 0, 2×, 4×... ``backoff`` s."""
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.read_only = read_only
        self.user_agent = user_agent
        self._local = threading.local()  # requests sessions are not thread-safe: one pair per thread

    # HTTP -----------------------------------------------------------------------------------------

    def _session(self, retrying: bool) -> requests.Session:
        sessions = self._local.__dict__.setdefault("sessions", {})
        if retrying not in sessions:
            retry = Retry(
                total=None,
                connect=self.retries,
                read=False,  # reached CKAN: never re-sent
                status=self.retries if retrying else 0,
                other=0,
                status_forcelist=RETRY_STATUSES if retrying else (),
                allowed_methods=None,  # CKAN's actions are POSTs; ``retrying`` decides instead
                backoff_factor=self.backoff,
                raise_on_status=False,  # the last 5xx answer is returned and explained below
            )
            session = requests.Session()
            session.headers["User-Agent"] = self.user_agent
            adapter = HTTPAdapter(max_retries=retry)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            sessions[retrying] = session
        return sessions[retrying]

    def _ckan(self, retrying: bool) -> ckanapi.RemoteCKAN:
        remotes = self._local.__dict__.setdefault("remotes", {})
        if retrying not in remotes:
            remotes[retrying] = ckanapi.RemoteCKAN(
                self.url,
                apikey=self.token,
                user_agent=self.user_agent,
                get_only=self.read_only,
                session=self._session(retrying),
            )
        return remotes[retrying]

    # actions --------------------------------------------------------------------------------------

    def call(self, action: str, *, files: dict | None = None, retry: bool | None = None, **data) -> Any:
        """The result of ``action`` with ``data``; raises ``CkanError``.

        ``retry`` (default: only for reads) allows re-sending after a 502/503/504; pass True for a
        write that can safely be repeated. ``files`` maps a field (e.g. ``upload``) to an open file.
        """
        if self.read_only and not is_read(action):
            raise CkanError(
                CkanError.READ_ONLY,
                f"読み取り専用の CKAN クライアントでは {action} を呼べません (書き込む操作です)。",
                "CKAN を読むだけの処理 (採点のチェックなど) から書き込まないでください。",
                action=action,
            )
        statuses: list[int] = []
        kwargs = {"timeout": self.timeout, "hooks": {"response": lambda r, *a, **k: statuses.append(r.status_code)}}
        try:
            return self._ckan(is_read(action) if retry is None else retry).call_action(
                action, data, files=files, requests_kwargs=kwargs
            )
        except requests.RequestException as e:
            raise self._network_error(action, e) from None
        except ckanapi.ServerIncompatibleError:
            raise self._server_error(action, statuses[-1] if statuses else None) from None
        except ckanapi.CKANAPIError as e:
            raise self._api_error(action, e, statuses[-1] if statuses else None) from None

    def show(self, action: str, **data) -> Any:
        """Like ``call``, but None when the object does not exist (for ``*_show`` and the like)."""
        try:
            return self.call(action, **data)
        except CkanError as e:
            if e.kind == CkanError.NOT_FOUND:
                return None
            raise

    def download(self, url: str, limit: int | None = None) -> bytes:
        """The first ``limit`` bytes (all when None) of a file, e.g. a resource's upload.

        The token is sent only to CKAN's own origin, never to a resource hosted elsewhere.
        """
        same_origin = urlsplit(url)[:2] == urlsplit(self.url)[:2]
        headers = {"Authorization": self.token} if self.token and same_origin else {}
        try:
            with self._session(True).get(url, headers=headers, timeout=self.timeout, stream=True) as r:
                if r.status_code >= 400:
                    raise self._download_error(url, r.status_code)
                data = bytearray()
                for chunk in r.iter_content(64 * 1024):
                    data += chunk
                    if limit is not None and len(data) >= limit:
                        return bytes(data[:limit])
                return bytes(data)
        except requests.RequestException as e:
            raise self._network_error("download", e, where=url) from None

    def map(self, fn: Callable, items: Iterable, workers: int = 4) -> list:
        """``fn`` over ``items`` in a few threads (CKAN serves reads from several workers), in order."""
        items = list(items)
        if len(items) <= 1 or workers <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(fn, items))

    # errors in Japanese ---------------------------------------------------------------------------

    def _network_error(self, action: str, e: requests.RequestException, where: str = "") -> CkanError:
        where = where or self.url
        if isinstance(e, requests.Timeout) and not isinstance(e, requests.ConnectTimeout):
            return CkanError(
                CkanError.TIMEOUT,
                f"CKAN ({where}) が {self.timeout:g} 秒以内に応答しませんでした ({action})。",
                "CKAN が混み合っているか止まりかけています。"
                "./testbed status と ./testbed logs ckan-web で確かめてください。",
                action=action,
            )
        return CkanError(
            CkanError.UNREACHABLE,
            f"CKAN ({where}) に接続できません ({action})。",
            "スタックが起動しているか、./testbed status で ckan-web が動いているか確かめてください。",
            action=action,
        )

    def _server_error(self, action: str, status: int | None) -> CkanError:
        http = f"HTTP {status}" if status else "応答が API の形ではありません"
        return CkanError(
            CkanError.SERVER,
            f"CKAN ({self.url}) が {action} でエラーを返しました ({http})。",
            "./testbed logs ckan-web で原因を確かめてください。再起動中なら、少し待ってからやり直してください。",
            action=action,
            status=status,
        )

    def _api_error(self, action: str, e: ckanapi.CKANAPIError, status: int | None) -> CkanError:
        if isinstance(e, ckanapi.NotFound):
            return CkanError(
                CkanError.NOT_FOUND,
                f"CKAN に対象がありません ({action}: {_text(e.extra_msg)})。",
                "名前や ID が正しいか、削除されていないか確かめてください。",
                action=action,
                status=status,
            )
        if isinstance(e, ckanapi.NotAuthorized):
            detail = _text(e.extra_msg)
            if self.token:
                return CkanError(
                    CkanError.NOT_AUTHORIZED,
                    f"CKAN が API トークンでの {action} を許可しませんでした ({detail})。",
                    "トークンが正しいか (打ち間違い・失効がないか)、この操作の権限がある利用者のものか確かめてください "
                    "(運用者の管理者トークンは ./testbed admin-token ckan で確かめられます)。",
                    action=action,
                    status=status,
                )
            return CkanError(
                CkanError.NOT_AUTHORIZED,
                f"CKAN が {action} を許可しませんでした ({detail})。",
                "ログインが必要な操作です。API トークンを渡してください。",
                action=action,
                status=status,
            )
        if isinstance(e, ckanapi.ValidationError):
            fields = _field_messages(e.error_dict if isinstance(e.error_dict, dict) else {})
            listed = "、".join(f"{k}: {' '.join(v)}" for k, v in fields.items()) or _text(e.error_dict)
            return CkanError(
                CkanError.VALIDATION,
                f"CKAN が {action} の内容を受け付けませんでした ({listed})。",
                "挙げられた項目の値を直してから、もう一度実行してください。",
                action=action,
                fields=fields,
                status=status,
            )
        if (status or 500) >= 500:  # also an answer that is not JSON
            return self._server_error(action, status)
        return CkanError(
            CkanError.FAILED,
            f"CKAN の {action} が失敗しました ({_text(e)})。",
            "指定した値を見直してください。続くときは ./testbed logs ckan-web を確かめてください。",
            action=action,
            status=status,
        )

    def _download_error(self, url: str, status: int) -> CkanError:
        if status == 404:
            return CkanError(
                CkanError.NOT_FOUND,
                f"ファイル ({url}) が見つかりません (HTTP 404)。",
                "リソースの URL が正しいか、ファイルがアップロードされているか確かめてください。",
                action="download",
                status=status,
            )
        if status in (401, 403):
            return CkanError(
                CkanError.NOT_AUTHORIZED,
                f"ファイル ({url}) を読む権限がありません (HTTP {status})。",
                "公開されているか、渡した API トークンで読めるか確かめてください。",
                action="download",
                status=status,
            )
        return CkanError(
            CkanError.SERVER,
            f"ファイル ({url}) を読めませんでした (HTTP {status})。",
            "しばらく待ってからやり直してください。続くときは ./testbed logs ckan-web を確かめてください。",
            action="download",
            status=status,
        )

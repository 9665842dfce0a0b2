"""testbed_config.ckan_client: retries, read-only mode and Japanese errors, over real HTTP to a tiny local server."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from grader.ckan_checks import ReadOnlyCkan
from testbed_config.ckan_client import CkanClient, CkanError, is_read

pytestmark = pytest.mark.unit

TOKEN = "secret-token"


def ok(result) -> tuple[int, object]:
    return 200, {"success": True, "result": result}


def ckan_error(status: int, kind: str, **error) -> tuple[int, object]:
    return status, {"success": False, "error": {"__type": kind, **error}}


BUSY = (503, "<html>Service Unavailable</html>")


class FakeCkan:
    """A stand-in for CKAN on 127.0.0.1: answers each action from a script, records every request.

    ``script[action]`` is a list of answers ``(status, body)`` (a dict is sent as JSON) or seconds to
    sleep before answering the next one; the last answer repeats.
    """

    def __init__(self):
        self.script: dict[str, list] = {}
        self.seen: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, body: bytes = b""):
                parts = urlsplit(self.path)
                action = parts.path.rsplit("/", 1)[-1]
                fake.seen.append(
                    {
                        "method": self.command,
                        "action": action,
                        "query": parse_qs(parts.query),
                        "auth": self.headers.get("Authorization"),
                        "body": body,
                    }
                )
                answers = fake.script.get(action, [(404, "<html>no such page</html>")])
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if isinstance(answer, (int, float)):
                    time.sleep(answer)
                    answer = answers.pop(0) if len(answers) > 1 else answers[0]
                status, payload = answer
                data = json.dumps(payload).encode() if isinstance(payload, dict) else str(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if isinstance(payload, dict) else "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout test)

            def do_POST(self):
                self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def do_GET(self):
                self._answer()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def actions(self) -> list[str]:
        return [s["action"] for s in self.seen]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ckan():
    fake = FakeCkan()
    yield fake
    fake.close()


def client(fake: FakeCkan, **kw) -> CkanClient:
    return CkanClient(fake.url, kw.pop("token", TOKEN), backoff=0.01, **kw)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_is_a_read_retried_after_503_until_it_succeeds(ckan):
    """Does a read that meets 503 twice (CKAN restarting) get re-sent and return the result?"""
    ckan.script["package_show"] = [BUSY, BUSY, ok({"name": "hinanjo"})]
    assert client(ckan).call("package_show", id="hinanjo") == {"name": "hinanjo"}
    assert ckan.actions() == ["package_show"] * 3
    assert all(s["auth"] == TOKEN for s in ckan.seen)


def test_is_a_write_never_resent_after_503(ckan):
    """Is a write that meets 503 sent once only, and the failure explained in Japanese?"""
    ckan.script["package_create"] = [BUSY, ok({"id": "x"})]
    with pytest.raises(CkanError) as err:
        client(ckan).call("package_create", name="hinanjo")
    assert ckan.actions() == ["package_create"]
    assert err.value.kind == CkanError.SERVER and err.value.status == 503
    assert "HTTP 503" in str(err.value) and "./testbed logs ckan-web" in str(err.value)


def test_may_a_caller_allow_retrying_a_write_it_knows_is_safe(ckan):
    ckan.script["package_patch"] = [BUSY, ok({"id": "x"})]
    assert client(ckan).call("package_patch", retry=True, id="x", title="t") == {"id": "x"}
    assert ckan.actions() == ["package_patch"] * 2


def test_do_retries_stop_after_the_configured_number(ckan):
    """With CKAN answering 502 for good, does the client give up after 1 + retries attempts?"""
    ckan.script["status_show"] = [(502, "<html>Bad Gateway</html>")]
    with pytest.raises(CkanError) as err:
        client(ckan, retries=2).call("status_show")
    assert ckan.actions() == ["status_show"] * 3 and err.value.kind == CkanError.SERVER


def test_is_an_unreachable_ckan_explained_with_what_to_check():
    """With nothing listening, does the message say CKAN cannot be reached and point at ./testbed status?"""
    url = f"http://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    with pytest.raises(CkanError) as err:
        CkanClient(url, retries=2, backoff=0.01).call("status_show")
    assert err.value.kind == CkanError.UNREACHABLE
    assert f"CKAN ({url}) に接続できません" in str(err.value) and "./testbed status" in str(err.value)
    assert time.monotonic() - started < 5


def test_is_a_request_that_timed_out_not_resent(ckan):
    """When CKAN accepted the request but does not answer in time, is it sent once only (it may still run)?"""
    ckan.script["package_show"] = [1.0, ok({})]
    with pytest.raises(CkanError) as err:
        client(ckan, timeout=0.3).call("package_show", id="x")
    assert err.value.kind == CkanError.TIMEOUT and "0.3 秒以内に応答しませんでした" in str(err.value)
    assert ckan.actions() == ["package_show"]


def test_is_a_refused_token_explained(ckan):
    """Does a 403 with a token say the token was refused and how to check it, without a retry?"""
    ckan.script["user_create"] = [ckan_error(403, "Authorization Error", message="Access denied")]
    with pytest.raises(CkanError) as err:
        client(ckan).call("user_create", name="tb-x")
    assert err.value.kind == CkanError.NOT_AUTHORIZED
    assert "API トークンでの user_create を許可しませんでした" in str(err.value)
    assert "./testbed admin-token ckan" in str(err.value)
    assert ckan.actions() == ["user_create"]


def test_does_a_validation_error_name_the_fields(ckan):
    ckan.script["package_create"] = [
        ckan_error(409, "Validation Error", name=["That URL is already in use."], title=["Missing value"])
    ]
    with pytest.raises(CkanError) as err:
        client(ckan).call("package_create", name="hinanjo")
    assert err.value.kind == CkanError.VALIDATION
    assert err.value.fields == {"name": ["That URL is already in use."], "title": ["Missing value"]}
    assert "受け付けませんでした" in str(err.value)
    assert "name: That URL is already in use." in str(err.value) and "title: Missing value" in str(err.value)


def test_is_a_missing_object_none_from_show_and_an_error_from_call(ckan):
    ckan.script["organization_show"] = [ckan_error(404, "Not Found Error", message="Not found: Group not found")]
    c = client(ckan)
    assert c.show("organization_show", id="nai") is None
    with pytest.raises(CkanError) as err:
        c.call("organization_show", id="nai")
    assert err.value.kind == CkanError.NOT_FOUND and "Group not found" in str(err.value)


def test_does_a_read_only_client_refuse_writes_before_sending_anything(ckan):
    """Is a write refused by a read-only client (nothing reaches CKAN), while reads go by GET?"""
    ckan.script["package_show"] = [ok({"name": "a"})]
    ro = client(ckan, token=None, read_only=True)
    for action in ("package_create", "package_delete", "api_token_create", "datastore_upsert"):
        with pytest.raises(CkanError) as err:
            ro.call(action, id="a")
        assert err.value.kind == CkanError.READ_ONLY and "読み取り専用" in str(err.value)
    assert ckan.seen == []
    assert ro.call("package_show", id="a") == {"name": "a"}
    assert ckan.seen[0]["method"] == "GET" and ckan.seen[0]["query"] == {"id": ["a"]}


def test_are_reads_and_writes_told_apart_by_their_names():
    assert all(is_read(a) for a in ("status_show", "package_search", "api_token_list", "testbed_datastore_status"))
    assert not any(is_read(a) for a in ("package_create", "resource_patch", "dataset_purge", "testbed_datastore_load"))


def test_is_the_token_sent_only_to_ckans_own_origin(ckan):
    """Does a download send the token to CKAN's own files, and never to a file hosted elsewhere?"""
    ckan.script["data.csv"] = [(200, "名称,収容人数\n")]
    assert client(ckan).download(f"{ckan.url}/dataset/x/resource/y/download/data.csv", limit=6) == "名称".encode()
    elsewhere = CkanClient(f"http://127.0.0.1:{_closed_port()}", TOKEN)
    elsewhere.download(f"{ckan.url}/data.csv")
    assert [s["auth"] for s in ckan.seen] == [TOKEN, None]


def test_does_the_graders_reader_read_only_and_treat_missing_as_none(ckan):
    """Does the grader's ReadOnlyCkan answer None for a missing dataset and refuse to write?"""
    ckan.script["package_show"] = [ckan_error(404, "Not Found Error", message="Not found")]
    ro = ReadOnlyCkan(ckan.url)
    assert ro.action("package_show", id="nai") is None
    with pytest.raises(CkanError):
        ro.action("package_delete", id="x")
    assert ckan.actions() == ["package_show"]

"""Remote mode's self sign-up (/hub/signup, ``hub_config/native_auth.py``): failed sign-ups are counted per address
and, past the limit, that address's sign-ups are refused in Japanese before anything is created; the lock shows in
the instructors' list of sign-in locks (``hub_config/throttle_api.py``) and can be lifted there.

The REAL handler and authenticator classes run in the hub's venv (the CLI venv has no JupyterHub), with a stand-in
for the request: no remote-mode hub needs to run. Integration tier: it needs the venv ``./testbed up`` installs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers.installed import HUB_PYTHON

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not HUB_PYTHON.exists(), reason=f"no hub venv at {HUB_PYTHON} (./testbed up installs it)"),
]

PROBE = r"""
import asyncio, json, sys, types
from unittest import mock
sys.path.insert(0, sys.argv[1])
from hub_config import throttle_api
from hub_config.native_auth import JaSignUpHandler, TestbedNativeAuthenticator

with mock.patch.object(TestbedNativeAuthenticator, "add_new_table"):  # no hub database here
    auth = TestbedNativeAuthenticator(max_signup_failures_per_address=int(sys.argv[2]), throttle_db=sys.argv[3])
out = {"pages": [], "status": []}

def handler(address):
    h = types.SimpleNamespace(authenticator=auth, request=types.SimpleNamespace(remote_ip=address), log=auth.log)
    h._result_message = lambda *a: JaSignUpHandler._result_message(h, *a)
    async def render(name, **kw):
        return json.dumps(kw, ensure_ascii=False)
    h.render_template = render
    h.set_status = out["status"].append
    h.finish = out["pages"].append
    return h

alerts = []
for _ in range(int(sys.argv[4])):  # a taken name, again and again, from one address
    alerts.append(JaSignUpHandler.get_result_message(handler("198.51.100.7"), None, True, True, True, False)[0])
ok = JaSignUpHandler.get_result_message(handler("198.51.100.8"), object(), True, False, True, False)[0]
try:
    asyncio.run(JaSignUpHandler.post(handler("198.51.100.7")))
    out["passed_on"] = False
except (TypeError, AttributeError):  # not locked: handed on to NativeAuthenticator's post (needs a real handler)
    out["passed_on"] = True
listed = throttle_api.hub_locks(auth)
lifted = throttle_api.hub_unlock(auth, "198.51.100.7")
print(json.dumps({**out, "alerts": alerts, "ok": ok, "listed": listed, "lifted": lifted,
                  "after": throttle_api.hub_locks(auth)}, ensure_ascii=False))
"""


def _probe(tmp_path, limit: int, failures: int) -> dict:
    proc = subprocess.run(
        [str(HUB_PYTHON), "-c", PROBE, str(REPO), str(limit), str(tmp_path / "throttle.sqlite"), str(failures)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_do_failed_sign_ups_lock_the_address_until_an_instructor_lifts_it(tmp_path):
    """After 3 failed sign-ups from one address, is its next sign-up refused (403, Japanese, minutes to wait,
    nothing created), does a successful sign-up from elsewhere not count, is the lock listed for instructors as a
    sign-up lock of that address, and does lifting it leave none?"""
    report = _probe(tmp_path, 3, 3)
    assert report["alerts"] == ["alert-danger"] * 3 and not report["passed_on"]
    assert report["ok"] != "alert-danger"
    assert report["status"] == [403]
    page = json.loads(report["pages"][0])
    assert page["alert"] == "alert-danger" and "一時的に登録の受け付けを止めています" in page["result_message"]
    assert "10 分ほど待って" in page["result_message"]
    assert [(x["scope"], x["key"]) for x in report["listed"]] == [("signup", "198.51.100.7")]
    assert [(x["scope"], x["key"]) for x in report["lifted"]] == [("signup", "198.51.100.7")]
    assert report["after"] == []


def test_do_fewer_failures_than_the_limit_leave_sign_up_open(tmp_path):
    """Below the limit, is the address still allowed (the post goes on to NativeAuthenticator's, which needs a real
    handler the stand-in is not), and nothing listed?"""
    report = _probe(tmp_path, 3, 2)
    assert report["passed_on"] and report["listed"] == [] and report["status"] == []


SIGNIN_PROBE = r"""
import asyncio, json, sys, types
from pathlib import Path
from unittest import mock
sys.path.insert(0, sys.argv[1])
from hub_config import passwords, throttle_api
from hub_config.native_auth import TestbedNativeAuthenticator

staff_db = Path(sys.argv[2]) / "passwords.sqlite"
passwords.set_password(staff_db, "teacher", "right-password-123")
with mock.patch.object(TestbedNativeAuthenticator, "add_new_table"):  # no hub database here
    auth = TestbedNativeAuthenticator(
        staff_users={"teacher"}, staff_password_db=str(staff_db), max_failures_per_user=3,
        throttle_db=str(Path(sys.argv[2]) / "throttle.sqlite"),
    )
auth.get_user = lambda name: None  # no trainee signed up: only the staff account exists

def handler():
    return types.SimpleNamespace(request=types.SimpleNamespace(remote_ip="203.0.113.9"))

async def sign_in(password):
    h = handler()
    with mock.patch("asyncio.sleep"):  # the growing delay is the throttle's own unit test's
        name = await auth.authenticate(h, {"username": "teacher", "password": password})
    return name, getattr(h, "testbed_login_error", None)

out = {"wrong": [asyncio.run(sign_in("guess-%d" % i)) for i in range(3)]}
out["right_while_locked"] = asyncio.run(sign_in("right-password-123"))
out["listed"] = throttle_api.hub_locks(auth)
throttle_api.hub_unlock(auth, "teacher")
out["right_after_unlock"] = asyncio.run(sign_in("right-password-123"))
print(json.dumps(out, ensure_ascii=False))
"""


def test_are_remote_mode_sign_ins_of_staff_throttled_and_the_lock_shown_to_instructors(tmp_path):
    """In remote mode (internet-facing), do wrong passwords for an instructor's account lock it (a right password
    then refused with the Japanese lock message), is the lock listed for instructors, and does lifting it let the
    right password in again? (Before, staff sign-ins in remote mode were not counted at all.)"""
    proc = subprocess.run(
        [str(HUB_PYTHON), "-c", SIGNIN_PROBE, str(REPO), str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [name for name, _ in out["wrong"]] == [None, None, None]
    name, message = out["right_while_locked"]
    assert name is None and "一時的にロックされています" in message
    assert [(x["scope"], x["key"]) for x in out["listed"]] == [("user", "teacher")]
    assert out["right_after_unlock"] == ["teacher", None]

"""A trainee's account against the real hub and CKAN: password reset, disable/enable, sign-in throttling.

`./testbed cohort reset-password|disable|enable` and the instructor's page /hub/trainee-accounts.
"""

from __future__ import annotations

import json
import re
import stat
import time
from pathlib import Path

import ckanapi
import pytest
from helpers import cohort

from ckan_seed import trainees
from testbed_config.names import ckan_user_name

pytestmark = pytest.mark.integration

DISABLED = "講師が停止しています"
LOCKED = "一時的にロックされています"


@pytest.fixture
def trainee_pw(tmp_path, unique, stack_config):
    """One imported trainee (on-site mode) and their initial password; removed afterwards."""
    if stack_config.mode != "onsite":
        pytest.skip("individual passwords exist in on-site mode only")
    name = f"ac{unique()}"
    passwords = cohort.import_roster(tmp_path, [(name, "山田 太郎", "企画課")])
    yield name, passwords[name]
    cohort.remove(name)


@pytest.fixture
def instructor(hub, layout, stack_config):
    """A requests session signed in as the first admin (the instructor)."""
    password = (layout.secrets / "instructor-password").read_text().strip()
    r = cohort.login(hub.public, stack_config.admins[0], password)
    assert r.status_code == 302, r.text
    return r.session


def _login(public: str, user: str, password: str):
    """cohort.login, its page read as UTF-8 (the hub's pages do not name their charset)."""
    r = cohort.login(public, user, password)
    r.encoding = "utf-8"
    return r


def _utf8(r):
    r.encoding = "utf-8"
    return r


def _ckan_token(layout, name: str) -> str:
    token = trainees._stored_token(layout.hub_dir / "ckan-tokens.sqlite", name)
    assert token
    return token


def _ckan_sees_me(ckan_url: str, token: str, name: str) -> bool:
    """Does CKAN accept the trainee's own token (as that user)?"""
    try:
        me = ckanapi.RemoteCKAN(ckan_url, apikey=token).action.user_show(id=ckan_user_name(name))
    except ckanapi.NotAuthorized:
        return False
    except ckanapi.NotFound:
        return False
    # an anonymous caller sees a public profile without e-mail; the user themself sees their e-mail
    return bool(me.get("email"))


def _page_post(session, hub, **data):
    data["_xsrf"] = session.cookies.get("_xsrf")
    return _utf8(session.post(f"{hub.public}/hub/trainee-accounts", data=data, timeout=60))


def test_reset_password_gives_a_new_sheet_and_the_old_password_stops_working(trainee_pw, hub):
    """Does `cohort reset-password` write a private sheet with a new password that signs in, while the old one
    is refused at once?"""
    name, old = trainee_pw
    assert _login(hub.public, name, old).status_code == 302
    result = cohort.cli("cohort", "reset-password", name)
    assert result.exit_code == 0, result.output
    m = re.search(r"新しいパスワードの配布用紙: (\S+)", result.output)
    assert m, result.output
    sheet = Path(m.group(1))
    try:
        assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
        text = sheet.read_text(encoding="utf-8")
        assert "再発行したパスワード" in text and "山田 太郎" in text
        new = cohort.passwords_from_sheet(sheet)[name]
    finally:
        sheet.unlink()
    assert new != old
    assert _login(hub.public, name, new).status_code == 302
    refused = _login(hub.public, name, old)
    assert refused.status_code == 403 and "ユーザー名またはパスワードが違います" in refused.text


def test_unknown_or_staff_user_is_refused_in_japanese_and_nothing_changes(hub, layout, stack_config, unique):
    """Do reset-password/disable/enable of an unknown name, or of the instructor, fail in Japanese with no change?"""
    from hub_config import passwords

    db = layout.hub_dir / "passwords.sqlite"
    before = db.read_bytes()
    ghost = f"nobody{unique()}"
    for command in ("reset-password", "disable", "enable"):
        result = cohort.cli("cohort", command, ghost)
        assert result.exit_code != 0
        assert "登録されていません" in result.output and "何も変更していません" in result.output
    staff = cohort.cli("cohort", "reset-password", stack_config.admins[0])
    assert staff.exit_code != 0 and "講師・採点用のアカウント" in staff.output
    assert db.read_bytes() == before
    assert not passwords.has_password(db, ghost)


def test_disable_stops_sign_in_server_and_ckan_and_enable_restores_them(trainee_pw, hub, layout, ckan_url):
    """Is a disabled trainee refused at sign-in (Japanese reason), their server stopped and not restartable, their
    CKAN token refused; and after enable do the same password and token work again?"""
    name, pw = trainee_pw
    token = _ckan_token(layout, name)
    assert _ckan_sees_me(ckan_url, token, name)
    hub.start_server(name)
    session = _login(hub.public, name, pw).session

    result = cohort.cli("cohort", "disable", name)
    assert result.exit_code == 0, result.output
    assert "止めました" in result.output
    assert not hub.request("GET", f"/users/{name}").json()["servers"]
    refused = _login(hub.public, name, pw)
    assert refused.status_code == 403 and DISABLED in refused.text
    wrong = _login(hub.public, name, pw + "x")
    assert DISABLED not in wrong.text  # only someone who knows the password learns why
    assert hub.request("POST", f"/users/{name}/server").status_code >= 400 or not _server_comes_up(hub, name)
    assert not _ckan_sees_me(ckan_url, token, name)
    # the authenticator re-checks open sessions every 30 s: the session ends within that (plus a request's time)
    deadline = time.monotonic() + 40
    while True:
        home = session.get(f"{hub.public}/hub/home", allow_redirects=False, timeout=30)
        if home.status_code == 302 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert home.status_code == 302 and "/hub/login" in home.headers["Location"]
    rows = {r["username"]: r for r in json.loads(cohort.cli("cohort", "list", "--json").output)}
    assert rows[name]["disabled"] is True

    result = cohort.cli("cohort", "enable", name)
    assert result.exit_code == 0, result.output
    assert _login(hub.public, name, pw).status_code == 302
    assert _ckan_sees_me(ckan_url, token, name)


def _server_comes_up(hub, name: str, wait: float = 10) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if hub.request("GET", f"/users/{name}").json()["servers"].get("", {}).get("ready"):
            return True
        time.sleep(1)
    return False


def test_account_page_is_for_admins_only(trainee_pw, hub):
    """Is /hub/trainee-accounts refused to a trainee (403) and a POST without xsrf refused?"""
    name, pw = trainee_pw
    session = _login(hub.public, name, pw).session
    assert session.get(f"{hub.public}/hub/trainee-accounts", timeout=30).status_code == 403
    r = session.post(f"{hub.public}/hub/trainee-accounts", data={"action": "reset", "username": name}, timeout=30)
    assert r.status_code == 403
    assert _login(hub.public, name, pw).status_code == 302  # nothing changed


def test_account_page_disables_and_enables_with_ckan_in_step(trainee_pw, hub, layout, ckan_url, instructor):
    """From the instructor's page: disable refuses the trainee's sign-in and CKAN token, enable restores both;
    an unknown name changes nothing."""
    name, pw = trainee_pw
    token = _ckan_token(layout, name)
    page = _utf8(instructor.get(f"{hub.public}/hub/trainee-accounts", timeout=30))
    assert page.status_code == 200 and name in page.text and "山田 太郎" in page.text
    r = _page_post(instructor, hub, action="disable", username=name)
    assert r.status_code == 200 and "アカウントを停止しました" in r.text, r.text
    assert DISABLED in _login(hub.public, name, pw).text
    assert not _ckan_sees_me(ckan_url, token, name)
    r = _page_post(instructor, hub, action="enable", username=name)
    assert "アカウントを再開しました" in r.text
    assert _login(hub.public, name, pw).status_code == 302
    assert _ckan_sees_me(ckan_url, token, name)
    r = _page_post(instructor, hub, action="reset", username="nobody-here")
    assert r.status_code == 404 and "見つかりません" in r.text
    assert _login(hub.public, name, pw).status_code == 302


def test_twenty_wrong_passwords_lock_the_account_until_unlocked(trainee_pw, hub, instructor):
    """Do 20 wrong passwords lock the account (Japanese message), is the right password refused while locked,
    and accepted once the instructor unlocks it?"""
    name, pw = trainee_pw
    try:
        texts = [_login(hub.public, name, f"wrong-{i}").text for i in range(20)]
        assert any(LOCKED in t for t in texts)
        locked = _login(hub.public, name, pw)
        assert locked.status_code == 403 and LOCKED in locked.text
        page = _utf8(instructor.get(f"{hub.public}/hub/trainee-accounts", timeout=30))
        assert "ロック中" in page.text
        r = _page_post(instructor, hub, action="unlock", username=name)
        assert "ロックを解除しました" in r.text
        assert _login(hub.public, name, pw).status_code == 302
    finally:  # these failures also count against this machine's address: clear them for the tests after us
        _page_post(instructor, hub, action="unlock-address", username="127.0.0.1")

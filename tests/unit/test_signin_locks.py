"""Sign-in locks shown to instructors (issue #18, item 7), without a hub: the hub API's rules
(``hub_config/throttle_api.py``), who may call it (hub config), the console's page (``classroom/console_locks.py``)
and the CLI's lines (``testbed_cli/commands/signin.py``)."""

from __future__ import annotations

import pytest
from traitlets.config import Config

from classroom import console_locks
from hub_config import configurer, throttle_api
from hub_config.throttle import SignInThrottle
from testbed_cli.commands import signin
from testbed_config import StackConfig

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Auth:
    """The two throttles of TestbedAuthenticator, nothing else."""

    def __init__(self, clock):
        self.user_throttle = SignInThrottle(limit=3, lock=600, window=900, clock=clock)
        self.address_throttle = SignInThrottle(limit=5, lock=600, window=900, clock=clock)


def test_are_hub_locks_listed_with_time_left_and_lifted_by_user_or_address():
    """Are a locked user and a locked address listed (users first, failures after the lock counted), does lifting
    a name free only that key, and does lifting a name that is not locked report nothing?"""
    clock = Clock()
    auth = Auth(clock)
    for _ in range(4):  # the 3rd locks, the 4th counts after the lock
        auth.user_throttle.failure("sato")
    for _ in range(5):
        auth.address_throttle.failure("127.9.9.9")
    auth.user_throttle.failure("tanaka")  # one failure: no lock
    clock.now += 60
    locks = throttle_api.hub_locks(auth)
    assert [(x["scope"], x["key"]) for x in locks] == [("user", "sato"), ("address", "127.9.9.9")]
    sato = locks[0]
    assert sato["system"] == "hub" and sato["hub_user"] == "sato" and sato["seconds_left"] == 540
    assert sato["failures"] == 1 and sato["limit"] == 3 and sato["until"].endswith("+09:00")
    assert locks[1]["hub_user"] == ""
    assert throttle_api.hub_unlock(auth, "tanaka") == []  # not locked: nothing reported...
    assert auth.user_throttle.failures("tanaka") == 0  # ... but its failures are forgotten
    lifted = throttle_api.hub_unlock(auth, "sato")
    assert [(x["scope"], x["key"]) for x in lifted] == [("user", "sato")]
    assert auth.user_throttle.locked_for("sato") == 0
    assert [x["key"] for x in throttle_api.hub_locks(auth)] == ["127.9.9.9"]


def test_without_our_throttle_are_there_no_hub_locks():
    """Does an authenticator without the testbed's throttle (remote mode's sign-up) give no locks, not an error?"""
    assert throttle_api.hub_locks(object()) == [] and throttle_api.hub_unlock(object(), "x") == []


def test_does_a_hub_name_also_stand_for_its_ckan_user_but_an_address_does_not():
    assert throttle_api.ckan_names("sato") == ["sato", "tb-sato"]
    assert throttle_api.ckan_names("127.0.0.9") == ["127.0.0.9"]
    assert throttle_api.ckan_names("tb-sato")[0] == "tb-sato"


@pytest.fixture
def cfg(tmp_path):
    c = StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt")
    secrets = c.state_dir / "secrets"
    secrets.mkdir(parents=True)
    for name in ("proxy-auth-token", "hub-admin-token", "formgrader-odtb-token", "progress-odtb-token"):
        (secrets / name).write_text("x" * 40)
    return c


def test_may_only_staff_and_the_operator_hold_the_unlock_scope(cfg):
    """Is the custom scope defined, held by admins, instructors and the operator's service only (never a trainee
    group), askable by the console's OAuth client, and does the authenticator know where CKAN is?"""
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    assert throttle_api.SCOPE in c.JupyterHub.custom_scopes
    holders = [r for r in c.JupyterHub.load_roles if throttle_api.SCOPE in r["scopes"]]
    assert len(holders) == 1
    role = holders[0]
    staff = set(cfg.admins) | {u for course in cfg.courses for u in course.instructors}
    assert set(role["users"]) == staff and role["services"] == [configurer.OPERATOR_SERVICE]
    assert "groups" not in role  # trainees are in groups; no group holds it
    console = next(s for s in c.JupyterHub.services if s["name"] == "progress-odtb")
    assert throttle_api.SCOPE in console["oauth_client_allowed_scopes"]
    assert c.TestbedAuthenticator.ckan_url == cfg.ckan_internal_url
    assert c.TestbedAuthenticator.ckan_token_file.endswith("ckan-admin-token")


LOCKS = {
    "hub": True,
    "ckan_error": "",
    "locks": [
        {
            "system": "hub",
            "scope": "user",
            "key": '<img src=x onerror="alert(1)">',
            "hub_user": '<img src=x onerror="alert(1)">',
            "seconds_left": 301,
            "until": "2026-12-07T14:40:00+09:00",
            "failures": 2,
            "limit": 10,
        },
        {
            "system": "ckan",
            "scope": "user",
            "key": "tb-sato",
            "hub_user": "sato",
            "seconds_left": 60,
            "until": "2026-12-07T05:31:00+00:00",
            "failures": 0,
            "limit": 10,
        },
    ],
}


def test_does_the_console_page_escape_names_and_show_japan_time():
    """Is a name typed at a sign-in form shown as text (never markup), each row's 「解除」 a POST with the xsrf
    field, the time left in minutes and the end in Japan time, and the CKAN user tied to its hub name?"""
    html = console_locks.page("odtb", LOCKS, xsrf='<input type="hidden" name="_xsrf" value="T">')
    assert "<img" not in html and "&lt;img src=x" in html
    assert html.count('method="post" action="signin-locks"') == 2 and html.count('name="_xsrf"') == 2
    assert "約 6 分 (12月7日 14:40 まで)" in html
    assert "約 1 分 (12月7日 14:31 まで)" in html  # a UTC time shown in Japan time
    assert "研修環境のユーザー sato" in html and "10 回でロック (ロック後にさらに 2 回)" in html
    assert "<script" not in html


def test_does_the_console_say_when_nothing_is_locked_or_ckan_cannot_be_asked():
    html = console_locks.page("odtb", {"hub": True, "ckan_error": "CKAN に<接続>できません", "locks": []}, xsrf="")
    assert "いまロックされているアカウントや端末はありません" in html
    assert "CKAN に&lt;接続&gt;できません" in html
    text = console_locks.unlocked_text("sato", [{"system": "hub"}, {"system": "ckan"}])
    assert text.startswith("「sato」のサインインのロックを解除しました (JupyterHub・CKAN)。")


def test_does_the_cli_line_say_system_kind_name_and_japan_time():
    line = signin._line(LOCKS["locks"][1])
    assert "CKAN" in line and "アカウント" in line and "tb-sato (研修環境のユーザー sato)" in line
    assert "あと約 1 分 (12月07日 14:31 まで、日本時間)" in line

"""Sign-in to CKAN with the hub account, on the real hub and CKAN: the right CKAN user with no second password,
hub sign-out ends it, refusals (forged state, disabled or removed trainee) in Japanese with nothing created, CKAN
admins' own login, and a password-reset page that never fails."""

from __future__ import annotations

import re
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from helpers import ckan_sso, cohort

from ckan_seed.trainees import set_trainee_active
from testbed_config.names import ckan_user_name, sandbox_org_name

pytestmark = pytest.mark.integration

BUTTON = "研修環境 (JupyterHub) のアカウントでサインイン"
RECHECK = 10  # seconds: ckanext.testbed.sso.recheck_seconds (its default)


@pytest.fixture(scope="module")
def ckan_public(stack_config) -> str:
    return stack_config.ckan_url.rstrip("/")


@pytest.fixture
def trainee_pw(hub, tmp_path):
    """A cohort trainee (hub user, password, CKAN user and sandbox); removed afterwards."""
    name = f"so{secrets.token_hex(3)}"
    pw = cohort.import_roster(tmp_path, [(name, "佐藤 花子", "企画政策課")])
    try:
        yield name, pw[name]
    finally:
        cohort.remove(name)


def _hub_session(hub, name: str, password: str) -> requests.Session:
    login = cohort.login(hub.public, name, password)
    assert login.status_code == 302, login.status_code
    return login.session


def _ckan_user(ckan_admin, name: str) -> dict | None:
    import ckanapi

    try:
        return ckanapi.RemoteCKAN(ckan_admin.address, apikey=ckan_admin.apikey).action.user_show(id=name)
    except ckanapi.NotFound:
        return None


def _refusal(answer: requests.Response, ckan: requests.Session, ckan_public: str) -> str:
    """The Japanese reason on the page a refused sign-in lands on (asserts it is that page, status 403)."""
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/user/login/hub/refused"), (
        answer.status_code,
        answer.headers.get("Location"),
    )
    page = ckan.get(f"{ckan_public}/user/login/hub/refused", timeout=30)
    assert page.status_code == 403
    m = re.search(r'id="testbed-sso-refused">([^<]+)<', page.text)
    assert m, page.text[:500]
    assert "Unique user not found" not in page.text and "state does not match" not in page.text  # no English
    return m.group(1)


def test_is_a_trainee_signed_in_to_the_hub_their_own_ckan_user_until_they_sign_out_of_the_hub(
    trainee_pw, hub, ckan_public
):
    """Does a trainee signed in to the hub become their own CKAN user (tb-NAME) with no second password, and does
    signing out of the hub end the CKAN session (within the re-check interval), with a Japanese notice?"""
    name, password = trainee_pw
    hub_session = _hub_session(hub, name, password)
    ckan, answer = ckan_sso.sign_in(ckan_public, hub_session)
    assert answer.status_code == 302 and "/user/login" not in answer.headers["Location"]
    assert ckan_sso.who(ckan, ckan_public) == ckan_user_name(name)

    hub_session.get(f"{hub.public}/hub/logout", timeout=30)
    time.sleep(RECHECK + 1)
    page = ckan.get(f"{ckan_public}/dataset/", timeout=30)
    assert "研修環境 (JupyterHub) からサインアウトしたため" in page.text
    assert ckan_sso.who(ckan, ckan_public) is None


def test_is_an_instructor_signed_in_as_their_own_ckan_user(hub, ckan_public, layout, stack_config):
    """Does an instructor signed in to the hub become their own CKAN user (the one their server's start provisions,
    made here the same way), not an admin and not a new user?"""
    from ckan_seed.trainees import ensure_trainee

    instructor = stack_config.courses[0].instructors[0]
    token = (layout.secrets / "ckan-admin-token").read_text().strip()
    ensure_trainee(  # what the spawn hook does at the instructor's first server start (idempotent)
        layout.cfg.ckan_internal_url, token, instructor, token_db=layout.hub_dir / "ckan-tokens.sqlite"
    )
    password = (layout.secrets / "instructor-password").read_text().strip()
    ckan, _ = ckan_sso.sign_in(ckan_public, _hub_session(hub, instructor, password))
    assert ckan_sso.who(ckan, ckan_public) == ckan_user_name(instructor)


def test_does_a_link_with_came_from_land_there_but_never_on_another_site(trainee_pw, hub, ckan_public):
    """Does a sign-in link with ``came_from=/organization/sandbox-NAME`` land on the sandbox, while a ``came_from``
    on another site is dropped (no open redirect through CKAN's sign-in)?"""
    name, password = trainee_pw
    hub_session = _hub_session(hub, name, password)
    for came_from, lands in ((f"/organization/{sandbox_org_name(name)}", True), ("http://evil.example/x", False)):
        ckan, authorize_url = ckan_sso.start(ckan_public, came_from)
        answer = ckan.get(ckan_sso.callback_url(ckan_sso.authorize(hub_session, authorize_url)), allow_redirects=False)
        assert answer.status_code == 302
        assert (urlsplit(answer.headers["Location"]).path == came_from) is lands
        assert "evil.example" not in answer.headers["Location"]
        assert ckan_sso.who(ckan, ckan_public) == ckan_user_name(name)


def test_is_a_forged_or_unstarted_callback_refused_in_japanese(trainee_pw, hub, ckan_public, ckan_admin):
    """Is a callback whose state is not the one CKAN sent (a forged request) refused with a Japanese message and no
    session, and so is a callback in a session that never started a sign-in?"""
    name, password = trainee_pw
    hub_session = _hub_session(hub, name, password)
    ckan, authorize_url = ckan_sso.start(ckan_public)
    back = urlsplit(ckan_sso.callback_url(ckan_sso.authorize(hub_session, authorize_url)))
    query = parse_qs(back.query)
    forged = urlunsplit(back._replace(query=urlencode({"code": query["code"][0], "state": "forged-" + "x" * 40})))
    answer = ckan.get(forged, allow_redirects=False, timeout=30)
    assert "確認できませんでした" in _refusal(answer, ckan, ckan_public)
    assert ckan_sso.who(ckan, ckan_public) is None

    stranger = requests.Session()  # never pressed the button: no verifier, no state in its session
    answer = stranger.get(urlunsplit(back), allow_redirects=False, timeout=30)
    assert "始まっていない" in _refusal(answer, stranger, ckan_public)
    assert ckan_sso.who(stranger, ckan_public) is None


def test_is_a_disabled_trainee_refused_and_left_as_they_were(trainee_pw, hub, ckan_public, ckan_admin):
    """After ``./testbed cohort disable``, is a sign-in from the trainee's still-open hub session refused (by the hub
    or, if it lets it through, by CKAN in Japanese), with the CKAN user still blocked and no session?"""
    name, password = trainee_pw
    hub_session = _hub_session(hub, name, password)
    result = cohort.cli("cohort", "disable", name)
    assert result.exit_code == 0, result.output
    ckan, authorize_url = ckan_sso.start(ckan_public)
    answer = ckan_sso.authorize(hub_session, authorize_url)
    location = answer.headers.get("Location", "")
    if answer.status_code == 302 and "/user/login/oidc-pkce/callback" in location:
        back = ckan.get(location, allow_redirects=False, timeout=30)
        assert "停止" in _refusal(back, ckan, ckan_public)
    else:  # the hub no longer knows the session: it asks for a sign-in, which the disabled trainee cannot do
        assert answer.status_code in (302, 403), answer.status_code
        assert "/user/login/oidc-pkce/callback" not in location
    assert ckan_sso.who(ckan, ckan_public) is None
    assert _ckan_user(ckan_admin, ckan_user_name(name))["state"] == "pending"


def test_is_a_trainee_blocked_in_ckan_refused_with_the_reason(trainee_pw, hub, ckan_public, ckan_admin, layout):
    """With the hub still letting the trainee through but their CKAN user blocked, does CKAN itself refuse, saying
    in Japanese that the instructor stopped the account, and leave the user blocked?"""
    name, password = trainee_pw
    hub_session = _hub_session(hub, name, password)
    token = (layout.secrets / "ckan-admin-token").read_text().strip()
    assert set_trainee_active(layout.cfg.ckan_internal_url, token, name, False)
    ckan, answer = ckan_sso.sign_in(ckan_public, hub_session)
    assert "講師が利用を停止" in _refusal(answer, ckan, ckan_public)
    assert ckan_sso.who(ckan, ckan_public) is None
    assert _ckan_user(ckan_admin, ckan_user_name(name))["state"] == "pending"


def test_is_a_removed_trainees_session_and_code_refused_and_nothing_recreated(hub, ckan_public, ckan_admin, tmp_path):
    """After the trainee is removed, does their open CKAN session end, is the hub grant they obtained before the
    removal refused in Japanese when used, and does CKAN still have no active user of that name?"""
    name = f"so{secrets.token_hex(3)}"
    pw = cohort.import_roster(tmp_path, [(name, "鈴木 一郎", "市民課")])
    try:
        hub_session = _hub_session(hub, name, pw[name])
        signed_in, _ = ckan_sso.sign_in(ckan_public, hub_session)
        assert ckan_sso.who(signed_in, ckan_public) == ckan_user_name(name)
        pending, authorize_url = ckan_sso.start(ckan_public)
        back = ckan_sso.callback_url(ckan_sso.authorize(hub_session, authorize_url))  # granted, not yet used
    finally:
        cohort.remove(name)
    assert ckan_sso.who(signed_in, ckan_public) is None
    answer = pending.get(back, allow_redirects=False, timeout=30)
    assert "サインイン" in _refusal(answer, pending, ckan_public)
    assert ckan_sso.who(pending, ckan_public) is None
    user = _ckan_user(ckan_admin, ckan_user_name(name))
    assert user is None or user["state"] == "deleted"


def test_does_the_login_page_lead_with_the_hub_and_keep_the_admins_own_login(ckan_public, layout):
    """Does CKAN's login page offer the hub sign-in first (no English single sign-on button), and can the CKAN
    admin still sign in with their CKAN password (and not with a wrong one)?"""
    page = requests.get(f"{ckan_public}/user/login", timeout=30).text
    assert BUTTON in page and "single sign-on" not in page
    assert page.index(BUTTON) < page.index('name="password"')

    def admin_login(password: str) -> str | None:
        s = requests.Session()
        form = s.get(f"{ckan_public}/user/login", timeout=30).text
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)
        s.post(
            f"{ckan_public}/user/login",
            data={"login": "testbed-admin", "password": password, "_csrf_token": csrf},
            timeout=30,
        )
        return ckan_sso.who(s, ckan_public)

    assert admin_login("wrong-" + secrets.token_hex(4)) is None
    assert admin_login((layout.secrets / "ckan-admin-password").read_text().strip()) == "testbed-admin"


@pytest.mark.parametrize("method, path", [("GET", "/user/reset"), ("POST", "/user/reset"), ("GET", "/user/reset/x")])
def test_does_the_password_reset_page_say_whom_to_ask_instead_of_failing(ckan_public, method, path):
    """Does CKAN's password reset (no mail configured here) answer a Japanese page naming the 講師 and the 管理者,
    never a 500, whether opened, submitted or followed from an old reset link?"""
    s = requests.Session()
    data = None
    if method == "POST":
        form = s.get(f"{ckan_public}/user/reset", timeout=30).text
        csrf = re.search(r'name="_csrf_token" content="([^"]+)"', form).group(1)
        data = {"user": "tb-nobody", "_csrf_token": csrf}
    r = s.request(method, f"{ckan_public}{path}", data=data, timeout=30)
    assert r.status_code == 200, r.status_code
    assert 'id="testbed-password-help"' in r.text
    assert "講師" in r.text and "管理者" in r.text and "再発行" in r.text

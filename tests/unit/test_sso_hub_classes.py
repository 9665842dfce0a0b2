"""The generated SSO config loaded into the REAL authenticator classes, in the hub's venv.

The CLI venv has no JupyterHub; these tests run tests/helpers/sso_probe.py with the hub venv's python
(where oauthenticator 17.4.0 and jupyterhub-ltiauthenticator 1.6.3 are installed) and check its JSON
report. So they are integration tests (they need what ./testbed up installed, though no running service),
and are skipped when that venv is missing.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers.installed import HUB_PYTHON

REPO = Path(__file__).resolve().parents[2]
PROBE = REPO / "tests" / "helpers" / "sso_probe.py"
SECRET = "s3cr3t-from-the-idp"

pytestmark = [
    pytest.mark.integration,  # runs the hub venv that ./testbed up installs under /opt/testbed
    pytest.mark.skipif(not HUB_PYTHON.exists(), reason=f"no hub venv at {HUB_PYTHON} (./testbed up installs it)"),
]


def _has(module: str) -> bool:
    return subprocess.run([str(HUB_PYTHON), "-c", f"import {module}"], capture_output=True).returncode == 0


@pytest.fixture(scope="module", autouse=True)
def _sso_packages():
    missing = [m for m in ("oauthenticator", "ltiauthenticator") if not _has(m)]
    if missing:
        pytest.skip(f"hub venv lacks {', '.join(missing)} (pinned in testbed_cli/requirements/hub.txt; ./testbed up)")


@pytest.fixture
def stack(tmp_path):
    """Write a remote-mode stack config (and the secrets the hub config reads); return a function adding `sso`."""
    state = tmp_path / "state"
    (state / "secrets").mkdir(parents=True)
    for name in ("proxy-auth-token", "hub-admin-token", "formgrader-odtb-token"):
        (state / "secrets" / name).write_text("x" * 40)
    secret = tmp_path / "client-secret"
    secret.write_text(SECRET + "\n")
    secret.chmod(0o600)

    def write(sso_yaml: str) -> Path:
        path = tmp_path / "testbed.yaml"
        path.write_text(
            f"mode: remote\nstate_dir: {state}\nprefix: {tmp_path / 'opt'}\nadmins: [instructor]\n"
            f"sso:\n{sso_yaml.replace('SECRET_FILE', str(secret))}",
            encoding="utf-8",
        )
        return path

    return write


def probe(tmp_path, stack_yaml: Path, sign_ins: list[dict]) -> dict:
    data = tmp_path / "sign-ins.json"
    data.write_text(json.dumps(sign_ins), encoding="utf-8")
    run = subprocess.run(
        [str(HUB_PYTHON), str(PROBE), str(stack_yaml), str(data)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


OAUTH = """\
  type: oauth
  authorize_url: https://idp.city.example.jp/auth
  token_url: https://idp.city.example.jp/token
  userdata_url: https://idp.city.example.jp/userinfo
  client_id: odtb-hub
  client_secret_file: SECRET_FILE
  email_domains: [city.example.jp]
  groups_claim: realm_access.roles
  admin_groups: [odtb-staff]
"""

LTI13 = """\
  type: lti13
  issuer: https://lms.city.example.jp
  authorize_url: https://lms.city.example.jp/mod/lti/auth.php
  jwks_endpoint: https://lms.city.example.jp/mod/lti/certs.php
  client_id: Xb4kQ2
  public_url: https://jupyter.city.example.jp/
  email_domains: [city.example.jp]
  allowed_groups: [Learner]
  admin_groups: [Administrator]
"""

ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
SITE_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def test_oauth_config_reaches_the_real_generic_oauthenticator(tmp_path, stack):
    """Does GenericOAuthenticator 17.4 take every generated trait, and sign people in under Unix-safe names?"""
    report = probe(
        tmp_path,
        stack(OAUTH),
        [
            {"sub": "u-1", "email": "Taro.Yamada@city.example.jp"},
            {"sub": "u-2", "email": "taro-yamada@city.example.jp"},
            {"sub": "u-1", "email": "Taro.Yamada@city.example.jp"},  # the first one again
            {"sub": "u-3", "email": "instructor@city.example.jp"},
            {"sub": "u-4", "email": "hanako@example.com"},
            {"sub": "u-5", "email": "boss@city.example.jp", "realm_access": {"roles": ["odtb-staff"]}},
            {"sub": "u-6", "email": "grader-odtb@city.example.jp"},
            {"sub": "u-7", "email": "kato@city.example.jp"},  # a hub user made before SSO
        ],
    )
    assert report["class"] == "hub_config.sso_auth.TestbedOAuthenticator"
    assert "oauthenticator.generic.GenericOAuthenticator" in report["bases"]
    t = report["traits"]
    assert t["authorize_url"] == "https://idp.city.example.jp/auth"
    assert t["token_url"] == "https://idp.city.example.jp/token"
    assert t["userdata_url"] == "https://idp.city.example.jp/userinfo"
    assert t["client_id"] == "odtb-hub"
    assert t["client_secret"] == SECRET  # from the file
    assert t["scope"] == ["openid", "profile", "email"]
    assert t["username_claim"] == "email"
    assert t["login_service"] == "所属組織のアカウント"
    assert t["oauth_callback_url"] == "http://127.0.0.1:8000/hub/oauth_callback"
    assert t["groups_claim"] == "realm_access.roles"
    assert t["manage_groups"] is False
    assert t["max_username_length"] == 24
    assert t["reserved_names"] == ["grader-odtb"]
    assert t["course_groups"] == ["nbgrader-odtb"]
    assert t["admin_users"] == ["instructor"]
    assert t["allow_all"] is True and t["allow_existing_users"] is False
    assert t["admin_idp_groups"] == ["odtb-staff"]

    first, second, again, staff, other_domain, boss, grader, kato = report["sign_ins"]
    assert first == {"name": "taro-yamada", "admin": False}  # admin_groups set: membership decides
    assert second == {"name": "taro-yamada-2", "admin": False}  # a different person: never the same account
    assert again == {"name": "taro-yamada", "admin": False}
    assert staff == {"name": "instructor", "admin": True}
    assert other_domain["status"] == 403 and "example.com" in other_domain["refused"]
    assert boss == {"name": "boss", "admin": True}  # via the IdP's admin group
    assert grader["name"] == "grader-odtb-2"

    groups = report["groups"]
    assert groups["taro-yamada"] == groups["taro-yamada-2"] == groups["boss"] == ["nbgrader-odtb"]
    assert groups["instructor"] == []  # staff grade the course, they do not take it
    assert kato == {"name": "kato", "admin": False}
    assert groups["kato"] == ["nbgrader-odtb"]  # joined at sign-in, though the hub user existed before
    assert groups["operator-made"] == []  # never came through SSO
    assert report["hub"]["authenticator_class"] == report["class"]
    assert report["hub"]["load_groups"] == ["formgrade-odtb", "nbgrader-odtb"]  # kept: groups are not the IdP's


def test_lti13_config_reaches_the_real_lti13_authenticator(tmp_path, stack):
    """Does LTI13Authenticator 1.6.3 take every generated trait, and let only Learners (and staff) in?"""
    iss = "https://lms.city.example.jp"
    report = probe(
        tmp_path,
        stack(LTI13),
        [
            {"iss": iss, "sub": "7", "email": "Hanako.Sato@city.example.jp", ROLES: [LEARNER]},
            {"iss": iss, "sub": "8", "email": "jiro@city.example.jp", ROLES: [INSTRUCTOR]},
            {"iss": iss, "sub": "2", "email": "admin@city.example.jp", ROLES: [SITE_ADMIN, INSTRUCTOR]},
            {"iss": iss, "sub": "9", ROLES: [LEARNER]},  # the LMS shares no e-mail: its user id
            {"iss": iss, "sub": "10", "email": "instructor@city.example.jp", ROLES: [INSTRUCTOR]},
        ],
    )
    assert report["class"] == "hub_config.sso_auth.TestbedLTI13Authenticator"
    assert "ltiauthenticator.lti13.auth.LTI13Authenticator" in report["bases"]
    t = report["traits"]
    assert t["issuer"] == iss
    assert t["authorize_url"] == f"{iss}/mod/lti/auth.php"
    assert t["jwks_endpoint"] == f"{iss}/mod/lti/certs.php"
    assert t["client_id"] == ["Xb4kQ2"]
    assert t["username_key"] == "email"
    assert t["uri_scheme"] == "https"
    assert "LMS" in t["custom_html"]
    assert t["allow_all"] is False and t["allowed_idp_groups"] == ["Learner"]

    learner, teacher, site_admin, anonymous, staff = report["sign_ins"]
    assert learner == {"name": "hanako-sato", "admin": False}
    assert teacher["status"] == 403 and "権限がありません" in teacher["refused"]  # not a Learner, not staff
    assert site_admin == {"name": "admin", "admin": True}
    assert anonymous == {"name": "u9", "admin": False}
    assert staff == {"name": "instructor", "admin": True}
    assert report["groups"]["hanako-sato"] == ["nbgrader-odtb"]
    assert "jiro" not in report["groups"]  # refused: never bound, never a hub user
    assert report["hub"]["cookie_options"] == {"SameSite": "None", "Secure": True}

"""Single sign-on (sso.type oauth / lti13) in remote mode: config keys, hub settings on a bare Config, hub names."""

from __future__ import annotations

import os
import sqlite3

import pytest
from traitlets.config import Config

from hub_config import configurer, remote, sso
from hub_config.sso_names import NameBook, NameRefused, NameRules, derive_name, numbered
from testbed_config import ConfigError, StackConfig, load_config

pytestmark = pytest.mark.unit

SECRET = "s3cr3t-from-the-idp"
OAUTH_KEYS = {
    "authorize_url": "https://idp.city.example.jp/realms/city/protocol/openid-connect/auth",
    "token_url": "https://idp.city.example.jp/realms/city/protocol/openid-connect/token",
    "userdata_url": "https://idp.city.example.jp/realms/city/protocol/openid-connect/userinfo",
    "client_id": "odtb-hub",
}
LTI13_KEYS = {
    "issuer": "https://lms.city.example.jp",
    "authorize_url": "https://lms.city.example.jp/mod/lti/auth.php",
    "jwks_endpoint": "https://lms.city.example.jp/mod/lti/certs.php",
    "client_id": "Xb4kQ2",
    "public_url": "https://jupyter.city.example.jp",
}


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "sso-client-secret"
    path.write_text(SECRET + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def base(tmp_path):
    """Stack-config keys of a remote-mode hub whose generated secrets exist."""
    state = tmp_path / "state"
    (state / "secrets").mkdir(parents=True)
    for name in ("proxy-auth-token", "hub-admin-token", "formgrader-odtb-token"):
        (state / "secrets" / name).write_text("x" * 40)
    return {"mode": "remote", "state_dir": state, "prefix": tmp_path / "opt", "admins": ["instructor", "chief"]}


def oauth_cfg(base, secret_file, **sso_keys) -> StackConfig:
    return StackConfig(**base, sso={"type": "oauth", **OAUTH_KEYS, "client_secret_file": secret_file, **sso_keys})


def lti13_cfg(base, **sso_keys) -> StackConfig:
    return StackConfig(**base, sso={"type": "lti13", **LTI13_KEYS, **sso_keys})


def hub_config(cfg: StackConfig, *, is_root: bool = True) -> Config:
    c = Config()
    configurer.update_all(c, cfg, is_root=is_root)
    return c


def write_yaml(tmp_path, text: str):
    path = tmp_path / "testbed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- hub settings -------------------------------------------------------------------------------


def test_oauth_sets_the_generic_oauthenticator(base, secret_file):
    """Does sso.type oauth put the testbed's GenericOAuthenticator in charge, with the IdP's endpoints?"""
    c = hub_config(oauth_cfg(base, secret_file, username_claim="preferred_username"))
    assert c.JupyterHub.authenticator_class == "hub_config.sso_auth.TestbedOAuthenticator"
    g = c.GenericOAuthenticator
    assert g.authorize_url == OAUTH_KEYS["authorize_url"]
    assert g.token_url == OAUTH_KEYS["token_url"]
    assert g.userdata_url == OAUTH_KEYS["userdata_url"]
    assert g.client_id == "odtb-hub"
    assert g.scope == ["openid", "profile", "email"]
    assert g.username_claim == "preferred_username"
    assert g.login_service == "所属組織のアカウント"
    assert g.oauth_callback_url == "http://127.0.0.1:8000/hub/oauth_callback"
    assert "権限がありません" in g.custom_403_message
    assert c.TestbedOAuthenticator.groups_claim == "groups"
    assert c.TestbedSSOAuthenticator.identity_namespace == "oauth|idp.city.example.jp"


def test_oauth_callback_follows_the_public_url(base, secret_file):
    """Behind an HTTPS reverse proxy, is the redirect URL registered at the IdP built from sso.public_url?"""
    c = hub_config(oauth_cfg(base, secret_file, public_url="https://jupyter.city.example.jp"))
    assert c.GenericOAuthenticator.oauth_callback_url == "https://jupyter.city.example.jp/hub/oauth_callback"


def test_lti13_sets_the_lti13_authenticator(base):
    """Does sso.type lti13 configure LTI13Authenticator with the LMS's issuer, endpoints and client id?"""
    c = hub_config(lti13_cfg(base))
    assert c.JupyterHub.authenticator_class == "hub_config.sso_auth.TestbedLTI13Authenticator"
    lti = c.LTI13Authenticator
    assert lti.issuer == "https://lms.city.example.jp"
    assert lti.authorize_url == LTI13_KEYS["authorize_url"]
    assert lti.jwks_endpoint == LTI13_KEYS["jwks_endpoint"]
    assert lti.client_id == {"Xb4kQ2"}
    assert lti.username_key == "email"
    assert lti.uri_scheme == "https"
    assert c.LTI13LaunchValidator.time_leeway == 10
    assert "LMS" in c.TestbedLTI13Authenticator.custom_html  # the hub's sign-in page sends people to the LMS
    assert c.TestbedSSOAuthenticator.identity_namespace == "lti13|https://lms.city.example.jp"
    # the LMS posts the launch back cross-site: sign-in cookies must travel on it
    assert c.JupyterHub.tornado_settings["cookie_options"] == {"SameSite": "None", "Secure": True}


@pytest.mark.parametrize("kind", ["oauth", "lti13"])
def test_sso_users_get_unix_safe_names_and_join_the_course(base, secret_file, kind):
    """Are names limited to the Unix account's room, grader accounts reserved, and every SSO user put in the course?"""
    cfg = oauth_cfg(base, secret_file) if kind == "oauth" else lti13_cfg(base)
    c = hub_config(cfg)
    shared = c.TestbedSSOAuthenticator
    assert shared.name_book == str(cfg.state_dir / "hub" / "sso-names.sqlite")
    assert shared.max_username_length == 32 - len("jupyter-")
    assert shared.staff_users == {"instructor", "chief"}
    assert shared.reserved_names == {"grader-odtb"}
    assert shared.course_groups == {"nbgrader-odtb"}
    # groups stay the hub's: JupyterHub refuses load_groups (the formgrader groups) with manage_groups
    assert c.Authenticator.manage_groups is False
    assert "formgrade-odtb" in c.JupyterHub.load_groups


@pytest.mark.parametrize("kind", ["oauth", "lti13"])
def test_sso_replaces_sign_up_but_keeps_idle_culling(base, secret_file, kind):
    """With SSO, is there no sign-up or approval page left, everyone the IdP lets through allowed, culling kept?"""
    cfg = oauth_cfg(base, secret_file) if kind == "oauth" else lti13_cfg(base)
    c = hub_config(cfg)
    assert c.Authenticator.allow_all is True
    assert c.Authenticator.allow_existing_users is False
    assert c.Authenticator.admin_users == {"instructor", "chief"}
    assert str(remote.NATIVE_TEMPLATES) not in c.JupyterHub.template_paths
    assert c.JupyterHub.template_paths  # the hub's own Japanese pages stay
    assert c.JupyterHub.template_vars["signup_approval"] is False  # no link to /hub/authorize for admins
    assert "announcement_login" in c.JupyterHub.template_vars
    assert any(s["name"] == "idle-culler" for s in c.JupyterHub.services)
    assert "NativeAuthenticator" not in c and "TestbedNativeAuthenticator" not in c  # nothing of sign-up is left


def test_allowed_and_admin_groups_narrow_who_comes(base, secret_file):
    """Does sso.allowed_groups turn allow_all off (the group check decides) and admin_groups reach the class?"""
    c = hub_config(oauth_cfg(base, secret_file, allowed_groups=["odtb-trainees"], admin_groups=["odtb-staff"]))
    assert c.Authenticator.allow_all is False
    assert c.TestbedSSOAuthenticator.allowed_idp_groups == {"odtb-trainees"}
    assert c.TestbedSSOAuthenticator.admin_idp_groups == {"odtb-staff"}


def test_sso_demo_mode_allows_one_account(base, secret_file):
    """Without root (every server shares one Unix account), does only the first admin get in?"""
    c = hub_config(oauth_cfg(base, secret_file), is_root=False)
    assert c.Authenticator.allow_all is False
    assert c.Authenticator.allowed_users == {"instructor"}


def test_no_sso_keeps_self_registration(base):
    """With sso.type none (the default), is remote mode's sign-up with approval untouched?"""
    c = hub_config(StackConfig(**base))
    assert c.JupyterHub.authenticator_class == "hub_config.native_auth.TestbedNativeAuthenticator"
    assert "TestbedSSOAuthenticator" not in c and "GenericOAuthenticator" not in c


# --- the client secret --------------------------------------------------------------------------


def test_client_secret_comes_from_its_file_not_the_yaml(tmp_path, base, secret_file):
    """Is the secret read from sso.client_secret_file, and a secret written into the YAML refused?"""
    cfg = oauth_cfg(base, secret_file)
    assert SECRET not in cfg.model_dump_json()
    assert hub_config(cfg).GenericOAuthenticator.client_secret == SECRET
    path = write_yaml(tmp_path, "mode: remote\nsso:\n  type: oauth\n  client_secret: s3cr3t\n")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert "sso.client_secret" in str(e.value) and "知らない設定キー" in str(e.value)


def test_a_readable_secret_file_is_refused(base, secret_file):
    """Is a secret file others can read refused with the chmod that fixes it?"""
    secret_file.chmod(0o644)
    with pytest.raises(ConfigError) as e:
        hub_config(oauth_cfg(base, secret_file))
    assert "chmod 600" in str(e.value) and "0644" in str(e.value)


def test_a_missing_secret_file_is_refused(base, tmp_path):
    """Does a missing secret file stop the hub config with the key named and what to do?"""
    with pytest.raises(ConfigError) as e:
        hub_config(oauth_cfg(base, tmp_path / "nowhere"))
    assert "sso.client_secret_file" in str(e.value) and "ありません" in str(e.value)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file another owner")
def test_a_secret_file_of_another_owner_is_refused(base, secret_file):
    """Is a secret file owned by another account (who could rewrite it) refused with the chown that fixes it?"""
    os.chown(secret_file, 65534, 65534)
    with pytest.raises(ConfigError) as e:
        hub_config(oauth_cfg(base, secret_file))
    assert "chown root" in str(e.value)


# --- config validation --------------------------------------------------------------------------


def test_sso_in_onsite_mode_is_refused(tmp_path):
    """Is SSO refused in on-site mode (printed individual passwords), naming both keys and the fix?"""
    keys = "".join(f"  {k}: {v}\n" for k, v in LTI13_KEYS.items())
    path = write_yaml(tmp_path, f"mode: onsite\nsso:\n  type: lti13\n{keys}")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    message = str(e.value)
    assert "sso.type" in message and "mode: remote" in message and "sso.type: none" in message


@pytest.mark.parametrize(
    ("sso_yaml", "expected"),
    [
        ("type: oauth\n  client_id: x\n", "sso.authorize_url、sso.token_url"),
        ("type: lti13\n  client_id: x\n", "sso.issuer"),
        ("type: oauth\n  issuer: https://lms.example.jp\n", "sso.issuer は type: oauth では使いません"),
        ("type: lti13\n  token_url: https://lms.example.jp/t\n", "sso.token_url は type: lti13 では使いません"),
        ("type: oauth\n  authorize_url: http://idp.example.jp/auth\n", "https://"),
        ("type: none\n  client_secret_file: secret.txt\n", "絶対パス"),
        ("type: none\n  public_url: https://example.jp/jupyter/\n", "パスのない"),
        ("type: none\n  email_domains: ['@city.example.jp']\n", "ドメイン名ではありません"),
        ("type: kerberos\n", "sso.type"),
        ("type: none\n  username_claim: ' '\n", "sso.username_claim"),
    ],
)
def test_bad_sso_settings_are_refused_with_the_key_named(tmp_path, sso_yaml, expected):
    """Is each unusable sso setting refused with a message naming the key and what to write instead?"""
    path = write_yaml(tmp_path, f"mode: remote\nsso:\n  {sso_yaml}")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert expected in str(e.value)


def test_lti13_needs_an_https_public_url(base):
    """LTI launches post back cross-site: is an http (or missing) sso.public_url refused with the reason?"""
    with pytest.raises(ValueError, match="HTTPS の逆プロキシ"):
        lti13_cfg(base, public_url="http://jupyter.city.example.jp")


def test_a_local_test_idp_may_use_http(base, secret_file):
    """May an IdP on this machine (a test Keycloak on localhost) be reached over http?"""
    cfg = oauth_cfg(base, secret_file, token_url="http://localhost:8080/token")
    assert cfg.sso.token_url == "http://localhost:8080/token"


def test_public_url_and_domains_are_normalised(base, secret_file):
    cfg = oauth_cfg(base, secret_file, public_url="https://jupyter.city.example.jp", email_domains=["City.Example.JP"])
    assert cfg.sso.public_url == "https://jupyter.city.example.jp/"
    assert cfg.sso.email_domains == ["city.example.jp"]
    assert sso.public_url(cfg) == "https://jupyter.city.example.jp/"


# --- hub names from SSO names -------------------------------------------------------------------

CITY = NameRules(max_length=24, email_domains=frozenset({"city.example.jp"}))
ANY = NameRules(max_length=24)


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Taro.Yamada@city.example.jp", "taro-yamada"),
        ("taro.yamada+lms@city.example.jp", "taro-yamada-lms"),
        ("ＹＡＭＡＤＡ＿Ｔａｒｏ", "yamada_taro"),  # full-width from a Japanese IME
        ("sato hanako", "sato-hanako"),
        ("012345", "u012345"),  # a staff number
        ("-kato-", "kato"),
        ("a.very.long.name.of.somebody@city.example.jp", "a-very-long-name-of-some"),
    ],
)
def test_idp_names_become_unix_safe(raw, name):
    """Is an IdP name turned into a readable name matching [a-z][a-z0-9_-]* within 24 characters?"""
    got = derive_name(raw, CITY).name
    assert got == name
    assert len(got) <= 24 and got[0].isalpha() and set(got) <= set("abcdefghijklmnopqrstuvwxyz0123456789_-")


def test_an_address_from_an_unlisted_domain_is_refused():
    with pytest.raises(NameRefused, match="example.com"):
        derive_name("taro@example.com", CITY)


def test_a_name_with_no_ascii_is_refused_with_a_hint_for_the_operator():
    with pytest.raises(NameRefused, match="sso.username_claim"):
        derive_name("山田 太郎", CITY)


def test_only_a_listed_domain_vouches_for_a_name():
    """Does the part before @ of any domain's address count as unvouched (it may not become a staff name)?"""
    assert derive_name("taro@city.example.jp", CITY).vouched is True
    assert derive_name("taro@example.com", ANY).vouched is False
    assert derive_name("taro", ANY).vouched is True


def test_numbered_names_still_fit():
    assert numbered("a" * 24, 2, 24) == "a" * 22 + "-2"
    assert numbered("taro", 12, 24) == "taro-12"


@pytest.fixture
def book(tmp_path):
    return NameBook(tmp_path / "hub" / "sso-names.sqlite")


def sign_in(book: NameBook, identity: str, raw: str, rules: NameRules) -> str:
    name = book.propose(identity, raw, rules)
    book.bind(identity, name, raw)
    return name


def test_two_people_whose_names_map_alike_get_two_accounts(book):
    """Do taro.yamada and taro-yamada (different IdP subjects) get distinct hub names, not one account?"""
    assert sign_in(book, "idp|1", "taro.yamada@city.example.jp", CITY) == "taro-yamada"
    assert sign_in(book, "idp|2", "taro-yamada@city.example.jp", CITY) == "taro-yamada-2"
    assert sign_in(book, "idp|3", "Taro_Yamada@city.example.jp", CITY) == "taro_yamada"


def test_an_identity_keeps_its_name_when_the_idp_renames_it(book):
    assert sign_in(book, "idp|1", "taro.yamada@city.example.jp", CITY) == "taro-yamada"
    assert sign_in(book, "idp|1", "taro.suzuki@city.example.jp", CITY) == "taro-yamada"


def test_nobody_gets_a_grader_account(book):
    rules = NameRules(max_length=24, reserved=frozenset({"grader-odtb"}))
    assert sign_in(book, "idp|1", "grader-odtb", rules) == "grader-odtb-2"


def test_a_staff_name_goes_only_to_a_vouched_name(book):
    """Is 'instructor' given to instructor@<listed domain>, but not to instructor@<any domain>?"""
    staff = frozenset({"instructor"})
    anywhere = NameRules(max_length=24, staff=staff)
    assert sign_in(book, "idp|1", "instructor@example.com", anywhere) == "instructor-2"
    listed = NameRules(max_length=24, staff=staff, email_domains=frozenset({"city.example.jp"}))
    assert sign_in(book, "idp|2", "instructor@city.example.jp", listed) == "instructor"


def test_a_name_is_bound_only_once_let_in(book):
    """Does proposing a name write nothing (a refused person keeps no name), and the book stay private?"""
    assert book.propose("idp|1", "taro", ANY) == "taro"
    assert not book.is_bound("taro")
    book.bind("idp|1", "taro", "taro")
    assert book.is_bound("taro")
    assert oct(book.path.stat().st_mode & 0o777) == "0o600"


def test_a_name_taken_in_the_meantime_is_refused_not_shared(book):
    """If two people were offered the same name at once, does the second one's bind fail instead of sharing?"""
    first = book.propose("idp|1", "taro", ANY)
    second = book.propose("idp|2", "taro", ANY)
    book.bind("idp|1", first, "taro")
    with pytest.raises(NameRefused, match="もう一度サインイン"):
        book.bind("idp|2", second, "taro")
    with sqlite3.connect(book.path) as conn:
        assert conn.execute("SELECT identity FROM sso_names WHERE name = 'taro'").fetchall() == [("idp|1",)]

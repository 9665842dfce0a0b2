"""Single sign-on in remote mode (遠隔研修): an OAuth 2.0 / OpenID Connect IdP, or an LMS over LTI 1.3.

``sso_settings`` sets the chosen class's settings; ``authenticator.update_authenticator`` calls it when
``sso.type`` is set (the schema allows that in remote mode only) and decides who may sign in: no sign-up
or approval pages, no self-chosen passwords; idle culling stays. The classes it names live in
``sso_auth.py`` (they import oauthenticator / ltiauthenticator, which only the hub's venv has);
this module does not import them, so it is unit-tested on a bare traitlets Config.

The OAuth client secret is read here from ``sso.client_secret_file`` (checked to be private), never
from the YAML.
"""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path
from urllib.parse import urlsplit

from hub_config.remote import UNIX_NAME_MAX, staff
from testbed_config import ConfigError, StackConfig, names
from testbed_config.layout import Layout

OAUTH = "hub_config.sso_auth.TestbedOAuthenticator"
LTI13 = "hub_config.sso_auth.TestbedLTI13Authenticator"
NAME_BOOK = names.SSO_NAME_DB

LTI13_LOGIN_HTML = """
<div class="auth-form-header"><h1>オープンデータ・テストベッド</h1></div>
<div class="auth-form-body m-auto">
  <p>この研修環境には、LMS (学習管理システム) のコースページから入ります。</p>
  <p>LMS にサインインして研修のコースを開き、「オープンデータ・テストベッド」のリンクを押してください。</p>
  <p class="small text-muted">リンクが見つからないときは、研修の担当者に連絡してください。</p>
</div>
"""
NOT_ALLOWED = (
    "この研修環境を使う権限がありません。所属組織のアカウントが研修の受講者として登録されているか、"
    "研修の担当者に確認してください。"
)


def public_url(cfg: StackConfig) -> str:
    """The hub's URL as browsers reach it (the start of every redirect URL registered at the IdP / LMS)."""
    return cfg.sso.public_url or cfg.hub_url


def read_client_secret(path: Path) -> str:
    """The OAuth client secret from its file, refused (in Japanese) unless only the hub's account can read it."""
    where = f"sso.client_secret_file のファイル {path}"
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ConfigError(
            f"{where} がありません。IdP が発行したクライアントシークレットを 1 行で書いて保存し、"
            f"chmod 600 {path} を実行してください。"
        ) from None
    except PermissionError:
        raise ConfigError(
            f"{where} を読めません。ハブを動かすアカウント (root) が読める場所に置いてください。"
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(
            f"{where} は普通のファイルではありません。シークレットを 1 行で書いたファイルを指定してください。"
        )
    me = os.geteuid()
    if st.st_uid != me:
        owner = pwd.getpwuid(me).pw_name
        raise ConfigError(
            f"{where} の所有者が、ハブを動かすアカウント ({owner}) ではありません。"
            f"chown {owner} {path} を実行してください。"
        )
    if st.st_mode & 0o077:
        raise ConfigError(
            f"{where} は所有者以外も読めます (今のモード {stat.S_IMODE(st.st_mode):04o})。"
            f"chmod 600 {path} を実行してください。"
        )
    secret = path.read_text(encoding="utf-8").strip()
    if not secret:
        raise ConfigError(f"{where} が空です。IdP が発行したクライアントシークレットを 1 行で書いてください。")
    return secret


def _oauth(c, cfg: StackConfig, url: str) -> None:
    sso = cfg.sso
    g = c.GenericOAuthenticator
    g.login_service = sso.login_service
    g.authorize_url = sso.authorize_url
    g.token_url = sso.token_url
    g.userdata_url = sso.userdata_url
    g.client_id = sso.client_id
    g.client_secret = read_client_secret(sso.client_secret_file)
    g.scope = list(sso.scope)
    g.username_claim = sso.username_claim
    g.oauth_callback_url = f"{url}hub/oauth_callback"
    g.custom_403_message = NOT_ALLOWED
    c.TestbedOAuthenticator.groups_claim = sso.groups_claim
    # identities are "<namespace>|<sub>": subjects of another IdP never take over these accounts
    c.TestbedSSOAuthenticator.identity_namespace = f"oauth|{urlsplit(sso.token_url).netloc}"


def _lti13(c, cfg: StackConfig, url: str) -> None:
    sso = cfg.sso
    lti = c.LTI13Authenticator
    lti.issuer = sso.issuer
    lti.authorize_url = sso.authorize_url
    lti.jwks_endpoint = sso.jwks_endpoint
    lti.client_id = {sso.client_id}
    lti.username_key = sso.username_claim
    lti.uri_scheme = urlsplit(url).scheme  # the proxy's forwarding headers are not trusted to tell
    lti.tool_name = "オープンデータ・テストベッド"
    lti.tool_description = "自治体職員のためのデータ利活用研修環境 (JupyterLab と CKAN)"
    c.LTI13LaunchValidator.time_leeway = 10  # seconds of clock drift between the LMS and this machine
    # trainees come from the LMS; the hub's own sign-in page only says so
    c.TestbedLTI13Authenticator.custom_html = LTI13_LOGIN_HTML
    c.TestbedSSOAuthenticator.identity_namespace = f"lti13|{sso.issuer}"
    # The LMS posts the launch back cross-site: the sign-in state cookies must be SameSite=None (thus Secure,
    # which the schema's https public_url allows). No other update_* sets tornado_settings; what the chart or an
    # operator set before is kept.
    hub = c.JupyterHub
    settings = dict(hub.tornado_settings) if "tornado_settings" in hub else {}
    cookies = dict(settings.get("cookie_options", {}))
    hub.tornado_settings = {**settings, "cookie_options": {**cookies, "SameSite": "None", "Secure": True}}


def sso_settings(c, cfg: StackConfig, layout: Layout) -> None:
    """Settings of the IdP's or LMS's authenticator (its class and who may sign in are ``update_authenticator``'s)."""
    sso = cfg.sso
    (_oauth if sso.type == "oauth" else _lti13)(c, cfg, public_url(cfg))
    shared = c.TestbedSSOAuthenticator
    shared.name_book = str(layout.hub_dir / NAME_BOOK)
    shared.max_username_length = UNIX_NAME_MAX - len(cfg.unix_user_prefix)
    shared.email_domains = set(sso.email_domains)
    shared.staff_users = staff(cfg)
    shared.reserved_names = {layout.grader_account(course.id) for course in cfg.courses}
    shared.course_groups = {f"nbgrader-{course.id}" for course in cfg.courses}
    shared.allowed_idp_groups = set(sso.allowed_groups)
    shared.admin_idp_groups = set(sso.admin_groups)

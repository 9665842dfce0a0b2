"""The stack configuration: one YAML file, one schema, defaults defined once.

This module sits at the bottom of the import graph: the CLI, ``hub_config``,
``ckan_seed`` and ``grader`` all read the stack configuration through it, and
it imports nothing from them.  Unknown keys are rejected and every key carries
a description, from which ``docs/config-reference.md`` is generated (and a
test checks the two agree).
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from testbed_config import config_errors

CONFIG_ENV = "TESTBED_CONFIG"


def _is_root() -> bool:
    return os.geteuid() == 0


def default_config_path() -> Path:
    """Where the operator's config file lives unless ``--config`` says otherwise."""
    if _is_root():
        return Path("/etc/testbed/testbed.yaml")
    return Path.home() / ".config" / "testbed" / "testbed.yaml"


def _default_state_dir() -> Path:
    if _is_root():
        return Path("/var/lib/testbed")
    return Path.home() / ".local" / "share" / "testbed" / "state"


def _default_prefix() -> Path:
    if _is_root():
        return Path("/opt/testbed")
    return Path.home() / ".local" / "share" / "testbed" / "opt"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class Ports(_Strict):
    """TCP ports of the services (all bound to ``bind_address`` or loopback)."""

    hub: int = Field(
        8000, ge=1, le=65535, description="Public port of JupyterHub (the proxy) that trainees open in a browser."
    )
    ckan: int = Field(5000, ge=1, le=65535, description="Port of the CKAN web server (catalogue UI and API).")
    hub_api: int = Field(8081, ge=1, le=65535, description="Internal port of the JupyterHub process (loopback only).")
    proxy_api: int = Field(
        8001, ge=1, le=65535, description="REST API port of configurable-http-proxy (loopback only)."
    )
    postgres: int = Field(5433, ge=1, le=65535, description="Port of the private PostgreSQL cluster (loopback only).")
    redis: int = Field(6380, ge=1, le=65535, description="Port of the private Redis server (loopback only).")
    services: int = Field(
        9100,
        ge=1,
        le=65000,
        description="First port of the hub-managed services (formgrader per course, progress board); "
        "each takes the next free number from here (loopback only).",
    )

    @model_validator(mode="after")
    def _distinct(self) -> Ports:
        seen: dict[int, str] = {}
        for name, port in self.model_dump().items():
            if port in seen:
                raise ValueError(f"ports.{name} と ports.{seen[port]} が同じ番号 {port} です。別の番号にしてください")
            seen[port] = name
        return self


NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")


class Course(_Strict):
    """One nbgrader course built from a folder of ``courses/``."""

    id: str = Field(description="Course id (nbgrader course_id); also the folder name under courses/.")
    title: str = Field("", description="Japanese title shown to trainees and instructors.")
    instructors: list[str] = Field(
        default_factory=lambda: ["instructor"],
        description="Hub user names that grade this course (they get the formgrader).",
    )
    pass_ratio: float = Field(
        0.6,
        gt=0,
        le=1,
        description="Share of an assignment's points (after manual grading) a trainee needs to pass it; "
        "a trainee who passes every assignment of the course can download a completion certificate (修了証).",
    )

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not NAME_RE.match(v):
            raise ValueError("英小文字で始まり、英小文字・数字・-・_ だけの 31 文字以内にしてください")
        return v


class Remote(_Strict):
    """Settings that only apply in remote mode (遠隔研修)."""

    idle_timeout_minutes: int = Field(
        60,
        ge=5,
        le=24 * 60,
        description="Remote mode: a trainee's server idle this many minutes is stopped (their files stay); "
        "5 to 1440. On-site mode never stops idle servers.",
    )
    autograde_interval_seconds: int = Field(
        60,
        ge=15,
        le=3600,
        description="Remote mode: how often the autograder makes a full round (collect, autograde in the sandbox, "
        "release feedback, retry failed ones; seconds, 15 to 3600). A new submission does not wait for it: "
        "grading starts about a second after it arrives.",
    )
    solution_after_failures: int = Field(
        3,
        ge=0,
        le=100,
        description="Remote mode: a trainee may show a task's model answer (q.solution() in the course notebooks) "
        "after this many failed self-checks of that task; 0 never. On-site mode never shows it (the instructor helps).",
    )


# Keys of `sso` that only one sign-on type uses (the others, e.g. username_claim, serve both).
SSO_OAUTH_KEYS = ("token_url", "userdata_url", "client_secret_file", "scope", "login_service", "groups_claim")
SSO_LTI13_KEYS = ("issuer", "jwks_endpoint")
SSO_REQUIRED = {
    "oauth": ("authorize_url", "token_url", "userdata_url", "client_id", "client_secret_file"),
    "lti13": ("issuer", "authorize_url", "jwks_endpoint", "client_id", "public_url"),
}
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _https_url(v: str, example: str) -> str:
    """An IdP endpoint: https, or http only on this machine (a test IdP)."""
    from urllib.parse import urlsplit

    v = v.strip()
    if not v:
        return v
    parts = urlsplit(v)
    local = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS
    if not parts.netloc or (parts.scheme != "https" and not local):
        raise ValueError(
            f"{v!r} は使えません: https:// で始まる URL にしてください (例: {example})。"
            "http:// はこのマシン上の試験用 IdP (localhost) だけに使えます"
        )
    return v


class Sso(_Strict):
    """Single sign-on in remote mode: an OAuth 2.0 / OpenID Connect identity provider, or an LMS over LTI 1.3."""

    type: Literal["none", "oauth", "lti13"] = Field(
        "none",
        description="Remote mode: how trainees sign in. 'none' (self-registration with instructor approval), "
        "'oauth' (an OAuth 2.0 / OpenID Connect identity provider, e.g. Keycloak or Microsoft Entra ID) or "
        "'lti13' (launched from an LMS such as Moodle over LTI 1.3). Sign-up pages are off with SSO; see docs/sso.md.",
    )
    public_url: str = Field(
        "",
        description="URL of the hub as trainees' browsers reach it, with no path, e.g. "
        "https://jupyter.city.example.jp/ behind an HTTPS reverse proxy (default: http://public_host:ports.hub/). "
        "The redirect URLs registered at the IdP / LMS start with it; required, with https, for 'lti13'.",
    )
    authorize_url: str = Field(
        "",
        description="'oauth' and 'lti13': the authorization endpoint of the IdP / LMS "
        "(Moodle: https://lms.example.jp/mod/lti/auth.php).",
    )
    client_id: str = Field("", description="'oauth' and 'lti13': the client ID the IdP / LMS issued to the hub.")
    username_claim: str = Field(
        "email",
        description="'oauth': userinfo claim, 'lti13': ID-token claim (custom_NAME for an LMS custom parameter NAME) "
        "whose value becomes the hub user name, made Unix-safe as docs/sso.md explains "
        "(Taro.Yamada@city.example.jp → taro-yamada).",
    )
    email_domains: list[str] = Field(
        default_factory=list,
        description="E-mail domains accepted when the name claim is an address (the part before @ becomes the name); "
        "others are refused. Empty: any domain, but a name taken from an address then never becomes an admin's "
        "or instructor's name.",
    )
    allowed_groups: list[str] = Field(
        default_factory=list,
        description="Only members of these groups may sign in ('oauth': values of groups_claim; 'lti13': LTI roles "
        "such as Learner or Instructor); admins and instructors always may. "
        "Empty: everyone the IdP / LMS lets through.",
    )
    admin_groups: list[str] = Field(
        default_factory=list,
        description="Members of these groups ('oauth') or LTI roles ('lti13', e.g. Administrator) are hub admins; "
        "the names in admins are admins anyway.",
    )
    token_url: str = Field("", description="'oauth': the token endpoint of the IdP.")
    userdata_url: str = Field("", description="'oauth': the userinfo endpoint of the IdP.")
    client_secret_file: Path | None = Field(
        None,
        description="'oauth': absolute path of a file (mode 0600, owned by the hub's account, root) holding the "
        "client secret on one line. The secret itself never goes into this file.",
    )
    scope: list[str] = Field(
        default_factory=lambda: ["openid", "profile", "email"], description="'oauth': scopes requested from the IdP."
    )
    groups_claim: str = Field(
        "groups",
        description="'oauth': userinfo claim listing the user's groups (dots for nested keys, e.g. "
        "realm_access.roles), read by allowed_groups and admin_groups.",
    )
    login_service: str = Field(
        "所属組織のアカウント",
        description="'oauth': the IdP's name on the sign-in button (shown as 「login_service でサインイン」).",
    )
    issuer: str = Field(
        "", description="'lti13': the LMS's issuer, Moodle's 'Platform ID' (its site URL, e.g. https://lms.example.jp)."
    )
    jwks_endpoint: str = Field(
        "",
        description="'lti13': the LMS's public keyset URL (Moodle: https://lms.example.jp/mod/lti/certs.php).",
    )

    @field_validator("authorize_url", "token_url", "userdata_url", "jwks_endpoint")
    @classmethod
    def _endpoint(cls, v: str) -> str:
        return _https_url(v, "https://idp.city.example.jp/auth")

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, v: str) -> str:
        v = _https_url(v, "https://lms.city.example.jp")
        if v.endswith("/"):
            raise ValueError(
                f"{v!r} の末尾の / を取ってください。LMS が名乗る issuer と一字一句同じにします "
                "(Moodle ならサイトの URL)"
            )
        return v

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, v: str) -> str:
        from urllib.parse import urlsplit

        v = v.strip()
        if not v:
            return v
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/") or parts.query:
            raise ValueError(
                f"{v!r} は使えません: パスのない http(s) の URL にしてください (例: https://jupyter.city.example.jp/)。"
                "ハブは / の下で動いています"
            )
        return f"{parts.scheme}://{parts.netloc}/"

    @field_validator("client_secret_file")
    @classmethod
    def _secret_file(cls, v: Path | None) -> Path | None:
        if v is not None and not v.is_absolute():
            raise ValueError("絶対パスを指定してください (例: /etc/testbed/sso-client-secret)")
        return v

    @field_validator("username_claim", "groups_claim", "login_service")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip() or (v != v.strip()):
            raise ValueError("空白だけや前後に空白のある値は使えません")
        return v

    @field_validator("email_domains")
    @classmethod
    def _domains(cls, v: list[str]) -> list[str]:
        out = [d.strip().lower() for d in v]
        for d in out:
            if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", d):
                raise ValueError(
                    f"{d!r} はドメイン名ではありません: @ より後ろだけを書いてください (例: city.example.jp)"
                )
        return out

    @field_validator("allowed_groups", "admin_groups", "scope")
    @classmethod
    def _names_listed(cls, v: list[str]) -> list[str]:
        if any(not s.strip() for s in v):
            raise ValueError("空の項目があります。グループ名 (またはスコープ名) を書いてください")
        return v

    @model_validator(mode="after")
    def _fits_type(self) -> Sso:
        if self.type == "none":
            return self
        other = SSO_LTI13_KEYS if self.type == "oauth" else SSO_OAUTH_KEYS
        stray = [k for k in other if k in self.model_fields_set]
        if stray:
            keys = "、".join(f"sso.{k}" for k in stray)
            raise ValueError(f"{keys} は type: {self.type} では使いません。消してください (キーの一覧は docs/sso.md)")
        missing = [k for k in SSO_REQUIRED[self.type] if not getattr(self, k)]
        if missing:
            keys = "、".join(f"sso.{k}" for k in missing)
            raise ValueError(f"type: {self.type} には {keys} が必要です。設定の仕方は docs/sso.md にあります")
        if self.type == "lti13" and not self.public_url.startswith("https://"):
            raise ValueError(
                "type: lti13 では sso.public_url を https:// で始まる URL にしてください。LMS からの起動で"
                "ブラウザーがサインイン用のクッキーを送れるのは HTTPS のときだけです "
                "(HTTPS の逆プロキシの後ろに置きます)"
            )
        return self


class Deploy(_Strict):
    """Container deployments (docker-compose, Kubernetes): rendered by ``./testbed deploy compose|helm``."""

    image_registry: str = Field(
        "",
        description="Registry prefix of the project's own images (testbed-ckan, testbed-hub, "
        "testbed-singleuser), e.g. registry.example.lg.jp/testbed; empty = images built locally by docker compose.",
    )
    image_tag: str = Field(
        "0.1.0",
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
        description="Version tag of the project's own images (never 'latest').",
    )
    search: Literal["postgres", "solr"] = Field(
        "postgres",
        description="CKAN dataset search. 'postgres' keeps the testbed plugin (Japanese substring search, "
        "as on one machine); 'solr' starts CKAN's official Solr image and drops the plugin (Solr's stock schema "
        "splits words on spaces only, so Japanese keywords inside longer words are not found).",
    )
    tls_email: str = Field(
        "",
        description="E-mail for automatic certificates (ACME) of public_host in docker-compose; empty = "
        "the reverse proxy's own internal CA (closed government networks; browsers must trust its root).",
    )
    trainee_memory_limit_mib: int = Field(
        1024, ge=256, description="Memory limit of one trainee's server container or pod (MiB)."
    )
    trainee_memory_guarantee_mib: int = Field(
        320,
        ge=128,
        description="Memory reserved for one trainee's server (MiB; Kubernetes request). See docs/capacity.md.",
    )
    trainee_cpu_limit: float = Field(1.0, gt=0, description="CPU limit of one trainee's server (cores).")
    trainee_cpu_guarantee: float = Field(
        0.1, gt=0, description="CPU reserved for one trainee's server (cores; Kubernetes request)."
    )
    k8s_exchange_storage_class: str = Field(
        "",
        description="Kubernetes: StorageClass of the ReadWriteMany volume holding the nbgrader exchange "
        "(e.g. an NFS or CephFS class); empty = the cluster default, which must support ReadWriteMany.",
    )
    k8s_home_capacity_gib: int = Field(2, ge=1, description="Kubernetes: size of each trainee's home volume (GiB).")

    @model_validator(mode="after")
    def _guarantees(self) -> Deploy:
        if self.trainee_memory_guarantee_mib > self.trainee_memory_limit_mib:
            raise ValueError("trainee_memory_guarantee_mib は trainee_memory_limit_mib 以下にしてください")
        if self.trainee_cpu_guarantee > self.trainee_cpu_limit:
            raise ValueError("trainee_cpu_guarantee は trainee_cpu_limit 以下にしてください")
        if self.image_tag == "latest":
            raise ValueError("image_tag に 'latest' は使えません。版番号 (例: 0.1.0) を指定してください")
        return self


class Limits(_Strict):
    """Per-user limits on one machine: each server and all its kernels together, enforced with cgroups
    (the hub must run as root; docs/capacity.md explains the defaults). 0 means no limit."""

    trainee_memory_mib: int = Field(
        1024,
        ge=0,
        description="Memory of one trainee's server and all its kernels together (MiB; an idle server uses about "
        "115). Past it the largest kernel is stopped and restarted, and its next cell explains why in Japanese.",
    )
    trainee_processes: int = Field(
        256,
        ge=0,
        description="Processes and threads of one trainee's server and kernels together (an idle server with "
        "one kernel uses about 15); stops fork bombs.",
    )
    trainee_cpu_cores: float = Field(
        1.0, ge=0, description="CPU cores one trainee's server and kernels may use at most (0.5 = half a core)."
    )
    instructor_memory_mib: int = Field(
        4096, ge=0, description="Memory of a hub admin's or instructor's server and kernels together (MiB)."
    )
    instructor_processes: int = Field(
        1024, ge=0, description="Processes and threads of a hub admin's or instructor's server and kernels together."
    )
    instructor_cpu_cores: float = Field(
        0.0, ge=0, description="CPU cores a hub admin's or instructor's server may use at most (0: all)."
    )

    @field_validator("trainee_memory_mib", "instructor_memory_mib")
    @classmethod
    def _memory(cls, v: int) -> int:
        if 0 < v < 256:
            raise ValueError(
                "256 MiB 以上にしてください (サーバーだけで約 115 MiB、カーネル一つで 50〜150 MiB 使います)。"
                "0 は無制限です"
            )
        return v

    @field_validator("trainee_processes", "instructor_processes")
    @classmethod
    def _tasks(cls, v: int) -> int:
        if 0 < v < 64:
            raise ValueError(
                "64 以上にしてください (サーバーとカーネルはそれぞれ数個〜十数個のスレッドを使います)。0 は無制限です"
            )
        return v


MAIL_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
_HOST_RE = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_ADDRESS_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class Mail(_Strict):
    """E-mail through the city's SMTP server: CKAN's own mails (password reset) and data-request notifications.

    Absent (the default, ``host`` empty): no mail is sent; notifications stay in CKAN."""

    host: str = Field(
        "",
        description="SMTP server (host name or IP address, no port) CKAN sends mail through, e.g. "
        "smtp.city.example.jp. Empty (default): no mail at all; data-request notifications stay in CKAN.",
    )
    port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Port of the SMTP server; 0 (default): the usual port of `security` (none 25, starttls 587, "
        "ssl 465).",
    )
    security: Literal["starttls", "ssl", "none"] = Field(
        "starttls",
        description="'starttls' (plain connection upgraded with STARTTLS, usually port 587), 'ssl' (TLS from the "
        "start, SMTPS, usually 465) or 'none' (no encryption: only for a relay inside the closed network).",
    )
    sender: str = Field(
        "",
        description="Sender address of the mails (required with host), e.g. opendata@city.example.jp; the "
        "catalogue's title (ckan_site_title) is shown as the sender's name.",
    )
    user: str = Field("", description="User name for SMTP authentication; empty: the server takes mail without it.")
    password_file: Path | None = Field(
        None,
        description="With user: absolute path of a file (mode 0600, readable by the account running ./testbed up) "
        "holding the SMTP password on one line. The password itself never goes into this file; ./testbed up copies "
        "it into CKAN's ckan.ini (0600).",
    )

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        v = v.strip()
        if not v:
            return v
        try:
            ipaddress.ip_address(v)
            return v
        except ValueError:
            pass
        if "://" in v or ":" in v or not _HOST_RE.match(v):
            raise ValueError(
                f"{v!r} はホスト名として使えません: smtp.city.example.jp のように、"
                "スキーム (smtp://) やポート番号を付けずに書いてください (ポートは mail.port に書きます)"
            )
        return v

    @field_validator("sender")
    @classmethod
    def _sender(cls, v: str) -> str:
        v = v.strip()
        if v and not _ADDRESS_RE.match(v):
            raise ValueError(
                f"{v!r} はメールアドレスとして使えません: opendata@city.example.jp のように、"
                "名前や <> を付けずにアドレスだけを書いてください (差出人の名前はカタログの名前になります)"
            )
        return v

    @field_validator("user")
    @classmethod
    def _user(cls, v: str) -> str:
        if v != v.strip() or any(c in v for c in "\r\n\t"):
            raise ValueError("前後の空白や改行を含むユーザー名は使えません")
        return v

    @field_validator("password_file")
    @classmethod
    def _password_file(cls, v: Path | None) -> Path | None:
        if v is not None and not v.is_absolute():
            raise ValueError("絶対パスを指定してください (例: /etc/testbed/smtp-password)")
        return v

    @model_validator(mode="after")
    def _complete(self) -> Mail:
        if not self.host:
            # keys given a value of their own (a dumped config repeats the defaults: those are fine)
            stray = [k for k, f in type(self).model_fields.items() if k != "host" and getattr(self, k) != f.default]
            if stray:
                keys = "、".join(f"mail.{k}" for k in stray)
                raise ValueError(
                    f"{keys} を使うには mail.host (SMTP サーバー) が必要です。"
                    "メールを送らないなら mail: の節ごと消してください"
                )
            return self
        if not self.sender:
            raise ValueError(
                "mail.host を書いたときは、差出人のアドレス mail.sender も書いてください (例: opendata@city.example.jp)"
            )
        if bool(self.user) != (self.password_file is not None):
            raise ValueError(
                "SMTP の認証には mail.user と mail.password_file の両方が必要です。"
                "認証しないサーバーなら、どちらも消してください"
            )
        return self

    @property
    def enabled(self) -> bool:
        """Is mail configured (a host given)?"""
        return bool(self.host)

    @property
    def server_port(self) -> int:
        """The port to connect to: the one given, or the usual one of ``security``."""
        return self.port or MAIL_PORTS[self.security]


_DAILY_AT_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


class Backup(_Strict):
    """Backups (``./testbed backup``): where they go, how many are kept, and a daily run by the stack itself."""

    dir: Path | None = Field(
        None,
        description="Absolute path of the folder backups are written to (default: <state_dir>/backups). Another "
        "disk is better: a backup on the same disk does not survive that disk.",
    )
    keep: int = Field(
        7,
        ge=0,
        le=1000,
        description="How many backups to keep in that folder: after each successful backup the oldest beyond this "
        "number are deleted (0: never delete). Backups written elsewhere with --to are never deleted.",
    )
    daily_at: str = Field(
        "",
        description='Time of day (HH:MM, Japan time) the stack backs itself up every day, e.g. "02:30"; empty '
        "(default): only when ./testbed backup is run. A run missed while the server was off is made up at the "
        "next start.",
    )

    @field_validator("dir")
    @classmethod
    def _dir(cls, v: Path | None) -> Path | None:
        if v is not None and not v.is_absolute():
            raise ValueError("絶対パスを指定してください (例: /mnt/backup/testbed)")
        return v

    @field_validator("daily_at", mode="before")
    @classmethod
    def _daily_at_quoted(cls, v: Any) -> Any:
        if isinstance(v, int) and not isinstance(v, bool):  # YAML 1.1 reads an unquoted 12:30 as the number 750
            raise ValueError(
                '時刻は引用符で囲んで "12:30" のように書いてください '
                "(引用符がないと、YAML は 12:30 のような時刻を数として読みます)"
            )
        return v

    @field_validator("daily_at")
    @classmethod
    def _daily_at(cls, v: str) -> str:
        v = v.strip()
        if v and not _DAILY_AT_RE.match(v):
            raise ValueError(
                f"{v!r} は時刻として使えません: 毎日バックアップする時刻を 24 時間制の HH:MM で書いてください "
                '(例: "02:30"。YAML では引用符で囲みます)'
            )
        return v


class StackConfig(_Strict):
    """The whole stack: where it lives, how it is reached, who runs it."""

    mode: Literal["onsite", "remote"] = Field(
        "onsite",
        description="Training mode: 'onsite' (実地研修, instructor in the room, individual initial passwords, "
        "no idle culling) or 'remote' (遠隔研修, self-registration with approval, idle culling, automatic feedback).",
    )
    bind_address: str = Field(
        "127.0.0.1",
        description="Address the hub and CKAN listen on. Loopback by default; "
        "a LAN address (or 0.0.0.0) for a classroom.",
    )
    public_host: str = Field(
        "",
        description="Host name or address trainees' browsers use to reach the server "
        "(default: bind_address, or this machine's name when bound to 0.0.0.0).",
    )
    state_dir: Path = Field(
        default_factory=_default_state_dir,
        description="Directory holding all state: databases, uploads, hub DB, nbgrader exchange, secrets, logs.",
    )
    prefix: Path = Field(
        default_factory=_default_prefix,
        description="Install prefix for the virtual environments and the installed project code "
        "(must be traversable by every trainee account).",
    )
    ports: Ports = Field(default_factory=Ports, description="TCP ports, see below.")
    admins: list[str] = Field(
        default_factory=lambda: ["instructor"],
        description="Hub user names with hub admin rights (instructors who may open trainees' servers).",
    )
    courses: list[Course] = Field(
        default_factory=lambda: [Course(id="odtb", title="自治体データ庁内活用研修")],
        description="nbgrader courses on this hub, each built from courses/<id>.",
    )
    remote: Remote = Field(default_factory=Remote, description="Remote-mode settings, see below.")
    sso: Sso = Field(default_factory=Sso, description="Single sign-on (remote mode only), see below.")
    deploy: Deploy = Field(
        default_factory=Deploy,
        description="docker-compose and Kubernetes deployments, see below (docs/deploy-compose.md).",
    )
    limits: Limits = Field(
        default_factory=Limits,
        description="Memory, process and CPU limits of each user's server on one machine, see below.",
    )
    mail: Mail = Field(
        default_factory=Mail,
        description="E-mail through an SMTP server (optional; absent: nothing is sent), see below.",
    )
    backup: Backup = Field(
        default_factory=Backup,
        description="Backups: folder, how many are kept, a daily run (optional), see below.",
    )
    ckan_site_title: str = Field("オープンデータ・テストベッド カタログ", description="Title of the CKAN site.")
    unix_user_prefix: str = Field(
        "jupyter-",
        description="Prefix of the Unix account made for each hub user when running as root (like TLJH).",
    )

    @field_validator("bind_address")
    @classmethod
    def _addr(cls, v: str) -> str:
        try:
            ipaddress.ip_address(v)
        except ValueError:
            raise ValueError(
                "IP アドレスを指定してください (例: 127.0.0.1、教室 LAN なら 192.168.1.10 や 0.0.0.0)"
            ) from None
        return v

    @field_validator("state_dir", "prefix")
    @classmethod
    def _abs(cls, v: Path) -> Path:
        if not v.is_absolute():
            raise ValueError("絶対パスを指定してください (例: /var/lib/testbed)")
        return v

    @field_validator("admins")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        for name in v:
            if not NAME_RE.match(name):
                raise ValueError(
                    f"ユーザー名 {name!r} は使えません: 英小文字で始まり、英小文字・数字・-・_ だけにしてください"
                )
        return v

    @field_validator("courses")
    @classmethod
    def _courses(cls, v: list[Course]) -> list[Course]:
        ids = [c.id for c in v]
        if len(set(ids)) != len(ids):
            raise ValueError("courses に同じ id が二度あります")
        if not v:
            raise ValueError("courses には少なくとも一つのコースが必要です")
        return v

    @model_validator(mode="after")
    def _sso_needs_remote(self) -> StackConfig:
        if self.sso.type != "none" and self.mode != "remote":
            raise ValueError(
                f"sso.type: {self.sso.type} (シングルサインオン) は mode: remote (遠隔研修) でだけ使えます。"
                "実地研修 (onsite) では、一人ずつ印刷した初期パスワードでサインインします。"
                "mode: remote にするか、sso.type: none にしてください"
            )
        return self

    # Derived values (not configurable) ------------------------------------------------

    @property
    def bind_host(self) -> str:
        """``bind_address`` as it stands in a URL or ``host:port`` (IPv6 literals in brackets)."""
        return url_host(self.bind_address)

    @property
    def local_host(self) -> str:
        """Where this machine reaches the services bound to ``bind_address`` (for URLs)."""
        return "127.0.0.1" if self.bind_address in ("0.0.0.0", "::") else self.bind_host

    @property
    def host(self) -> str:
        """The host name browsers use."""
        if self.public_host:
            return self.public_host
        if self.bind_address in ("0.0.0.0", "::"):
            import socket

            return socket.getfqdn()
        return self.bind_address

    @property
    def hub_url(self) -> str:
        return f"http://{url_host(self.host)}:{self.ports.hub}/"

    @property
    def ckan_url(self) -> str:
        return f"http://{url_host(self.host)}:{self.ports.ckan}"

    @property
    def ckan_internal_url(self) -> str:
        """CKAN as reached from this machine (hub, grader, seed)."""
        return f"http://{self.local_host}:{self.ports.ckan}"

    @property
    def hub_api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.hub_api}/hub/api"

    @property
    def solution_after(self) -> int:
        """After how many failed self-checks of a task a trainee may see its model answer; 0 never (on-site: the
        instructor is in the room)."""
        return self.remote.solution_after_failures if self.mode == "remote" else 0


def url_host(host: str) -> str:
    """A host name or IP address as it stands in a URL: IPv6 literals in brackets (``[::1]``)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class ConfigError(Exception):
    """The config file is unreadable or invalid; the message names the key and the fix."""


def _format_errors(path: Path, err: ValidationError) -> str:
    lines = [f"設定ファイル {path} に誤りがあります:"]
    for e in err.errors():
        lines.append(f"  - {config_errors.location(e['loc'])}: {config_errors.explain(e)}")
    lines.append("ファイルを直してから、もう一度実行してください。")
    return "\n".join(lines)


def load_config(path: Path | str | None = None) -> StackConfig:
    """Read and validate the stack config; a missing file means all defaults."""
    if path is None:
        path = os.environ.get(CONFIG_ENV) or default_config_path()
    path = Path(path)
    data: object = {}
    if path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise ConfigError(f"設定ファイル {path} を読めません (YAML の書式を確認してください): {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"設定ファイル {path} の中身は「キー: 値」の形 (YAML の辞書) にしてください。")
    try:
        return StackConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(_format_errors(path, e)) from None


def reference_markdown() -> str:
    """The config reference table, generated from the schema."""
    rows = ["| key | default | description |", "|---|---|---|"]

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel) and ann is not Course:
                walk(ann, f"{prefix}{name}.")
                continue
            if field.default_factory is not None:
                default = "(see below)" if name in ("state_dir", "prefix") else repr(field.default_factory())
            else:
                default = repr(field.default)
            rows.append(f"| `{prefix}{name}` | `{default}` | {field.description} |")

    walk(StackConfig, "")
    for name, field in Course.model_fields.items():
        default = "(required)" if field.is_required() else repr(field.get_default(call_default_factory=True))
        rows.append(f"| `courses[].{name}` | `{default}` | {field.description} |")
    return "\n".join(rows) + "\n"

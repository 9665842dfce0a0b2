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
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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
        description="Remote mode: how often new submissions are collected, autograded in the sandbox and their "
        "feedback released, with no instructor action (seconds, 15 to 3600).",
    )


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
    deploy: Deploy = Field(
        default_factory=Deploy,
        description="docker-compose and Kubernetes deployments, see below (docs/deploy-compose.md).",
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

    # Derived values (not configurable) ------------------------------------------------

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
        return f"http://{self.host}:{self.ports.hub}/"

    @property
    def ckan_url(self) -> str:
        return f"http://{self.host}:{self.ports.ckan}"

    @property
    def ckan_internal_url(self) -> str:
        """CKAN as reached from this machine (hub, grader, seed)."""
        addr = "127.0.0.1" if self.bind_address in ("0.0.0.0", "::") else self.bind_address
        return f"http://{addr}:{self.ports.ckan}"

    @property
    def hub_api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.hub_api}/hub/api"


class ConfigError(Exception):
    """The config file is unreadable or invalid; the message names the key and the fix."""


def _format_errors(path: Path, err: ValidationError) -> str:
    lines = [f"設定ファイル {path} に誤りがあります:"]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(全体)"
        if e["type"] == "extra_forbidden":
            msg = "知らない設定キーです (綴りを確認してください。使えるキーは docs/config-reference.md にあります)"
        else:
            msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"  - {loc}: {msg}")
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

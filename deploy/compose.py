"""docker-compose from the stack config: the ``.env`` file and the hub's container-side stack config.

``docker-compose.yml`` is fixed and committed; everything that differs between sites (public host,
ports, mode, courses, admins, site title, search backend, image tags, trainee limits) comes from the
one stack config through the two files written here:

- ``.env`` (next to docker-compose.yml): settings as ``KEY=value``, plus the secrets. A secret already
  in an existing ``.env`` is kept; a missing one is generated (never ``CHANGE_ME``).
- ``testbed.compose.yaml``: the stack config as the hub container reads it (container paths, the
  ports the services use inside their containers); mounted read-only into the hub.
"""

from __future__ import annotations

import secrets as _secrets
from pathlib import Path

import yaml

from testbed_config import StackConfig, names
from testbed_config.containers import container_stack
from testbed_config.names import CKAN_PLUGINS

ENV_FILE = ".env"
STACK_FILE = "testbed.compose.yaml"
PLACEHOLDER = "CHANGE_ME"

# name -> (how to generate, what it is for); the same names as .env.example
SECRETS = {
    "POSTGRES_PASSWORD": ("urlsafe", "PostgreSQL superuser"),
    "CKAN_DB_PASSWORD": ("urlsafe", "PostgreSQL role 'ckan' (CKAN and the DataStore)"),
    "DATASTORE_RO_PASSWORD": ("urlsafe", "PostgreSQL role 'datastore_ro' (DataStore reads)"),
    "REDIS_PASSWORD": ("urlsafe", "Redis"),
    "CKAN_SECRET_KEY": ("urlsafe", "CKAN SECRET_KEY (sessions, API tokens: changing it revokes every token)"),
    "CKAN_SYSADMIN_PASSWORD": ("urlsafe", "CKAN sysadmin 'testbed-admin'"),
    "TESTBED_HUB_COOKIE_SECRET": ("hex", "JupyterHub cookie secret"),
    "TESTBED_PROXY_AUTH_TOKEN": ("urlsafe", "configurable-http-proxy API token"),
    "TESTBED_HUB_ADMIN_TOKEN": ("urlsafe", "JupyterHub operator API token (scripts, acceptance tests)"),
    "TESTBED_INSTRUCTOR_PASSWORD": ("short", "initial password of the instructors"),
    "TESTBED_CKAN_SSO_SECRET": ("urlsafe", "OAuth client secret of CKAN at the hub (sign-in with the hub account)"),
}


SSO_PLUGINS = ("testbed_sso", "oidc_pkce")  # the sign-in to CKAN with the hub account, as on one machine


def ckan_plugins(cfg: StackConfig) -> str:
    """CKAN's plugins: those of one machine (the hub sign-in included); with Solr, the testbed search plugin
    steps aside."""
    skip = {"testbed"} if cfg.deploy.search == "solr" else set()
    return " ".join(p for p in CKAN_PLUGINS if p not in skip)


def image_prefix(cfg: StackConfig) -> str:
    reg = cfg.deploy.image_registry.strip().rstrip("/")
    return f"{reg}/" if reg else ""


def public_host(cfg: StackConfig) -> str:
    return cfg.public_host or ("localhost" if cfg.bind_address in ("127.0.0.1", "0.0.0.0", "::") else cfg.bind_address)


def settings(cfg: StackConfig) -> dict[str, str]:
    """The non-secret variables of ``.env``."""
    host = public_host(cfg)
    return {
        "TESTBED_IMAGE_PREFIX": image_prefix(cfg),
        "TESTBED_VERSION": cfg.deploy.image_tag,
        "TESTBED_PUBLIC_HOST": host,
        "TESTBED_HTTP_PORT": "80",
        "TESTBED_HUB_PORT": str(cfg.ports.hub),
        "TESTBED_CKAN_PORT": str(cfg.ports.ckan),
        "TESTBED_TLS": cfg.deploy.tls_email or "internal",
        "CKAN_SITE_URL": f"https://{host}:{cfg.ports.ckan}",
        "TESTBED_CKAN_SITE_TITLE": cfg.ckan_site_title,
        "TESTBED_CKAN_PLUGINS": ckan_plugins(cfg),
        # the sign-in to CKAN with the hub account: the browser goes to the hub's public address; CKAN itself
        # trades the code at the hub's own port inside the compose network (docker-compose.yml)
        "TESTBED_HUB_PUBLIC_URL": f"https://{host}:{cfg.ports.hub}",
        "TESTBED_CKAN_SSO_CLIENT_ID": names.CKAN_SSO_CLIENT_ID,
        "TESTBED_CKAN_SSO_CALLBACK": names.CKAN_SSO_CALLBACK,
        "COMPOSE_PROFILES": "solr" if cfg.deploy.search == "solr" else "",
    }


def new_secret(kind: str) -> str:
    if kind == "hex":
        return _secrets.token_hex(32)
    if kind == "short":
        return _secrets.token_urlsafe(9)
    return _secrets.token_urlsafe(32)


def parse_env(text: str) -> dict[str, str]:
    """``KEY=value`` lines of a .env file (comments and blank lines ignored, optional quotes removed)."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key.strip()] = value
    return out


def _quote(value: str) -> str:
    return f'"{value}"' if any(c in value for c in " #'\"$") else value


def render_env(cfg: StackConfig, existing: dict[str, str] | None = None) -> str:
    """The whole ``.env``: settings from ``cfg``, secrets kept from ``existing`` or newly generated."""
    existing = existing or {}
    lines = [
        "# Generated by ./testbed deploy compose from the stack config. Settings are rewritten on every run;",
        "# secrets are kept. Keep this file private (chmod 600); never commit it.",
        "",
    ]
    lines += [f"{k}={_quote(v)}" for k, v in settings(cfg).items()]
    lines += ["", "# secrets"]
    for name, (kind, what) in SECRETS.items():
        value = existing.get(name, "")
        if not value or value == PLACEHOLDER:
            value = new_secret(kind)
        lines += [f"# {what}", f"{name}={value}"]
    return "\n".join(lines) + "\n"


def render_stack(cfg: StackConfig) -> str:
    header = "# Generated by ./testbed deploy compose: the stack config inside the hub container. Do not edit.\n"
    stack = container_stack(cfg, public_host=public_host(cfg))
    return header + yaml.safe_dump(stack.model_dump(mode="json"), allow_unicode=True, sort_keys=False)


def write(cfg: StackConfig, out_dir: Path) -> list[Path]:
    """Write ``.env`` (0600, secrets kept) and ``testbed.compose.yaml`` into ``out_dir``; the paths written."""
    import os

    env_path = out_dir / ENV_FILE
    existing = parse_env(env_path.read_text(encoding="utf-8")) if env_path.exists() else {}
    fd = os.open(env_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(render_env(cfg, existing))
    os.chmod(env_path, 0o600)
    stack_path = out_dir / STACK_FILE
    stack_path.write_text(render_stack(cfg), encoding="utf-8")
    return [env_path, stack_path]

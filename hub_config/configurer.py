"""Pure functions that set JupyterHub config from the stack config (unit-tested on a bare Config).

Each ``update_*`` only sets values (never appends to or mutates existing ones), like TLJH's configurer.
"""

from __future__ import annotations

import os
from pathlib import Path

from hub_config.ckan_hook import update_ckan
from hub_config.classroom_service import update_classroom
from hub_config.remote import update_remote
from hub_config.sso import update_sso
from testbed_config import StackConfig
from testbed_config.layout import Layout
from testbed_config.names import formgrader_name, formgrader_port

OPERATOR_SERVICE = "testbed-operator"


def _secret(layout: Layout, name: str) -> str:
    return (layout.secrets / name).read_text().strip()


def update_base(c, cfg: StackConfig, layout: Layout) -> None:
    """Where the hub listens, its database and secrets, and the external proxy."""
    c.JupyterHub.bind_url = f"http://{cfg.bind_address}:{cfg.ports.hub}/"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = cfg.ports.hub_api
    c.JupyterHub.db_url = f"sqlite:///{layout.hub_dir / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(layout.secrets / "hub-cookie-secret")
    c.JupyterHub.pid_file = str(layout.hub_dir / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = False  # a hub restart keeps trainees' servers (and their kernels)
    c.JupyterHub.cleanup_proxy = False
    c.ConfigurableHTTPProxy.should_start = False
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{cfg.ports.proxy_api}"
    c.ConfigurableHTTPProxy.auth_token = _secret(layout, "proxy-auth-token")
    c.JupyterHub.template_vars = {"announcement_login": "オープンデータ・テストベッドへようこそ。"}


def update_auth(c, cfg: StackConfig, layout: Layout, is_root: bool) -> None:
    """Individual passwords; admins are the instructors; only known users may sign in."""
    if cfg.mode == "remote":
        return  # hub_config.remote.update_remote sets the authenticator (sign-up with approval)
    c.JupyterHub.authenticator_class = "hub_config.auth.TestbedAuthenticator"
    c.TestbedAuthenticator.password_db = str(layout.hub_dir / "passwords.sqlite")
    c.Authenticator.admin_users = set(cfg.admins)
    c.Authenticator.allow_existing_users = True
    instructors = {u for course in cfg.courses for u in course.instructors}
    c.Authenticator.allowed_users = set(cfg.admins) | instructors
    if not is_root:
        # demo mode: every server would run as the operator's own account, so one sign-in only
        c.Authenticator.allowed_users = {cfg.admins[0]}
        c.Authenticator.admin_users = {cfg.admins[0]}
    c.Authenticator.allow_all = False
    # admins may open trainees' servers to help them (on-site); remote mode may change this
    c.JupyterHub.admin_access = True


def update_spawner(c, cfg: StackConfig, layout: Layout, is_root: bool) -> None:
    """Single-user servers from the shared hub venv, JupyterLab in Japanese, CKAN in the environment."""
    c.JupyterHub.spawner_class = "hub_config.spawner.TestbedSpawner"
    c.TestbedSpawner.unix_user_prefix = cfg.unix_user_prefix
    c.TestbedSpawner.create_users = is_root
    c.TestbedSpawner.log_dir = str(layout.logs / "users")
    # jupyterhub-singleuser without JupyterLab's `node yarn config` at import (hub_config/singleuser.py)
    c.Spawner.cmd = [str(layout.hub_venv / "bin" / "python"), "-m", "hub_config.singleuser"]
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = "~"
    c.Spawner.http_timeout = 60
    c.Spawner.start_timeout = 300  # includes the wait for a start slot when a whole class logs in at once
    c.Spawner.environment = {
        "LANG": "ja_JP.UTF-8" if Path("/usr/lib/locale/ja_JP.utf8").exists() else "C.UTF-8",
        "TZ": "Asia/Tokyo",
        "CKAN_URL": cfg.ckan_internal_url,
        # where the course's self-check helper leaves marks for the progress board (classroom/selfcheck.py)
        "TESTBED_EXCHANGE": str(layout.exchange),
        "PATH": f"{layout.hub_venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    # nbgrader (fetch/submit/validate) asks the hub which courses the user belongs to
    c.Spawner.server_token_scopes = [
        "access:servers!server",
        "read:users:activity!user",
        "users:activity!user",
        "read:users:groups!user",
        "read:users:name!user",
    ]


def update_services(c, cfg: StackConfig, layout: Layout) -> None:
    """The operator's API token, a formgrader per course, and the roles that go with them."""
    services = [
        {"name": OPERATOR_SERVICE, "api_token": _secret(layout, "hub-admin-token"), "display": False},
    ]
    roles = [
        {
            "name": "testbed-operator",
            "scopes": [
                "admin:users",
                "admin:servers",
                "admin:groups",
                "tokens",
                "read:hub",
                "access:servers",
                "list:services",
                "read:services",
                "proxy",
            ],
            "services": [OPERATOR_SERVICE],
        }
    ]
    groups = {}
    for i, course in enumerate(cfg.courses):
        name = formgrader_name(course.id)
        # An external service run by supervisord (testbed_cli), so it survives hub restarts like
        # trainees' servers do, and a crashed hub never leaves a stale copy holding its port.
        services.append(
            {
                "name": name,
                "url": f"http://127.0.0.1:{formgrader_port(cfg, i)}",
                "api_token": _secret(layout, f"{name}-token"),
                "oauth_client_id": f"service-{name}",
                "oauth_no_confirm": True,
                "display": True,
            }
        )
        roles.append(
            {
                "name": f"{name}-service",
                "scopes": [
                    "read:users",
                    "list:users",
                    "read:groups",
                    "list:groups",
                    "groups",
                    "read:users:groups",
                    "list:services",
                    "read:services",
                ],
                "services": [name],
            }
        )
        roles.append(
            {
                "name": f"formgrade-{course.id}",
                "scopes": [f"access:services!service={name}", f"read:services!service={name}", "list:services"],
                "groups": [f"formgrade-{course.id}"],
            }
        )
        # nbgrader asks the hub about the grader account itself, so it is a (password-less) hub user
        groups[f"formgrade-{course.id}"] = {"users": [*course.instructors, layout.grader_account(course.id)]}
        groups[f"nbgrader-{course.id}"] = {}
    c.JupyterHub.services = services
    c.JupyterHub.load_roles = roles
    c.JupyterHub.load_groups = groups


def update_all(c, cfg: StackConfig, *, is_root: bool | None = None) -> None:
    layout = Layout(cfg)
    if is_root is None:
        is_root = os.geteuid() == 0
    update_base(c, cfg, layout)
    update_auth(c, cfg, layout, is_root)
    update_spawner(c, cfg, layout, is_root)
    update_services(c, cfg, layout)
    update_classroom(c, cfg, layout)
    update_ckan(c, cfg, layout)
    update_remote(c, cfg, layout, is_root)
    update_sso(c, cfg, layout, is_root)  # replaces update_remote's sign-up when sso.type is set

"""Pure functions that set JupyterHub config from the stack config (unit-tested on a bare Config).

Each ``update_*`` only sets values, like TLJH's configurer: it never reads, appends to or mutates a value
another one set, and no two set the same value, so they give the same Config in any order
(tests/unit/test_config_order.py). Where several parts make one list (services and their roles, template
paths), each part is a pure function returning its items and one ``update_*`` composes the list.
The authenticator is ``authenticator.update_authenticator``'s alone.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

from hub_config import console_links, teams
from hub_config.authenticator import PASSWORD, SIGNUP, authenticator_kind, update_authenticator
from hub_config.ckan_hook import TEMPLATES, EnsureTrainee, SetTraineeActive, update_ckan
from hub_config.ckan_sso import ckan_sso_services, update_ckan_sso
from hub_config.classroom_service import classroom_home_feeds, classroom_services
from hub_config.limits import update_limits
from hub_config.remote import NATIVE_TEMPLATES, culler_services, staff
from hub_config.throttle_api import CUSTOM_SCOPES, signin_lock_roles
from testbed_config import StackConfig, names
from testbed_config.japan_time import ZONE_NAME
from testbed_config.layout import Layout
from testbed_config.names import classroom_name, formgrader_name, formgrader_port

OPERATOR_SERVICE = "testbed-operator"
LOGIN_ANNOUNCEMENT = "オープンデータ・テストベッドへようこそ。"


def _secret(layout: Layout, name: str) -> str:
    return (layout.secrets / name).read_text().strip()


def update_base(c, cfg: StackConfig, layout: Layout) -> None:
    """The hub's database and secrets, and the external proxy (where they listen is ``update_network``'s)."""
    c.JupyterHub.db_url = f"sqlite:///{layout.hub_dir / names.HUB_DB}"
    c.JupyterHub.cookie_secret_file = str(layout.secrets / names.HUB_COOKIE_SECRET)
    c.JupyterHub.pid_file = str(layout.hub_dir / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = False  # a hub restart keeps trainees' servers (and their kernels)
    c.JupyterHub.cleanup_proxy = False
    c.ConfigurableHTTPProxy.should_start = False
    c.ConfigurableHTTPProxy.auth_token = _secret(layout, names.PROXY_AUTH_TOKEN)


def update_network(c, cfg: StackConfig) -> None:
    """On one machine: where the proxy (the hub's public address) and the hub's API listen, and the proxy's API."""
    c.JupyterHub.bind_url = f"http://{cfg.bind_host}:{cfg.ports.hub}/"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = cfg.ports.hub_api
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{cfg.ports.proxy_api}"


def update_pages(c, cfg: StackConfig) -> None:
    """The hub's Japanese pages, then (sign-up with approval only) the sign-up pages, and what they show."""
    signup = authenticator_kind(cfg) == SIGNUP
    c.JupyterHub.template_paths = [str(TEMPLATES), *([str(NATIVE_TEMPLATES)] if signup else [])]
    # the hub home links admins to the trainees' account page (hub_config/accounts.py) where it exists
    template_vars = {"announcement_login": LOGIN_ANNOUNCEMENT, "trainee_accounts": authenticator_kind(cfg) == PASSWORD}
    if cfg.mode == "remote":
        # lets page.html show admins a link to the approval page (/hub/authorize); none with SSO
        template_vars["signup_approval"] = signup
    template_vars["classroom_feeds"] = classroom_home_feeds(cfg)  # the home page shows each course's お知らせ
    template_vars["classroom_consoles"] = console_links.home_links(cfg)  # the home page links each course's console
    template_vars["team_kind"] = teams.GROUP_KIND  # the home page links each team workspace to its group's members
    c.JupyterHub.template_vars = template_vars


def update_testbed_spawner(c, cfg: StackConfig, layout: Layout, is_root: bool) -> None:
    """On one machine: each trainee's server runs as their own Unix account (created when the hub is root)."""
    c.JupyterHub.spawner_class = "hub_config.spawner.TestbedSpawner"
    c.TestbedSpawner.unix_user_prefix = cfg.unix_user_prefix
    c.TestbedSpawner.create_users = is_root
    c.TestbedSpawner.log_dir = str(layout.logs / "users")
    # team workspaces (hub_config/teams.py): their servers run with real-time collaboration, trainees' own without
    c.TestbedSpawner.team_group = teams.TEAMS_GROUP
    c.TestbedSpawner.team_config_dir = str(layout.hub_venv / teams.TEAM_CONFIG_DIR)
    c.TestbedSpawner.roster_db = str(layout.hub_dir / names.ROSTER_DB)  # a team server's 班 and course


def solution_after(cfg: StackConfig) -> str:
    """The course's solution policy for trainee kernels: "off" on-site (or when 0), else the number of failures."""
    return str(cfg.solution_after) if cfg.solution_after > 0 else "off"


def spawner_environment(cfg: StackConfig, layout: Layout) -> dict:
    """Environment of every single-user server: Japanese locale and time, where CKAN and the exchange are."""
    lang = names.JA_LOCALE if Path(names.JA_LOCALE_DIR).exists() else "C.UTF-8"
    return {
        "LANG": lang,
        # the hub's own LC_ALL (C.UTF-8, from the supervisor) would pass through (Spawner.env_keep) and win over
        # LANG; JupyterLab's server translates its own strings (news notifications) in the system locale
        "LC_ALL": lang,
        "TZ": ZONE_NAME,
        "CKAN_URL": cfg.ckan_internal_url,
        # where the course's self-check helper leaves marks for the progress board (classroom/selfcheck.py)
        "TESTBED_EXCHANGE": str(layout.exchange),
        # after how many failed self-checks q.solution() shows a model answer (courses/odtb/odtbcheck): off on-site
        "TESTBED_SOLUTION_AFTER": solution_after(cfg),
        # ... which the course's classroom service gives out (classroom/solutions.py), reached through the hub's proxy
        "TESTBED_SOLUTION_URL": f"http://{cfg.local_host}:{cfg.ports.hub}/services/{classroom_name('{course}')}/api/solution",
        "PATH": f"{layout.hub_venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        # the course guide (はじめに) the server copies into the home and opens on its first start (singleuser.py)
        "TESTBED_GUIDE": str(layout.hub_venv / names.GUIDE_DIR / names.GUIDE_FILE),
        # the workshop kit a team server copies into the team folder instead (the spawner keeps it for team servers)
        "TESTBED_WORKSHOP": str(layout.hub_venv / names.WORKSHOP_DIR),
        "TESTBED_WORKSHOP_GUIDE": names.WORKSHOP_GUIDE,
    }


def update_spawner(c, cfg: StackConfig, layout: Layout) -> None:
    """Single-user servers from the shared hub venv, JupyterLab in Japanese, CKAN in the environment."""
    # jupyterhub-singleuser without JupyterLab's `node yarn config` at import (hub_config/singleuser.py)
    c.Spawner.cmd = [str(layout.hub_venv / "bin" / "python"), "-m", "hub_config.singleuser"]
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = "~"
    c.Spawner.http_timeout = 60
    c.Spawner.start_timeout = 300  # includes the wait for a start slot when a whole class logs in at once
    c.Spawner.environment = spawner_environment(cfg, layout)
    # nbgrader (fetch/submit/validate) asks the hub which courses the user belongs to
    c.Spawner.server_token_scopes = [
        "access:servers!server",
        "read:users:activity!user",
        "users:activity!user",
        "read:users:groups!user",
        "read:users:name!user",
        # q.solution() in remote mode asks the course's classroom service (classroom/solutions.py); the hub grants
        # the subset the trainee holds: the services of their own courses
        "access:services",
    ]


def operator_service(layout: Layout) -> tuple[list[dict], list[dict]]:
    """The operator's API token (the testbed CLI's way into the hub) and its role."""
    services = [
        {"name": OPERATOR_SERVICE, "api_token": _secret(layout, names.HUB_ADMIN_TOKEN), "display": False},
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
                # team workspaces: each team user's server shared with its team's group (testbed_cli/team_workspaces.py)
                "shares",
                "list:services",
                "read:services",
                "proxy",
            ],
            "services": [OPERATOR_SERVICE],
        }
    ]
    return services, roles


def formgrader_services(cfg: StackConfig, layout: Layout) -> tuple[list[dict], list[dict]]:
    """A formgrader per course, its own role, and the role of those who may open it (group formgrade-<course>)."""
    services = []
    roles = []
    for i, course in enumerate(cfg.courses):
        name = formgrader_name(course.id)
        # An external service run by supervisord (testbed_cli), so it survives hub restarts like
        # trainees' servers do, and a crashed hub never leaves a stale copy holding its port.
        services.append(
            {
                "name": name,
                "url": f"http://127.0.0.1:{formgrader_port(cfg, i)}",
                "api_token": _secret(layout, names.service_token(name)),
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
    return services, roles


def course_groups(cfg: StackConfig, layout: Layout) -> dict:
    """Per course: its instructors and grader account (formgrade-<course>), and its trainees (nbgrader-<course>)."""
    groups = {}
    for course in cfg.courses:
        # nbgrader asks the hub about the grader account itself, so it is a (password-less) hub user
        groups[f"formgrade-{course.id}"] = {"users": [*course.instructors, layout.grader_account(course.id)]}
        groups[f"nbgrader-{course.id}"] = {}
    return groups


def hub_services(cfg: StackConfig, layout: Layout, *, culler: bool = True) -> tuple[list[dict], list[dict]]:
    """Every service of the hub and the roles that go with them, in one order: operator, formgraders,
    classroom services, idle culler (remote mode; ``culler=False`` where the Helm chart culls instead)."""
    parts = [
        operator_service(layout),
        formgrader_services(cfg, layout),
        classroom_services(cfg, layout),
        ckan_sso_services(cfg, layout),  # CKAN signs people in through the hub
        signin_lock_roles(staff(cfg), OPERATOR_SERVICE),  # who may lift sign-in locks (throttle_api.py)
    ]
    if culler:
        parts.append(culler_services(cfg, layout))
    return [s for services, _ in parts for s in services], [r for _, roles in parts for r in roles]


def update_services(c, cfg: StackConfig, layout: Layout) -> None:
    """The hub's services, their roles and the course groups (the only update_* that sets them)."""
    services, roles = hub_services(cfg, layout)
    c.JupyterHub.services = services
    c.JupyterHub.load_roles = roles
    c.JupyterHub.custom_scopes = CUSTOM_SCOPES  # the scope of the sign-in locks' role
    c.JupyterHub.load_groups = course_groups(cfg, layout)


def local_updates(
    cfg: StackConfig,
    layout: Layout,
    is_root: bool,
    ensure_trainee: EnsureTrainee | None = None,
    set_trainee_active: SetTraineeActive | None = None,
) -> list[Callable]:
    """The update_* functions of the stack on one machine, each given all but the Config; any order will do.

    ``ensure_trainee`` is the CKAN provisioning of the spawn hook (``ckan_seed.trainees.ensure_trainee``,
    passed in by ``jupyterhub_config.py``); without it no CKAN hook is set. ``set_trainee_active``
    (``ckan_seed.trainees.set_trainee_active``) keeps a disabled trainee's CKAN user in step.
    """
    return [
        functools.partial(update_base, cfg=cfg, layout=layout),
        functools.partial(update_network, cfg=cfg),
        functools.partial(
            update_authenticator, cfg=cfg, layout=layout, is_root=is_root, set_trainee_active=set_trainee_active
        ),
        functools.partial(update_testbed_spawner, cfg=cfg, layout=layout, is_root=is_root),
        functools.partial(update_limits, cfg=cfg, is_root=is_root),
        functools.partial(update_spawner, cfg=cfg, layout=layout),
        functools.partial(update_services, cfg=cfg, layout=layout),
        functools.partial(update_ckan, cfg=cfg, layout=layout, ensure_trainee=ensure_trainee),
        functools.partial(update_ckan_sso, cfg=cfg),
        functools.partial(update_pages, cfg=cfg),
    ]


def update_all(
    c,
    cfg: StackConfig,
    *,
    is_root: bool | None = None,
    ensure_trainee: EnsureTrainee | None = None,
    set_trainee_active: SetTraineeActive | None = None,
) -> None:
    """The whole hub config of the stack on one machine (``jupyterhub_config.py``, which passes the CKAN functions)."""
    if is_root is None:
        is_root = os.geteuid() == 0
    for update in local_updates(cfg, Layout(cfg), is_root, ensure_trainee, set_trainee_active):
        update(c)

"""Remote mode (遠隔研修): self-registration approved by an instructor, and stopping idle servers.

``update_remote`` does nothing in on-site mode. In remote mode it takes over the authenticator
from ``configurer.update_auth`` (which then sets none): trainees sign up at /hub/signup, an admin
approves them at /hub/authorize, staff sign in with their stored password
(``native_auth.TestbedNativeAuthenticator``). It also adds jupyterhub-idle-culler as a
hub-managed service with only the scopes it needs. Run it after ``update_services`` and
``update_classroom`` and ``update_ckan`` (it adds to the services, roles and template paths they set).
"""

from __future__ import annotations

from pathlib import Path

from testbed_config import StackConfig
from testbed_config.layout import Layout

CULLER = "idle-culler"
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
MIN_PASSWORD_LENGTH = 8
UNIX_NAME_MAX = 32  # useradd's limit on Debian
NATIVE_TEMPLATES = Path(__file__).resolve().parent / "templates" / "native"


def staff(cfg: StackConfig) -> set[str]:
    """Admins and course instructors: they sign in with the operator-managed password, never sign up."""
    return set(cfg.admins) | {u for course in cfg.courses for u in course.instructors}


def culler_service(cfg: StackConfig, layout: Layout) -> dict:
    """The idle culler as a hub-managed service (the hub starts it and gives it its token)."""
    timeout = cfg.remote.idle_timeout_minutes * 60
    return {
        "name": CULLER,
        "command": [
            str(layout.hub_venv / "bin" / "python"),
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={timeout}",
            f"--cull-every={min(300, max(60, timeout // 10))}",
            "--concurrency=2",  # a small machine: stop servers a couple at a time
        ],
        "display": False,
    }


def update_remote(c, cfg: StackConfig, layout: Layout, is_root: bool = True) -> None:
    """Self-registration with approval and idle culling, in remote mode only."""
    if cfg.mode != "remote":
        return
    c.JupyterHub.authenticator_class = "hub_config.native_auth.TestbedNativeAuthenticator"
    c.TestbedNativeAuthenticator.staff_password_db = str(layout.hub_dir / "passwords.sqlite")
    c.TestbedNativeAuthenticator.staff_users = staff(cfg)
    c.TestbedNativeAuthenticator.reserved_names = {layout.grader_account(course.id) for course in cfg.courses}
    c.TestbedNativeAuthenticator.signup_groups = {f"nbgrader-{course.id}" for course in cfg.courses}
    # a signed-up name becomes the Unix account <prefix><name>: lowercase ASCII, within useradd's 32 characters
    # (only for sign-ups: a hub-wide username_pattern would also judge staff and grader names at hub start)
    longest = UNIX_NAME_MAX - len(cfg.unix_user_prefix)
    c.TestbedNativeAuthenticator.signup_username_pattern = rf"[a-z][a-z0-9_-]{{0,{longest - 1}}}"
    c.TestbedNativeAuthenticator.max_username_length = longest
    c.NativeAuthenticator.enable_signup = is_root  # demo mode: every server would share one Unix account
    c.NativeAuthenticator.open_signup = False  # a sign-up waits for an admin's approval
    c.NativeAuthenticator.minimum_password_length = MIN_PASSWORD_LENGTH
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 5
    c.NativeAuthenticator.seconds_before_next_try = 300
    if is_root:
        c.Authenticator.admin_users = set(cfg.admins)
        # who may sign in is decided by approval (authenticate refuses pending accounts), not by a list
        c.Authenticator.allow_all = True
    else:  # demo mode: one sign-in only, as in on-site mode
        c.Authenticator.admin_users = {cfg.admins[0]}
        c.Authenticator.allowed_users = {cfg.admins[0]}
        c.Authenticator.allow_all = False
    c.JupyterHub.admin_access = True  # instructors may open a trainee's server to help them

    hub = c.JupyterHub
    # Japanese sign-up/sign-in/approval pages, after the hub's own Japanese pages (update_ckan sets those)
    paths = list(hub.template_paths) if "template_paths" in hub else []
    hub.template_paths = [*paths, str(NATIVE_TEMPLATES)]
    # lets page.html show admins a link to the approval page (/hub/authorize)
    template_vars = dict(hub.template_vars) if "template_vars" in hub else {}
    hub.template_vars = {**template_vars, "signup_approval": True}
    services = list(hub.services) if "services" in hub else []
    roles = list(hub.load_roles) if "load_roles" in hub else []
    hub.services = [*services, culler_service(cfg, layout)]
    hub.load_roles = [*roles, {"name": CULLER, "scopes": list(CULLER_SCOPES), "services": [CULLER]}]

"""Remote mode (遠隔研修): self-registration approved by an instructor, and stopping idle servers.

Parts only, each used by one ``update_*``: ``native_settings`` (by ``authenticator.update_authenticator``
when ``sso.type`` is none): trainees sign up at /hub/signup, an admin approves them at /hub/authorize,
staff sign in with their stored password (``native_auth.TestbedNativeAuthenticator``);
``culler_services`` (by ``configurer.update_services``): jupyterhub-idle-culler as a hub-managed service
with only the scopes it needs. Nothing here in on-site mode.
"""

from __future__ import annotations

from pathlib import Path

from testbed_config import StackConfig, names
from testbed_config.layout import Layout

CULLER = "idle-culler"
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
MIN_PASSWORD_LENGTH = 8
UNIX_NAME_MAX = 32  # useradd's limit on Debian
NATIVE_TEMPLATES = Path(__file__).resolve().parent / "templates" / "native"


def staff(cfg: StackConfig) -> set[str]:
    """Admins and course instructors: they sign in with the operator-managed password, never sign up."""
    return set(cfg.admins) | {u for course in cfg.courses for u in course.instructors}


def culler_services(cfg: StackConfig, layout: Layout) -> tuple[list[dict], list[dict]]:
    """The idle culler as a hub-managed service (the hub starts it and gives it its token) and its role; remote only."""
    if cfg.mode != "remote":
        return [], []
    timeout = cfg.remote.idle_timeout_minutes * 60
    service = {
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
    return [service], [{"name": CULLER, "scopes": list(CULLER_SCOPES), "services": [CULLER]}]


def native_settings(c, cfg: StackConfig, layout: Layout, is_root: bool) -> None:
    """Settings of the sign-up-with-approval authenticator (who may sign in is ``update_authenticator``'s)."""
    c.TestbedNativeAuthenticator.staff_password_db = str(layout.hub_dir / names.PASSWORD_DB)
    c.TestbedNativeAuthenticator.staff_users = staff(cfg)
    c.TestbedNativeAuthenticator.reserved_names = {layout.grader_account(course.id) for course in cfg.courses}
    c.TestbedNativeAuthenticator.signup_groups = {f"nbgrader-{course.id}" for course in cfg.courses}
    # failed sign-ups per address, kept across a restart; CKAN's sign-in locks beside them (throttle_api.py)
    c.TestbedNativeAuthenticator.throttle_db = str(layout.hub_dir / names.THROTTLE_DB)
    c.TestbedNativeAuthenticator.ckan_url = cfg.ckan_internal_url
    c.TestbedNativeAuthenticator.ckan_token_file = str(layout.secrets / names.CKAN_ADMIN_TOKEN)
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

"""The hub's authenticator and who may sign in, decided in one place from the stack config.

- ``mode: onsite``: individual passwords (``auth.TestbedAuthenticator``), only admins and instructors
  are allowed up front (trainees are added by the operator's tools);
- ``mode: remote``, ``sso.type: none``: sign-up with an instructor's approval
  (``native_auth.TestbedNativeAuthenticator``, settings from ``remote.native_settings``);
- ``mode: remote``, ``sso.type: oauth`` / ``lti13``: the IdP or the LMS (``sso_auth``, settings from
  ``sso.sso_settings``).

Without root (demo mode) every server would run as the operator's own Unix account, so whatever the
mode only the first admin may sign in. ``update_authenticator`` is the only ``update_*`` that sets
``JupyterHub.authenticator_class`` or any authenticator setting.
"""

from __future__ import annotations

from hub_config import remote, sso
from hub_config.ckan_hook import SetTraineeActive, ckan_state_setter
from testbed_config import StackConfig
from testbed_config.layout import Layout
from testbed_config.names import CKAN_ADMIN_TOKEN, PASSWORD_DB, ROSTER_DB, THROTTLE_DB

PASSWORD = "password"
SIGNUP = "signup"
OAUTH = "oauth"
LTI13 = "lti13"
CLASSES = {
    PASSWORD: "hub_config.auth.TestbedAuthenticator",
    SIGNUP: "hub_config.native_auth.TestbedNativeAuthenticator",
    OAUTH: sso.OAUTH,
    LTI13: sso.LTI13,
}


def authenticator_kind(cfg: StackConfig) -> str:
    """How people sign in: ``password`` (on-site), ``signup`` (remote, no SSO), ``oauth`` or ``lti13``."""
    if cfg.mode != "remote":
        return PASSWORD  # the schema refuses sso.type outside remote mode
    return SIGNUP if cfg.sso.type == "none" else cfg.sso.type


def update_authenticator(
    c, cfg: StackConfig, layout: Layout, is_root: bool, set_trainee_active: SetTraineeActive | None = None
) -> None:
    """The authenticator class, its settings, admins and who may sign in (mode, sso.type, root or demo mode).

    ``set_trainee_active`` (``ckan_seed.trainees.set_trainee_active``, passed in by the hub's config file) lets
    the instructor's account page keep a disabled trainee's CKAN user in step; without it CKAN is not touched.
    """
    kind = authenticator_kind(cfg)
    c.JupyterHub.authenticator_class = CLASSES[kind]
    if kind == PASSWORD:
        c.TestbedAuthenticator.password_db = str(layout.hub_dir / PASSWORD_DB)
        c.TestbedAuthenticator.roster_db = str(layout.hub_dir / ROSTER_DB)
        c.TestbedAuthenticator.throttle_db = str(layout.hub_dir / THROTTLE_DB)
        c.TestbedAuthenticator.ckan_url = cfg.ckan_internal_url  # CKAN's sign-in locks (throttle_api.py)
        c.TestbedAuthenticator.ckan_token_file = str(layout.secrets / CKAN_ADMIN_TOKEN)
        c.TestbedAuthenticator.staff_users = remote.staff(cfg) | {layout.grader_account(x.id) for x in cfg.courses}
        if set_trainee_active is not None:
            c.TestbedAuthenticator.ckan_account_state = ckan_state_setter(
                set_trainee_active, cfg.ckan_internal_url, layout
            )
    elif kind == SIGNUP:
        remote.native_settings(c, cfg, layout, is_root)
    else:
        sso.sso_settings(c, cfg, layout)

    auth = c.Authenticator
    if kind == PASSWORD:
        auth.allow_existing_users = True
    elif kind in (OAUTH, LTI13):
        # Group membership stays the hub's (load_groups gives instructors and grader accounts the formgrader):
        # JupyterHub refuses load_groups when the authenticator manages groups, so SSO users join the course
        # groups in TestbedSSOAuthenticator.add_user instead.
        auth.manage_groups = False
        # who may come is the IdP's and allowed_groups' answer at each sign-in, not "was here before"
        auth.allow_existing_users = False
    if not is_root:  # demo mode: every server would share one Unix account, so one sign-in only
        auth.admin_users = {cfg.admins[0]}
        auth.allowed_users = {cfg.admins[0]}
        auth.allow_all = False
    elif kind == PASSWORD:
        auth.admin_users = set(cfg.admins)
        auth.allowed_users = remote.staff(cfg)  # trainees are added to the hub by the operator's tools
        auth.allow_all = False
    elif kind == SIGNUP:
        auth.admin_users = set(cfg.admins)
        # who may sign in is decided by approval (authenticate refuses pending accounts), not by a list
        auth.allow_all = True
    else:
        auth.admin_users = set(cfg.admins)
        # an LMS / IdP decides who may come; allowed_groups narrows it (checked by TestbedSSOAuthenticator)
        auth.allow_all = not cfg.sso.allowed_groups
        auth.allowed_users = set()
    c.JupyterHub.admin_access = True  # instructors may open a trainee's server to help them

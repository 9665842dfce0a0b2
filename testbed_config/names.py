"""Names every part shares: hub services and their ports, state files, secrets, accounts.

The one place where these are spelled; the CLI, the hub config, the grader, the classroom service and
the deployment renderers import them from here (a unit test greps the rest of the tree for them).
"""

from __future__ import annotations

import hashlib
import re

from testbed_config import NAME_RE, StackConfig

# CKAN ------------------------------------------------------------------------------------------

# the plugins of the stack's CKAN, in load order (the local ckan.ini and the container image alike)
CKAN_PLUGINS = [
    # Japanese for what CKAN's ja catalogue lacks; first, so its translations win (ITranslation iterates in reverse)
    "testbed_i18n",
    "activity",
    "datastore",
    "datatables_view",
    "tracking",
    "testbed",
    "testbed_loader",
    # sign-in through the hub: testbed_sso (the glue) before oidc_pkce, so its IOidcPkce and templates come first
    "testbed_sso",
    "oidc_pkce",
]

# single sign-on from the hub to CKAN (hub_config/ckan_sso.py, ckanext-testbed/ckanext/testbed/sso/)
CKAN_SSO_SERVICE = "ckan"  # the hub service (an OAuth client only) CKAN signs people in through
CKAN_SSO_CALLBACK = "/user/login/oidc-pkce/callback"  # CKAN's OAuth redirect path (ckanext-oidc-pkce's)
CKAN_SSO_CLIENT_ID = f"service-{CKAN_SSO_SERVICE}"  # its OAuth client id (the hub wants "service-")
# where a link lands a hub user in CKAN signed in (ckanext-oidc-pkce's start; add ?came_from=/path to go on there)
CKAN_SSO_LOGIN = "/user/login/oidc-pkce"
# Redis keys of the throttle of CKAN's own sign-in form (ckanext-testbed sso/throttle.py PREFIX, kept equal by
# tests/unit/test_ckan_login_throttle_names.py): <prefix>:failures|lock:user|address:<key>
CKAN_LOGIN_THROTTLE_PREFIX = "ckanext-testbed:login-throttle"

# hub services ----------------------------------------------------------------------------------


def formgrader_name(course: str) -> str:
    """The nbgrader formgrader service of a course."""
    return f"formgrader-{course}"


def classroom_name(course: str) -> str:
    """The classroom service (progress board, certificates, deadlines) of a course."""
    return f"progress-{course}"


def classroom_store_file(course: str) -> str:
    """The classroom service's own SQLite file (help queue, announcements), in its account's home."""
    return f"{classroom_name(course)}.sqlite"


def classroom_feed_path(course: str) -> str:
    """The course's announcements as an Atom feed (JupyterLab's news), under the classroom service's prefix."""
    return f"/services/{classroom_name(course)}/announcements.atom"


def formgrader_path(course: str) -> str:
    """Where the formgrader's own pages start on the hub (its service root opens a JupyterLab instead)."""
    return f"/services/{formgrader_name(course)}/formgrader"


def formgrader_port(cfg: StackConfig, index: int) -> int:
    """Service ports are numbered from ``ports.services``: the formgraders first (one per course)..."""
    return cfg.ports.services + index


def classroom_port(cfg: StackConfig, index: int) -> int:
    """... then the classroom services (one per course)."""
    return cfg.ports.services + len(cfg.courses) + index


def service_ports(cfg: StackConfig) -> list[int]:
    """Every hub-managed service port, formgraders then classroom services."""
    n = len(cfg.courses)
    return [formgrader_port(cfg, i) for i in range(n)] + [classroom_port(cfg, i) for i in range(n)]


# a trainee's first screen ------------------------------------------------------------------------

# the course guide (はじめに), written by ./testbed up under the hub venv (testbed_cli/lab_guide.py) and copied
# into each home by the user's own server on its first start (hub_config/singleuser.py)
GUIDE_FILE = "はじめに.md"
GUIDE_DIR = "share/testbed/guide"  # relative to the hub venv (sys.prefix of a trainee's server)

# a team workspace's first screen: the workshop kit (courses/workshop), written by ./testbed up under the hub venv
# (testbed_cli/workshop_kit.py) and copied file by file, when absent, into the team's folder by the team server on its
# start (hub_config/singleuser.py); the spawner names both for team servers only (hub_config/spawner.py)
WORKSHOP_DIR = "share/testbed/workshop"  # relative to the hub venv, like GUIDE_DIR
WORKSHOP_GUIDE = "はじめに_班の作業場所.md"  # the kit's page a team lands on when it was placed


# team workspaces (班の作業場所, hub_config/teams.py): one hub user per team; classroom/ reads its submissions

TEAM_USER_PREFIX = "team-"


def team_user_name(team: str) -> str:
    """The hub user (and group) of a team: ASCII, short, the same for the same team name."""
    return TEAM_USER_PREFIX + hashlib.sha256(team.encode("utf-8")).hexdigest()[:8]


# a team's deliverable: written by the team server (hub_config/team_submit.py), read by the classroom service
# (classroom/team_work.py): one folder ``<team user>+<YYYYMMDDTHHMMSS Japan time>+<8 hex>`` per submission
TEAM_INBOUND = "team_inbound"  # the drop box in the course's exchange folder (testbed_cli/hub.py makes it)
TEAM_SUBMISSION_META = "submission.json"  # in each submission folder: who, when, which files


# state files in the hub's state directory (Layout.hub_dir) ------------------------------------

PASSWORD_DB = "passwords.sqlite"  # scrypt hashes and disabled accounts (hub_config/passwords.py); root only
ROSTER_DB = "roster.sqlite"  # 氏名, 所属, 期 of each trainee, and deadlines (testbed_cli/cohort_roster.py)
THROTTLE_DB = "signin-throttle.sqlite"  # sign-in failures and locks across hub restarts (hub_config/throttle_store.py)


# a trainee's CKAN side ---------------------------------------------------------------------------


def _derive(prefix: str, hub_username: str) -> str:
    """``<prefix><name>`` for a regular hub name; other names get a hashed form under a distinct prefix."""
    if NAME_RE.match(hub_username):
        return f"{prefix}{hub_username}"
    # never the same as a regular name: those start with "<prefix>", these with "<prefix>x-"
    digest = hashlib.sha256(hub_username.encode()).hexdigest()[:10]
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", hub_username.lower()).strip("-_")[:30]
    return f"{prefix}x-{digest}" + (f"-{cleaned}" if cleaned else "")


def ckan_user_name(hub_username: str) -> str:
    """CKAN user name of a hub user (``tb-<name>``); always a valid CKAN name, distinct per hub name."""
    return _derive("tb-", hub_username)


def sandbox_org_name(hub_username: str) -> str:
    """Name of the trainee's sandbox organisation (``sandbox-<name>``)."""
    return _derive("sandbox-", hub_username)


# state files ---------------------------------------------------------------------------------------

# the course's roster (氏名, 所属, 期) and deadlines, exported into its grader account's home for the
# board and the grader (./testbed up and every cohort or deadline change write it, as root)
ROSTER_EXPORT = "progress-roster.json"
# the last backup (time, success or the error), copied into each grader account's home for the console, as root,
# by every ./testbed backup and every scheduled one (testbed_cli/backup_schedule.py)
BACKUP_STATUS_COPY = "progress-backup-status.json"
GRADEBOOK = "gradebook.db"  # nbgrader's gradebook, in the course root (written by the grader side only)


def feedback_watch_state(course: str) -> str:
    """The feedback watcher's record of a course (under the state's run/): what it last looked at."""
    return f"feedback-watch-{course}.json"


# The grader's own CKAN account: no sysadmin, a ``member`` of every trainee's sandbox (ckan_seed/trainees.py), so the
# trusted grader (grader/ckan_checks.py) reads their training copies of data requests; its token is CKAN_GRADER_TOKEN.
CKAN_GRADER_USER = "testbed-grader"
CKAN_TOKEN_DB = "ckan-tokens.sqlite"  # trainees' CKAN API tokens, made at spawn (hub_config/ckan_hook.py); root only
HUB_DB = "jupyterhub.sqlite"  # JupyterHub's own database


# secrets: files in <state>/secrets (directory 0700, files 0600), generated at install ---------------

POSTGRES_SUPERUSER = "postgres-superuser"
CKAN_DB = "ckan-db"
DATASTORE_RO = "datastore-ro"
REDIS = "redis"
CKAN_SECRET_KEY = "ckan-secret-key"
CKAN_ADMIN_PASSWORD = "ckan-admin-password"
CKAN_ADMIN_TOKEN = "ckan-admin-token"
CKAN_GRADER_TOKEN = "ckan-grader-token"  # made by ./testbed up (testbed_cli/ckan.py; ckan_seed/trainees.py)
CKAN_GRADER_TOKEN_COPY = ".ckan-grader-token"  # its copy in each course's grader home, for the formgrader (0600)
HUB_COOKIE_SECRET = "hub-cookie-secret"
PROXY_AUTH_TOKEN = "proxy-auth-token"
HUB_ADMIN_TOKEN = "hub-admin-token"
INSTRUCTOR_PASSWORD = "instructor-password"
CKAN_TEST_DB = "ckan-test-db"
DATASTORE_TEST_RO = "datastore-test-ro"
CKAN_TEST_SECRET_KEY = "ckan-test-secret-key"
CKAN_SSO_SECRET = "hub-ckan-oauth-secret"


def service_token(service: str) -> str:
    """The secret holding a hub service's API token (formgrader, classroom service)."""
    return f"{service}-token"


def certificate_key(course: str) -> str:
    """The secret that numbers a course's completion certificates (HMAC key)."""
    return f"{classroom_name(course)}-certificate-key"


# name -> what it is for (the file names are stable; operators may look them up)
SECRETS = {
    POSTGRES_SUPERUSER: "PostgreSQL superuser (testbed_admin) password",
    CKAN_DB: "PostgreSQL password of CKAN's database role",
    DATASTORE_RO: "PostgreSQL password of the DataStore read-only role",
    REDIS: "Redis password",
    CKAN_SECRET_KEY: "CKAN SECRET_KEY (sessions, API token signing)",
    CKAN_ADMIN_PASSWORD: "password of the CKAN sysadmin account 'testbed-admin'",
    HUB_COOKIE_SECRET: "JupyterHub cookie secret (hex)",
    PROXY_AUTH_TOKEN: "configurable-http-proxy API token",
    HUB_ADMIN_TOKEN: "JupyterHub API token with admin scopes (operator scripts, tests)",
    INSTRUCTOR_PASSWORD: "initial password of the instructor accounts",
    service_token(formgrader_name("<course>")): "hub API token of a course's formgrader service",
    service_token(classroom_name("<course>")): "hub API token of a course's classroom service",
    certificate_key("<course>"): "key of a course's completion certificate numbers (HMAC)",
    CKAN_ADMIN_TOKEN: "CKAN API token of 'testbed-admin' (operator scripts, seeding, trainee provisioning)",
    CKAN_GRADER_TOKEN: "CKAN API token of the grader's read-only account (a member of every sandbox, no sysadmin)",
    CKAN_TEST_DB: "PostgreSQL password of the role ckan_test (./testbed test --ckanext: ckan_test, datastore_test)",
    DATASTORE_TEST_RO: "PostgreSQL password of the DataStore read-only role of the tests, datastore_test_ro",
    CKAN_TEST_SECRET_KEY: "CKAN SECRET_KEY of the CKAN-level tests' ini (<state>/ckan-test/test.ini)",
    CKAN_SSO_SECRET: "OAuth client secret of CKAN at the hub (hub service 'ckan'; single sign-on)",
}
SSO_NAME_DB = "sso-names.sqlite"  # IdP identity -> hub name (hub_config/sso_auth.py); root only
# The Japanese locale trainee servers run under when it exists (generated outside the locale archive by `up`,
# testbed_cli/install.py; hub_config/configurer.py falls back to C.UTF-8 without it)
JA_LOCALE = "ja_JP.UTF-8"
JA_LOCALE_DIR = "/usr/lib/locale/ja_JP.utf8"

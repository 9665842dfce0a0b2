"""Start CKAN in the project's CKAN image: the same steps as ``testbed_cli/ckan.py`` on one machine.

``testbed_start.py web`` (the image's command) or ``testbed_start.py worker``. It replaces the base
image's ``start_ckan.sh``/``prerun.py``, which insist on reaching Solr (the testbed search plugin
needs none) and serve with uWSGI (whose HTTP router resets reused connections from ckanapi; gunicorn
does not). Steps, all idempotent:

1. the options that depend on the deployment (site URL and title, databases, Redis, Solr, plugins,
   secret key, the sign-in with the hub account) into ``$CKAN_INI`` with ``ckan config-tool``;
2. web only: wait for PostgreSQL, ``ckan db init``, the activity and tracking migrations, DataStore permissions,
   the sysadmin ``testbed-admin``, the search table, and the operator's API token, written to
   ``$TESTBED_TOKEN_DIR/ckan-admin-token`` (the hub reads it from that shared volume);
3. exec gunicorn (web) or ``ckan jobs worker``.

Configuration comes from the environment set by docker-compose.yml (rendered from the stack config
by ``./testbed deploy compose``). Standard library + what CKAN's image has (psycopg2).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ADMIN_USER = "testbed-admin"


def ini_settings(env: dict[str, str]) -> dict[str, str]:
    """Options of ckan.ini that come from the deployment's environment."""
    secret = env["CKAN_SECRET_KEY"]
    return {
        "ckan.site_url": env["CKAN_SITE_URL"],
        "ckan.site_title": env.get("TESTBED_CKAN_SITE_TITLE", "オープンデータ・テストベッド カタログ"),
        "sqlalchemy.url": env["CKAN_SQLALCHEMY_URL"],
        "ckan.datastore.write_url": env["CKAN_DATASTORE_WRITE_URL"],
        "ckan.datastore.read_url": env["CKAN_DATASTORE_READ_URL"],
        "ckan.redis.url": env["CKAN_REDIS_URL"],
        "solr_url": env.get("CKAN_SOLR_URL", "http://solr:8983/solr/ckan"),
        "ckan.plugins": env["TESTBED_CKAN_PLUGINS"],
        "ckan.storage_path": env.get("CKAN_STORAGE_PATH", "/var/lib/ckan"),
        "licenses_group_url": "file:///srv/app/testbed-licenses.json",
        "SECRET_KEY": secret,
        "WTF_CSRF_SECRET_KEY": secret,
        "api_token.jwt.encode.secret": f"string:{secret}",
        "api_token.jwt.decode.secret": f"string:{secret}",
        **sso_settings(env),
    }


def sso_settings(env: dict[str, str]) -> dict[str, str]:
    """The sign-in with the hub account (ckanext-oidc-pkce + testbed_sso) as in the local ``ckan.ini``: the
    browser goes to the hub's public address, CKAN calls the hub at its address inside the compose network.
    The fixed options (the hub's paths, scope, error page) come with the template (``ini_options.py``)."""
    public = env.get("TESTBED_HUB_PUBLIC_URL", "").rstrip("/")
    if not public:
        return {}
    return {
        "ckanext.oidc_pkce.base_url": public,
        "ckanext.oidc_pkce.client_id": env["TESTBED_CKAN_SSO_CLIENT_ID"],
        "ckanext.oidc_pkce.client_secret": env["TESTBED_CKAN_SSO_SECRET"],
        "ckanext.oidc_pkce.redirect_path": env["TESTBED_CKAN_SSO_CALLBACK"],
        "ckanext.testbed.sso.hub_url": f"{public}/hub/",
        "ckanext.testbed.sso.hub_internal_url": env.get("TESTBED_HUB_INTERNAL_URL", "").rstrip("/"),
    }


def datastore_sql(permissions_sql: str) -> str:
    """``ckan datastore set-permissions`` output without psql's ``\\connect`` line (run through psycopg2)."""
    return re.sub(r"^\\connect .*$", "", permissions_sql, flags=re.MULTILINE)


def ckan(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    ini = os.environ["CKAN_INI"]
    return subprocess.run(["ckan", "-c", ini, *args], check=check, capture_output=True, text=True)


def wait_for_db(url: str, timeout: float = 120) -> None:
    import psycopg2

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg2.connect(url).close()
            return
        except psycopg2.Error as e:
            if time.monotonic() > deadline:
                sys.exit(f"[testbed] PostgreSQL unreachable after {timeout:.0f} s: {e}")
            time.sleep(2)


def prepare_web(env: dict[str, str]) -> None:
    import psycopg2

    wait_for_db(env["CKAN_SQLALCHEMY_URL"])
    ckan("db", "init")
    for plugin in ("activity", "tracking", "testbed"):  # testbed: the data-request tables
        ckan("db", "upgrade", "-p", plugin, check=False)
    sql = datastore_sql(ckan("datastore", "set-permissions").stdout)
    with psycopg2.connect(env["CKAN_DATASTORE_WRITE_URL"]) as conn, conn.cursor() as cur:
        cur.execute(sql)
    if ADMIN_USER not in ckan("user", "show", ADMIN_USER, check=False).stdout:
        ckan(
            "user",
            "add",
            ADMIN_USER,
            "email=testbed-admin@localhost",
            f"password={env['CKAN_SYSADMIN_PASSWORD']}",
            "fullname=テストベッド管理者",
        )
    ckan("sysadmin", "add", ADMIN_USER)
    ckan("search-index", "rebuild", "-o", check=False)  # the testbed search table: only what is missing
    token_file = Path(env.get("TESTBED_TOKEN_DIR", "/var/lib/testbed-ckan-token")) / "ckan-admin-token"
    if not token_file.exists() or not token_file.read_text().strip():
        out = ckan("user", "token", "add", ADMIN_USER, "testbed-operator").stdout
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(out.strip().splitlines()[-1].strip() + "\n")


def main(argv: list[str]) -> None:
    role = argv[1] if len(argv) > 1 else "web"
    env = dict(os.environ)
    pairs = [f"{key}={value}" for key, value in ini_settings(env).items()]
    subprocess.run(["ckan", "config-tool", env["CKAN_INI"], *pairs], check=True)
    if role == "worker":
        os.execvp("ckan", ["ckan", "-c", env["CKAN_INI"], "jobs", "worker"])
    if role == "tracking":  # like the local stack's ckan-tracking program (testbed_cli/ckan.py)
        Path("/tmp/tracking-ok").touch()
        while True:
            time.sleep(600)
            if ckan("tracking", "update", check=False).returncode == 0:
                Path("/tmp/tracking-ok").touch()
    prepare_web(env)
    os.chdir("/srv/app")
    workers = env.get("TESTBED_CKAN_WEB_WORKERS", "2")
    os.execvp(
        "gunicorn",
        [
            "gunicorn",
            "--workers",
            workers,
            "--timeout",
            "120",
            "--bind",
            "0.0.0.0:5000",
            "--access-logfile",
            "-",
            "wsgi:application",
        ],
    )


if __name__ == "__main__":
    main(sys.argv)

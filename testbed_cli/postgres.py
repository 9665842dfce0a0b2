"""The private PostgreSQL cluster under the state directory (loopback only, passwords required)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from testbed_cli import secrets, system
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config import names

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "testbed_admin"


def service_user() -> str | None:
    return "postgres" if system.is_root() else None


def ensure_cluster(layout: Layout, log=print) -> bool:
    """initdb once; True when the cluster was created now."""
    data = layout.pg_data
    if (data / "PG_VERSION").exists():
        return False
    if data.exists() and any(data.iterdir()):
        raise SetupError(
            f"{data} は PostgreSQL のデータディレクトリではありませんが、空でもありません。\n"
            "中身を確認して、不要なら消してから ./testbed up をやり直してください。"
        )
    log("PostgreSQL のクラスタを作っています")
    user = service_user()
    data.mkdir(parents=True, exist_ok=True)
    layout.pg_socket_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data.parent, 0o700)
    if user:
        system.chown(data.parent, user, recursive=True)
    password = secrets.get(layout.state, names.POSTGRES_SUPERUSER)
    with tempfile.NamedTemporaryFile("w", delete=False, dir="/tmp") as pw:
        pw.write(password + "\n")
    try:
        if user:
            system.chown(Path(pw.name), user)
        system.run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                f"--pwfile={pw.name}",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
            ],
            user=user,
        )
    except SetupError:
        shutil.rmtree(data, ignore_errors=True)  # nothing half-initialised
        raise
    finally:
        os.unlink(pw.name)
    return True


def server_command(layout: Layout) -> list[str]:
    cfg = layout.cfg
    return [
        str(PG_BIN / "postgres"),
        "-D",
        str(layout.pg_data),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        f"port={cfg.ports.postgres}",
        "-c",
        f"unix_socket_directories={layout.pg_socket_dir}",
        "-c",
        "shared_buffers=64MB",
        "-c",
        "max_connections=60",
        "-c",
        "logging_collector=off",
    ]


def _env(layout: Layout) -> dict[str, str]:
    return {"PGPASSWORD": secrets.get(layout.state, names.POSTGRES_SUPERUSER), "PGCONNECT_TIMEOUT": "3"}


def psql(layout: Layout, sql: str, db: str = "postgres", *, check: bool = True) -> str:
    proc = system.run(
        [
            "psql",
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(layout.cfg.ports.postgres),
            "-U",
            SUPERUSER,
            "-d",
            db,
        ],
        env=_env(layout),
        input=sql,
        check=check,
    )
    return proc.stdout.strip()


def is_ready(layout: Layout) -> bool:
    proc = subprocess.run(
        [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(layout.cfg.ports.postgres)],
        capture_output=True,
    )
    return proc.returncode == 0


def _literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def ensure_role(layout: Layout, role: str, password: str) -> None:
    exists = psql(layout, f"SELECT 1 FROM pg_roles WHERE rolname = {_literal(role)}")
    verb = "ALTER" if exists == "1" else "CREATE"
    psql(layout, f'{verb} ROLE "{role}" LOGIN PASSWORD {_literal(password)}')


def ensure_database(layout: Layout, db: str, owner: str) -> bool:
    if psql(layout, f"SELECT 1 FROM pg_database WHERE datname = {_literal(db)}") == "1":
        return False
    psql(layout, f'CREATE DATABASE "{db}" OWNER "{owner}" ENCODING \'UTF8\' TEMPLATE template0')
    return True


def ensure_ckan_databases(layout: Layout) -> bool:
    """Roles and databases for CKAN and the DataStore; True when the CKAN database is new."""
    ensure_role(layout, "ckan", secrets.get(layout.state, names.CKAN_DB))
    ensure_role(layout, "datastore_ro", secrets.get(layout.state, names.DATASTORE_RO))
    created = ensure_database(layout, "ckan", "ckan")
    ensure_database(layout, "ckan_datastore", "ckan")
    return created

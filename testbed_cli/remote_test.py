"""`./testbed test --target compose`: the acceptance test of a docker-compose stack, by HTTP only.

The stack is reached the way trainees reach it (through the TLS proxy); URLs and the operator's hub
token come from the ``.env`` written by ``./testbed deploy compose`` (``TESTBED_COMPOSE_ENV`` names
another file). Only ``tests/remote/`` runs, selected by its tier marker ``compose``: the integration
tests need the local stack's files and processes. Optional: ``TESTBED_REMOTE_CA`` (the TLS proxy's
root certificate, for its internal CA), ``TESTBED_REMOTE_CKAN_TOKEN`` (CKAN sysadmin token, for the
checks that need it).
"""

from __future__ import annotations

from pathlib import Path

from deploy.compose import STACK_FILE, parse_env
from testbed_cli.errors import SetupError


def compose_pytest_args(repo: Path, pytest_args: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """pytest's arguments and environment for the compose tier."""
    env_file = Path(env.get("TESTBED_COMPOSE_ENV") or repo / ".env")
    if not env_file.exists():
        raise SetupError(
            f"{env_file} がありません。先に ./testbed deploy compose と docker compose up を実行してください。"
        )
    dot = parse_env(env_file.read_text(encoding="utf-8"))
    host = dot.get("TESTBED_PUBLIC_HOST", "localhost")
    out = {
        **env,
        "TESTBED_TARGET": "compose",
        "TESTBED_REMOTE_HUB_URL": f"https://{host}:{dot.get('TESTBED_HUB_PORT', '443')}/",
        "TESTBED_REMOTE_CKAN_URL": f"https://{host}:{dot.get('TESTBED_CKAN_PORT', '443')}",
        "TESTBED_REMOTE_HUB_TOKEN": dot.get("TESTBED_HUB_ADMIN_TOKEN", ""),
        "TESTBED_REMOTE_TLS": dot.get("TESTBED_TLS", "internal"),
        "TESTBED_REMOTE_STACK": str(env_file.parent / STACK_FILE),
    }
    args = ["-m", "pytest", "-c", str(repo / "pytest.ini"), "--rootdir", str(repo), "-m", "compose"]
    if not any(not a.startswith("-") for a in pytest_args):
        args.append(str(repo / "tests" / "remote"))
    return [*args, *pytest_args], out

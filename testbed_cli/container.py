"""The hub container's entrypoint (docker-compose and Kubernetes): what ``./testbed up`` does for the hub.

``python -m testbed_cli.container hub [-- COMMAND...]`` runs, as root inside the hub image:

1. imports the secrets the deployment provides (``TESTBED_*`` environment variables from the compose
   ``.env``, files of mounted secret directories such as the CKAN token volume or a Kubernetes Secret)
   into ``<state>/secrets``, where the hub config reads them as on one machine;
2. prepares the hub's state with the local stack's own steps (``testbed_cli.hub``, ``testbed_cli.progress``):
   grader accounts, course directories from the curriculum, instructors' passwords, the nbgrader exchange;
3. exports the formgrader and progress-board programs (exactly what supervisord runs locally) for the hub
   config, which turns them into hub-managed services (``hub_config/containers.py``);
4. replaces itself with the hub (by default ``jupyterhub -f hub_config/jupyterhub_config_docker.py``).

Nothing here talks to Docker or Kubernetes; it only needs the stack config (``TESTBED_STACK``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from testbed_config import StackConfig, load_config, names
from testbed_config.containers import CKAN_IN_COMPOSE
from testbed_config.layout import Layout

# environment variable -> secret file name (the names testbed_cli/secrets.py documents)
ENV_SECRETS = {
    "TESTBED_HUB_COOKIE_SECRET": names.HUB_COOKIE_SECRET,
    "TESTBED_PROXY_AUTH_TOKEN": names.PROXY_AUTH_TOKEN,
    "TESTBED_HUB_ADMIN_TOKEN": names.HUB_ADMIN_TOKEN,
    "TESTBED_INSTRUCTOR_PASSWORD": names.INSTRUCTOR_PASSWORD,
    "TESTBED_CKAN_SSO_SECRET": names.CKAN_SSO_SECRET,  # CKAN's OAuth client at the hub (hub_config/ckan_sso.py)
}
IMPORT_DIRS_ENV = "TESTBED_IMPORT_FROM"  # colon-separated directories whose files are secrets


def secrets_from(env: dict[str, str]) -> dict[str, str]:
    """The secrets an environment provides: ``{file name: value}``; empty values are ignored."""
    found = {name: env[var].strip() for var, name in ENV_SECRETS.items() if env.get(var, "").strip()}
    for folder in filter(None, env.get(IMPORT_DIRS_ENV, "").split(":")):
        d = Path(folder)
        if not d.is_dir():
            continue
        for f in sorted(d.iterdir()):
            if f.is_file() and not f.name.startswith(".") and f.read_text().strip():
                found[f.name] = f.read_text().strip()
    return found


def import_secrets(layout: Layout, env: dict[str, str]) -> list[str]:
    """Write the provided secrets into ``<state>/secrets`` (0600); the names written."""
    from testbed_cli import secrets

    provided = secrets_from(env)
    for name, value in provided.items():
        secrets.put(layout.state, name, value)
    return sorted(provided)


def service_programs(layout: Layout) -> list[dict]:
    """The formgrader and classroom programs of every course, as the hub config's JSON, listening on the
    container's address (the proxy runs in another container)."""
    from testbed_cli import hub, progress

    programs = []
    for i in range(len(layout.cfg.courses)):
        for prog in (hub.formgrader_program(layout, i, "0.0.0.0"), progress.progress_program(layout, i, "0.0.0.0")):
            programs.append(
                {
                    "name": prog.name,
                    # ./testbed backup is the one-machine stack's: no backup note on a container's console
                    "command": [a for a in prog.command if not a.startswith("--backup-status=")],
                    "environment": dict(prog.environment),
                    "user": prog.user,
                    "directory": str(prog.directory) if prog.directory else None,
                }
            )
    return programs


def point_grading_at_ckan(layout: Layout, ckan_url: str) -> None:
    """Course configs name CKAN as seen on one machine (loopback); in a container it is a service name."""
    for course in layout.cfg.courses:
        path = layout.course_home(course.id) / ".jupyter" / "nbgrader_config.py"
        if not path.exists():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        fixed = [
            f"c.SandboxedExecute.ckan_url = {ckan_url!r}" if ln.startswith("c.SandboxedExecute.ckan_url") else ln
            for ln in lines
        ]
        path.write_text("\n".join(fixed) + "\n", encoding="utf-8")


def prepare_hub(cfg: StackConfig, env: dict[str, str], log=print) -> Layout:
    """Steps 1-3 above (idempotent: a restarted container repeats them safely)."""
    from hub_config.containers import programs_file
    from testbed_cli import hub, progress

    layout = Layout(cfg)
    for d in (layout.state, layout.run, layout.logs):
        d.mkdir(parents=True, exist_ok=True)
    names = import_secrets(layout, env)
    log(f"secrets provided by the deployment: {', '.join(names) or '(none)'}")
    if not (layout.secrets / names.CKAN_ADMIN_TOKEN).exists():
        log("warning: no CKAN admin token yet; trainees' servers cannot start until it is provided")
    hub.ensure_hub_state(layout, log)
    point_grading_at_ckan(layout, env.get("TESTBED_CKAN_URL", CKAN_IN_COMPOSE))
    hub.ensure_singleuser_defaults(layout)
    progress.ensure_state(layout)
    path = programs_file(layout)
    path.write_text(json.dumps(service_programs(layout), ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(path, 0o600)  # the environments hold service tokens
    return layout


def default_hub_command(layout: Layout) -> list[str]:
    return [
        str(layout.hub_venv / "bin" / "jupyterhub"),
        "-f",
        str(layout.app / "hub_config" / "jupyterhub_config_docker.py"),
    ]


def seed(cfg: StackConfig, env: dict[str, str]) -> int:
    """``docker compose exec hub python -m testbed_cli.container seed``: publish the sample catalogue."""
    from ckan_seed.problem import ManifestInvalid, SeedError
    from ckan_seed.seed import seed_catalog

    token = (Layout(cfg).secrets / names.CKAN_ADMIN_TOKEN).read_text().strip()
    try:
        report = seed_catalog(env.get("TESTBED_CKAN_URL", CKAN_IN_COMPOSE), token, log=print)
    except (ManifestInvalid, SeedError) as e:
        print(f"エラー: {e}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 1 if report.failures else 0


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m testbed_cli.container", description=__doc__.splitlines()[0])
    p.add_argument("role", choices=["hub", "seed"], help="hub: prepare and start the hub; seed: publish the catalogue")
    p.add_argument("command", nargs=argparse.REMAINDER, help="command to exec afterwards (after --)")
    args = p.parse_args(argv)
    env = dict(os.environ)
    cfg = load_config(env["TESTBED_STACK"])
    if args.role == "seed":
        sys.exit(seed(cfg, env))
    layout = prepare_hub(cfg, env, log=lambda m: print(f"[testbed] {m}", flush=True))
    command = [a for a in args.command if a != "--"] or default_hub_command(layout)
    os.chdir(layout.hub_dir)
    sys.stdout.flush()
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()

"""Static checks of the docker-compose deployment (run by the unit tests; no Docker engine needed).

``problems(...)`` returns one Japanese/English line per rule broken, so a test can show all of them:
the compose-spec schema, a healthcheck on every service, dependencies that wait on health, databases
only on internal networks, no literal secret (every secret is ``${VAR}`` with ``CHANGE_ME`` in
``.env.example``), every image pinned to a version, every build context, Dockerfile and committed
bind-mount source present.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from deploy.compose import PLACEHOLDER, SECRETS, STACK_FILE

DATABASE_IMAGES = ("postgres", "redis", "ckan/ckan-solr")
SECRET_KEY_RE = re.compile(r"PASSWORD|SECRET|TOKEN|_AUTH|PASSWD", re.IGNORECASE)
VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?-][^}]*)?\}")
URL_CREDENTIALS_RE = re.compile(r"://[^/:@\s]+:([^@\s]+)@")
GENERATED = {f"./{STACK_FILE}"}  # bind-mount sources written by ./testbed deploy compose


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def schema_errors(doc: dict, schema: dict) -> list[str]:
    """Violations of the compose-spec JSON schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"schema: {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    ]


def interpolate(value: str, env: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        return env.get(m.group(1), "")

    return VAR_RE.sub(sub, value)


def _env_items(service: dict) -> list[tuple[str, str]]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return [(item.partition("=")[0], item.partition("=")[2]) for item in env]
    return [(k, "" if v is None else str(v)) for k, v in env.items()]


def _networks(service: dict) -> list[str]:
    nets = service.get("networks") or []
    return list(nets) if isinstance(nets, (list, dict)) else []


def image_problem(image: str) -> str | None:
    """Why an (interpolated) image reference is not pinned to a version, or None."""
    name, _, digest = image.partition("@")
    if digest:
        return None
    last = name.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag"
    tag = last.rsplit(":", 1)[1]
    if not tag or tag == "latest" or not re.search(r"\d", tag):
        return f"tag {tag!r} is not a version"
    return None


def problems(doc: dict, *, root: Path, env_example: dict[str, str]) -> list[str]:
    """Every rule of the deployment the compose file ``doc`` breaks (``root``: its folder)."""
    out = []
    services = doc.get("services") or {}
    networks = doc.get("networks") or {}
    declared_volumes = set(doc.get("volumes") or {})
    for name, svc in services.items():
        hc = svc.get("healthcheck")
        if not hc or hc.get("disable") or not hc.get("test"):
            out.append(f"{name}: no healthcheck")
        deps = svc.get("depends_on") or {}
        if isinstance(deps, list):
            out.append(f"{name}: depends_on without conditions (use condition: service_healthy)")
            deps = {}
        for dep, spec in deps.items():
            cond = (spec or {}).get("condition")
            one_shot = str(services.get(dep, {}).get("restart", "")) == "no"
            if cond == "service_completed_successfully" and one_shot:
                continue
            if cond != "service_healthy":
                out.append(f"{name}: waits for {dep} with {cond!r}, not service_healthy")
        image = svc.get("image", "")
        if any(interpolate(image, env_example).split(":")[0].endswith(db) for db in DATABASE_IMAGES):
            for net in _networks(svc):
                if not (networks.get(net) or {}).get("internal"):
                    out.append(f"{name}: database on network {net!r}, which is not internal")
            if not _networks(svc):
                out.append(f"{name}: database on the default network (not internal)")
            if svc.get("ports"):
                out.append(f"{name}: database publishes ports")
        if image:
            why = image_problem(interpolate(image, env_example))
            if why:
                out.append(f"{name}: image {image} {why}")
        elif "build" not in svc:
            out.append(f"{name}: neither image nor build")
        build = svc.get("build")
        if build:
            ctx = root / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile = ctx / ("Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
            if not ctx.is_dir():
                out.append(f"{name}: build context {ctx} does not exist")
            elif not dockerfile.is_file():
                out.append(f"{name}: Dockerfile {dockerfile} does not exist")
        for key, value in _env_items(svc):
            if SECRET_KEY_RE.search(key) and not re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}", value.strip()):
                out.append(f"{name}: {key} is a literal, not ${{VAR}} from .env")
            for cred in URL_CREDENTIALS_RE.findall(value):
                if not VAR_RE.fullmatch(cred):
                    out.append(f"{name}: {key} holds a literal password in a URL")
        for vol in svc.get("volumes") or []:
            source = vol.split(":", 1)[0] if isinstance(vol, str) else (vol.get("source") or "")
            if source.startswith((".", "/")):
                if source.startswith(".") and source not in GENERATED and not (root / source).exists():
                    out.append(f"{name}: bind-mount source {source} does not exist")
            elif source and source not in declared_volumes:
                out.append(f"{name}: volume {source} is not declared under volumes:")
    text = yaml.safe_dump(doc)
    for var in sorted(set(VAR_RE.findall(text))):
        if var not in env_example:
            out.append(f".env.example: ${{{var}}} is used but not listed")
    for var in SECRETS:
        if env_example.get(var) != PLACEHOLDER:
            out.append(f".env.example: secret {var} must be {PLACEHOLDER}")
    for var, value in env_example.items():
        if SECRET_KEY_RE.search(var) and value not in ("", PLACEHOLDER):
            out.append(f".env.example: {var} holds a value; secrets must be {PLACEHOLDER}")
    return out

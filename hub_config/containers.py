"""Hub config for container deployments: DockerSpawner (docker-compose) and KubeSpawner (Zero to JupyterHub).

The same product as the local stack: ``configurer.update_all`` still sets the authenticator, admins,
groups, roles, the formgrader and progress services, the CKAN hook and remote mode. These functions
run after it and change only what differs inside containers:

- the hub is reached by service name, not loopback, and the proxy runs in its own container/pod;
- each trainee gets a container (pod) of the single-user image (same environment as ``hub.txt``),
  started as root by ``docker/hub/start-singleuser.sh``, which makes the Unix account
  ``<unix_user_prefix><name>`` (uid 1000) and drops to it, so nbgrader sees the same student id as
  on one machine; the home and the nbgrader exchange are volumes, mounted where the local stack has them;
- formgraders and progress boards become hub-managed services: the hub starts them inside its own
  container as the course's grader account (there is no supervisord in a container).

Pure functions on a traitlets ``Config`` (unit-tested with no hub running); what a deployment
knows about its surroundings is passed in as a ``Site``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from hub_config.ckan_hook import provide_ckan_token, update_ckan
from hub_config.classroom_service import update_classroom
from hub_config.configurer import (
    update_all,
    update_auth,
    update_services,
    update_spawner,
)
from hub_config.remote import CULLER, update_remote
from testbed_config import StackConfig
from testbed_config.layout import Layout

TRAINEE_HOME = "/home/trainee"
STATE_DIR = "/var/lib/testbed"  # in every container: the exchange path is baked into the single-user image
PREFIX = "/opt/testbed"
# in-container ports (the public ones are published by the TLS proxy / the ingress only)
CONTAINER_PORTS = {"hub": 8000, "ckan": 5000, "hub_api": 8081, "proxy_api": 8001}
TRAINEE_UID = 1000
TRAINEE_GID = 100


@dataclass(frozen=True)
class Site:
    """Names of the neighbours of the hub in one deployment (service names, images, volumes)."""

    hub_host: str  # name other containers/pods use for the hub (its services listen there too)
    proxy_api_url: str
    ckan_url: str  # CKAN as reached from the hub and from trainees' servers
    singleuser_image: str
    network: str = ""  # docker: the network trainees' containers join
    exchange_volume: str = ""  # docker: named volume / k8s: PersistentVolumeClaim of the nbgrader exchange
    home_volume_template: str = "testbed-home-{username}"

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Site:
        """The site as the container's environment describes it (set by docker-compose.yml / the Helm values)."""
        return cls(
            hub_host=env.get("TESTBED_HUB_HOST", "hub"),
            proxy_api_url=env.get("TESTBED_PROXY_API_URL", "http://proxy:8001"),
            ckan_url=env.get("TESTBED_CKAN_URL", "http://ckan:5000"),
            singleuser_image=env["TESTBED_SINGLEUSER_IMAGE"],
            network=env.get("TESTBED_TRAINEE_NETWORK", ""),
            exchange_volume=env.get("TESTBED_EXCHANGE_VOLUME", ""),
        )


def container_stack(cfg: StackConfig, *, public_host: str) -> StackConfig:
    """The stack config as the hub container sees it: container paths and in-container ports."""
    data = cfg.model_dump(mode="json")
    data.update(state_dir=STATE_DIR, prefix=PREFIX, bind_address="0.0.0.0", public_host=public_host)
    data["ports"] = {**data["ports"], **CONTAINER_PORTS}
    return StackConfig.model_validate(data)


def load_programs(path: Path) -> list[dict]:
    """The service programs exported by the container entrypoint (none if it has not run)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def programs_file(layout: Layout) -> Path:
    """Where ``testbed_cli/container.py`` exports the service programs for the hub config."""
    return layout.run / "container-services.json"


def unix_user(cfg: StackConfig):
    """Environment value (a callable JupyterHub evaluates per spawn): the trainee's account name in the container."""

    def value(spawner) -> str:
        return f"{cfg.unix_user_prefix}{spawner.user.name}"

    return value


def _environment(cfg: StackConfig, c, site: Site, spawner_class: str) -> dict:
    env = {}
    for section in ("Spawner", spawner_class):  # the generic settings, then what the chart set for its spawner
        if section in c and "environment" in c[section]:
            env.update(c[section].environment)
    env.update(
        {
            "LANG": "ja_JP.UTF-8",  # the single-user image generates this locale
            "CKAN_URL": site.ckan_url,
            "TESTBED_UNIX_USER": unix_user(cfg),
            "HOME": TRAINEE_HOME,
        }
    )
    return env


def update_hub_network(c, cfg: StackConfig, site: Site) -> None:
    """The hub listens on all interfaces of its container; the proxy is a separate container/pod."""
    c.JupyterHub.bind_url = f"http://:{cfg.ports.hub}/"
    c.JupyterHub.hub_bind_url = f"http://0.0.0.0:{cfg.ports.hub_api}"
    c.JupyterHub.hub_connect_url = f"http://{site.hub_host}:{cfg.ports.hub_api}"
    c.ConfigurableHTTPProxy.should_start = False
    c.ConfigurableHTTPProxy.api_url = site.proxy_api_url
    # a restarted hub container must not lose trainees' servers (same as on one machine)
    c.JupyterHub.cleanup_servers = False


def update_ckan_hook(c, cfg: StackConfig, layout: Layout, site: Site) -> None:
    """The spawn hook reaches CKAN by its service name."""
    c.Spawner.pre_spawn_hook = functools.partial(
        provide_ckan_token,
        ckan_url=site.ckan_url,
        admin_token_file=str(layout.secrets / "ckan-admin-token"),
        token_db=str(layout.hub_dir / "ckan-tokens.sqlite"),
    )


# JUPYTERHUB_* variables the hub itself gives a managed service (the local programs set them by hand)
_HUB_PROVIDED = {
    "JUPYTERHUB_SERVICE_NAME",
    "JUPYTERHUB_API_TOKEN",
    "JUPYTERHUB_CLIENT_ID",
    "JUPYTERHUB_API_URL",
    "JUPYTERHUB_BASE_URL",
    "JUPYTERHUB_SERVICE_PREFIX",
    "JUPYTERHUB_SERVICE_URL",
    "JUPYTERHUB_OAUTH_CALLBACK_URL",
}


def managed_services(c, site: Site, programs: list[dict]) -> list[dict]:
    """The hub's external services that have a program (formgraders, progress boards) become hub-managed.

    ``programs`` are the local stack's supervised programs of those services, exported by the container
    entrypoint (``testbed_cli/container.py``) as ``{name, command, environment, user, directory}``, so a
    container runs exactly what supervisord runs on one machine, started by the hub as the same account.
    """
    by_name = {p["name"]: p for p in programs}
    services = []
    for svc in c.JupyterHub.services if "services" in c.JupyterHub else []:
        prog = by_name.get(svc["name"])
        if prog is None or "url" not in svc:
            services.append(dict(svc))
            continue
        port = svc["url"].rsplit(":", 1)[1]
        env = {k: v for k, v in prog.get("environment", {}).items() if k not in _HUB_PROVIDED}
        managed = {
            **svc,
            "url": f"http://{site.hub_host}:{port}",
            "command": list(prog["command"]),  # already listening on the container's address
            "environment": env,
        }
        if prog.get("user"):
            managed["user"] = prog["user"]
        if prog.get("directory"):
            managed["cwd"] = prog["directory"]
        services.append(managed)
    return services


def update_docker(c, cfg: StackConfig, layout: Layout, site: Site, programs: list[dict]) -> None:
    """docker-compose: DockerSpawner, one container per trainee; run after ``update_all``."""
    update_hub_network(c, cfg, site)
    update_ckan_hook(c, cfg, layout, site)
    c.JupyterHub.services = managed_services(c, site, programs)
    c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
    d = c.DockerSpawner
    d.image = site.singleuser_image
    d.pull_policy = "ifnotpresent"
    d.network_name = site.network
    d.use_internal_ip = True
    d.remove = True  # containers are disposable; the home volume keeps the work
    d.name_template = "testbed-{prefix}-{username}"
    d.prefix = "trainee"
    d.notebook_dir = TRAINEE_HOME
    d.volumes = {
        site.home_volume_template: TRAINEE_HOME,
        site.exchange_volume: str(layout.exchange),
    }
    d.extra_create_kwargs = {"user": "root"}  # start.sh makes the trainee's account, then drops root
    d.mem_limit = f"{cfg.deploy.trainee_memory_limit_mib}M"
    d.mem_guarantee = f"{cfg.deploy.trainee_memory_guarantee_mib}M"
    d.cpu_limit = cfg.deploy.trainee_cpu_limit
    d.cpu_guarantee = cfg.deploy.trainee_cpu_guarantee
    d.environment = _environment(cfg, c, site, "DockerSpawner")
    d.http_timeout = 120
    d.start_timeout = 180


def update_kubernetes(c, cfg: StackConfig, layout: Layout, site: Site, programs: list[dict]) -> None:
    """Zero to JupyterHub: run from ``hub.extraConfig`` after ``update_all``.

    The chart's own jupyterhub_config.py has already set the hub's address, database, proxy and
    KubeSpawner from the Helm values; only what the chart cannot express is set here.
    """
    update_ckan_hook(c, cfg, layout, site)
    c.JupyterHub.services = managed_services(c, site, programs)
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    k = c.KubeSpawner
    k.environment = _environment(cfg, c, site, "KubeSpawner")
    k.working_dir = TRAINEE_HOME
    k.notebook_dir = TRAINEE_HOME
    k.uid = 0  # start.sh makes the trainee's account, then drops root
    k.fs_gid = TRAINEE_GID


def configure_docker(c, cfg: StackConfig, site: Site, programs: list[dict]) -> None:
    """The whole hub config of the docker-compose hub container (``jupyterhub_config_docker.py``)."""
    update_all(c, cfg, is_root=True)
    update_docker(c, cfg, Layout(cfg), site, programs)


LOGIN_ANNOUNCEMENT = "オープンデータ・テストベッドへようこそ。"


def configure_kubernetes(c, cfg: StackConfig, site: Site, programs: list[dict]) -> None:
    """The project's part of the hub config under Zero to JupyterHub (called from ``hub.extraConfig``).

    ``update_base`` is left out: the chart owns the hub's address, database, cookie secret and proxy.
    """
    layout = Layout(cfg)
    c.JupyterHub.template_vars = {"announcement_login": LOGIN_ANNOUNCEMENT}
    update_auth(c, cfg, layout, True)
    update_spawner(c, cfg, layout, True)
    update_services(c, cfg, layout)
    update_classroom(c, cfg, layout)
    update_ckan(c, cfg, layout)  # its hook is re-pointed at CKAN's service name by update_kubernetes
    update_remote(c, cfg, layout, True)
    # the chart runs jupyterhub-idle-culler itself (Helm values cull.*, rendered from remote.idle_timeout_minutes)
    hub = c.JupyterHub
    hub.services = [s for s in hub.services if s["name"] != CULLER] if "services" in hub else []
    hub.load_roles = [r for r in hub.load_roles if r["name"] != CULLER] if "load_roles" in hub else []
    update_kubernetes(c, cfg, layout, site, programs)

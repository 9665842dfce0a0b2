"""Hub config for container deployments: DockerSpawner (docker-compose) and KubeSpawner (Zero to JupyterHub).

The same product as the local stack: the same ``update_*`` functions set the authenticator, admins,
groups, roles, the formgrader and classroom services, the single-user settings and the pages
(``docker_updates`` / ``kubernetes_updates`` list them). In place of the local-only ones, the functions
here set what differs inside containers (like the local ones, each sets its own values only, so any
order gives the same Config):

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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hub_config.authenticator import update_authenticator
from hub_config.ckan_hook import EnsureTrainee, ckan_token_hook
from hub_config.ckan_sso import update_ckan_sso
from hub_config.configurer import (
    course_groups,
    hub_services,
    spawner_environment,
    update_base,
    update_pages,
    update_spawner,
)
from hub_config.throttle_api import CUSTOM_SCOPES
from testbed_config import StackConfig, names
from testbed_config.containers import CKAN_IN_COMPOSE, PROXY_API_IN_COMPOSE, TRAINEE_GID, TRAINEE_HOME
from testbed_config.layout import Layout


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
    ckan_public_url: str = ""  # CKAN as the browser reaches it (where the hub sends people back after sign-in)

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Site:
        """The site as the container's environment describes it (set by docker-compose.yml / the Helm values)."""
        return cls(
            hub_host=env.get("TESTBED_HUB_HOST", "hub"),
            proxy_api_url=env.get("TESTBED_PROXY_API_URL", PROXY_API_IN_COMPOSE),
            ckan_url=env.get("TESTBED_CKAN_URL", CKAN_IN_COMPOSE),
            singleuser_image=env["TESTBED_SINGLEUSER_IMAGE"],
            network=env.get("TESTBED_TRAINEE_NETWORK", ""),
            exchange_volume=env.get("TESTBED_EXCHANGE_VOLUME", ""),
            ckan_public_url=env.get("TESTBED_CKAN_PUBLIC_URL", ""),
        )


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


def _environment(c, cfg: StackConfig, layout: Layout, site: Site, spawner_class: str) -> dict:
    # what the chart set for its spawner (z2jh) over every server's environment; never set by another update_*
    chart = c[spawner_class].environment if spawner_class in c and "environment" in c[spawner_class] else {}
    return {
        **spawner_environment(cfg, layout),
        **chart,
        "LANG": "ja_JP.UTF-8",  # the single-user image generates this locale
        "CKAN_URL": site.ckan_url,
        "TESTBED_UNIX_USER": unix_user(cfg),
        "HOME": TRAINEE_HOME,
    }


def update_hub_network(c, cfg: StackConfig, site: Site) -> None:
    """The hub listens on all interfaces of its container; the proxy is a separate container/pod.

    In place of ``configurer.update_network``; ``update_base`` keeps trainees' servers across a restart of
    the hub container and leaves the proxy to its own container, as on one machine.
    """
    c.JupyterHub.bind_url = f"http://:{cfg.ports.hub}/"
    c.JupyterHub.hub_bind_url = f"http://0.0.0.0:{cfg.ports.hub_api}"
    c.JupyterHub.hub_connect_url = f"http://{site.hub_host}:{cfg.ports.hub_api}"
    c.ConfigurableHTTPProxy.api_url = site.proxy_api_url


def update_ckan_hook(
    c, cfg: StackConfig, layout: Layout, site: Site, ensure_trainee: EnsureTrainee | None = None
) -> None:
    """The spawn hook reaches CKAN by its service name (in place of ``ckan_hook.update_ckan``; none without
    the provisioning function, which the hub's config file passes in)."""
    if ensure_trainee is not None:
        c.Spawner.pre_spawn_hook = ckan_token_hook(ensure_trainee, site.ckan_url, layout)


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


def managed_services(services: list[dict], site: Site, programs: list[dict]) -> list[dict]:
    """The hub's external services that have a program (formgraders, progress boards) become hub-managed.

    ``programs`` are the local stack's supervised programs of those services, exported by the container
    entrypoint (``testbed_cli/container.py``) as ``{name, command, environment, user, directory}``, so a
    container runs exactly what supervisord runs on one machine, started by the hub as the same account.
    """
    by_name = {p["name"]: p for p in programs}
    managed_list = []
    for svc in services:
        prog = by_name.get(svc["name"])
        if prog is None or "url" not in svc:
            managed_list.append(dict(svc))
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
        managed_list.append(managed)
    return managed_list


def update_managed_services(
    c, cfg: StackConfig, layout: Layout, site: Site, programs: list[dict], *, culler: bool
) -> None:
    """The hub's services (those with a program hub-managed), their roles and the course groups.

    In place of ``configurer.update_services``; ``culler=False`` where the Helm chart runs the idle culler.
    """
    services, roles = hub_services(cfg, layout, culler=culler)
    if site.ckan_public_url:  # behind the TLS proxy CKAN's public address is not the stack config's
        callback = site.ckan_public_url.rstrip("/") + names.CKAN_SSO_CALLBACK
        ckan = names.CKAN_SSO_SERVICE
        services = [{**s, "oauth_redirect_uri": callback} if s["name"] == ckan else s for s in services]
    c.JupyterHub.services = managed_services(services, site, programs)
    c.JupyterHub.load_roles = roles
    c.JupyterHub.custom_scopes = CUSTOM_SCOPES  # the scope of the sign-in locks' role (throttle_api.py)
    c.JupyterHub.load_groups = course_groups(cfg, layout)


def update_docker(c, cfg: StackConfig, layout: Layout, site: Site) -> None:
    """docker-compose: DockerSpawner, one container per trainee (in place of ``update_testbed_spawner``)."""
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
    d.environment = _environment(c, cfg, layout, site, "DockerSpawner")
    d.http_timeout = 120
    d.start_timeout = 180


def update_kubernetes(c, cfg: StackConfig, layout: Layout, site: Site) -> None:
    """Zero to JupyterHub: KubeSpawner, one pod per trainee (in place of ``update_testbed_spawner``).

    The chart's own jupyterhub_config.py has already set the hub's address, database, proxy and
    KubeSpawner from the Helm values; only what the chart cannot express is set here.
    """
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    k = c.KubeSpawner
    k.environment = _environment(c, cfg, layout, site, "KubeSpawner")
    k.working_dir = TRAINEE_HOME
    k.notebook_dir = TRAINEE_HOME
    k.uid = 0  # start.sh makes the trainee's account, then drops root
    k.fs_gid = TRAINEE_GID


def docker_updates(
    cfg: StackConfig, site: Site, programs: list[dict], ensure_trainee: EnsureTrainee | None = None
) -> list[Callable]:
    """The update_* functions of the docker-compose hub container, each given all but the Config; any order will do."""
    layout = Layout(cfg)
    return [
        functools.partial(update_base, cfg=cfg, layout=layout),
        functools.partial(update_hub_network, cfg=cfg, site=site),
        functools.partial(update_authenticator, cfg=cfg, layout=layout, is_root=True),
        functools.partial(update_docker, cfg=cfg, layout=layout, site=site),
        functools.partial(update_spawner, cfg=cfg, layout=layout),
        functools.partial(update_managed_services, cfg=cfg, layout=layout, site=site, programs=programs, culler=True),
        functools.partial(update_ckan_hook, cfg=cfg, layout=layout, site=site, ensure_trainee=ensure_trainee),
        functools.partial(update_ckan_sso, cfg=cfg),  # every hub user may authorise CKAN's sign-in client
        functools.partial(update_pages, cfg=cfg),
    ]


def configure_docker(
    c, cfg: StackConfig, site: Site, programs: list[dict], *, ensure_trainee: EnsureTrainee | None = None
) -> None:
    """The whole hub config of the docker-compose hub container (``jupyterhub_config_docker.py``, which passes
    ``ckan_seed.trainees.ensure_trainee`` as ``ensure_trainee``)."""
    for update in docker_updates(cfg, site, programs, ensure_trainee):
        update(c)


def kubernetes_updates(
    cfg: StackConfig, site: Site, programs: list[dict], ensure_trainee: EnsureTrainee | None = None
) -> list[Callable]:
    """The update_* functions of the project's part under Zero to JupyterHub; any order will do.

    No ``update_base`` / ``update_hub_network``: the chart owns the hub's address, database, cookie secret
    and proxy; and no idle culler service: the chart runs jupyterhub-idle-culler itself (Helm values
    cull.*, rendered from remote.idle_timeout_minutes).
    """
    layout = Layout(cfg)
    return [
        functools.partial(update_authenticator, cfg=cfg, layout=layout, is_root=True),
        functools.partial(update_kubernetes, cfg=cfg, layout=layout, site=site),
        functools.partial(update_spawner, cfg=cfg, layout=layout),
        functools.partial(update_managed_services, cfg=cfg, layout=layout, site=site, programs=programs, culler=False),
        functools.partial(update_ckan_hook, cfg=cfg, layout=layout, site=site, ensure_trainee=ensure_trainee),
        functools.partial(update_pages, cfg=cfg),
    ]


def configure_kubernetes(
    c, cfg: StackConfig, site: Site, programs: list[dict], *, ensure_trainee: EnsureTrainee | None = None
) -> None:
    """The project's part of the hub config under Zero to JupyterHub (called from ``hub.extraConfig``, which
    passes ``ckan_seed.trainees.ensure_trainee`` as ``ensure_trainee``)."""
    for update in kubernetes_updates(cfg, site, programs, ensure_trainee):
        update(c)

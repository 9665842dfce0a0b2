"""Names and paths of the container deployments (docker-compose, Kubernetes), shared by the hub's container
config (hub_config/containers.py) and the renderers (deploy/)."""

from __future__ import annotations

from testbed_config import StackConfig

TRAINEE_HOME = "/home/trainee"
STATE_DIR = "/var/lib/testbed"  # in every container: the exchange path is baked into the single-user image
PREFIX = "/opt/testbed"
# the ports inside the containers (what the compose file and the chart publish is the operator's choice)
CONTAINER_PORTS = {"hub": 8000, "ckan": 5000, "hub_api": 8081, "proxy_api": 8001}
TRAINEE_UID = 1000
TRAINEE_GID = 100


def container_stack(cfg: StackConfig, *, public_host: str) -> StackConfig:
    """The stack config as the hub container sees it: container paths and in-container ports.

    Only what the operator set is carried over (defaults fill the rest), so settings of one ``sso.type``
    are not checked against another's requirements."""
    data = cfg.model_dump(mode="json", exclude_unset=True)
    data.update(state_dir=STATE_DIR, prefix=PREFIX, bind_address="0.0.0.0", public_host=public_host)
    data["ports"] = {**cfg.ports.model_dump(mode="json"), **CONTAINER_PORTS}
    return StackConfig.model_validate(data)


# where the hub container finds the other services by default (service names of docker-compose.yml)
CKAN_IN_COMPOSE = f"http://ckan:{CONTAINER_PORTS['ckan']}"
PROXY_API_IN_COMPOSE = f"http://proxy:{CONTAINER_PORTS['proxy_api']}"

"""Values for the Zero to JupyterHub Helm chart, rendered from the one stack config.

Same product as the other two ways to run it: the hub image is the project's ``testbed-hub``
(docker/hub/Dockerfile, with KubeSpawner), the trainees' image is ``testbed-singleuser`` (the same
environment as hub.txt), and ``hub.extraConfig`` calls ``hub_config.containers.configure_kubernetes``
with the stack config mounted from ``hub.extraFiles``. Idle culling is the chart's (``cull.*``, from
``remote.idle_timeout_minutes``; off in on-site mode). The nbgrader exchange is a ReadWriteMany
PersistentVolumeClaim mounted into the hub and every trainee at the path the single-user image expects.
What the operator creates beside the chart (Secret, PVCs, CKAN) is in docs/kubernetes.md.
"""

from __future__ import annotations

import yaml

from deploy.chart_keys import CHART_VERSION
from testbed_config import StackConfig
from testbed_config.containers import CONTAINER_PORTS, STATE_DIR, TRAINEE_GID, TRAINEE_HOME, container_stack
from testbed_config.japan_time import ZONE_NAME
from testbed_config.names import service_ports

SECRET_NAME = "testbed-secrets"  # kubectl create secret generic testbed-secrets --from-file=... (docs)
STATE_CLAIM = "testbed-hub-state"
EXCHANGE_CLAIM = "testbed-exchange"
CKAN_SERVICE = "ckan"  # the CKAN Service beside the chart (docs/kubernetes.md)
CKAN_URL = f"http://{CKAN_SERVICE}:{CONTAINER_PORTS['ckan']}"
STACK_PATH = "/etc/testbed/testbed.yaml"
SECRETS_MOUNT = "/etc/testbed/secrets"
HUB_PYTHON = "/opt/testbed/venvs/hub/bin/python"

EXTRA_CONFIG = """\
import os
from ckan_seed import trainees as testbed_trainees
from hub_config.containers import Site, configure_kubernetes, load_programs, programs_file
from testbed_config import load_config
from testbed_config.layout import Layout

testbed_cfg = load_config(os.environ["TESTBED_STACK"])
testbed_programs = load_programs(programs_file(Layout(testbed_cfg)))
configure_kubernetes(
    c,
    testbed_cfg,
    Site.from_env(dict(os.environ)),
    testbed_programs,
    ensure_trainee=testbed_trainees.ensure_trainee,  # the spawn hook's CKAN provisioning, wired here
)
"""


def _image(cfg: StackConfig, name: str) -> dict:
    reg = cfg.deploy.image_registry.strip().rstrip("/")
    return {"name": f"{reg}/{name}" if reg else name, "tag": cfg.deploy.image_tag}


def render_values(cfg: StackConfig) -> dict:
    """The chart values (a dict; ``render_yaml`` for the file)."""
    host = cfg.public_host or "testbed.example.lg.jp"
    stack = container_stack(cfg, public_host=host)
    exchange = str(stack.state_dir / "exchange")
    single = _image(cfg, "testbed-singleuser")
    d = cfg.deploy
    ports = service_ports(cfg)
    remote = cfg.mode == "remote"
    timeout = cfg.remote.idle_timeout_minutes * 60
    return {
        "hub": {
            "image": _image(cfg, "testbed-hub"),
            # prepare the state like ./testbed up (testbed_cli/container.py), then the chart's own start
            "command": [HUB_PYTHON, "-m", "testbed_cli.container", "hub", "--"],
            "args": ["jupyterhub", "--config", "/usr/local/etc/jupyterhub/jupyterhub_config.py", "--upgrade-db"],
            # root in the hub pod, as on one machine: grader accounts own the courses, services drop to them
            "containerSecurityContext": {"runAsUser": 0, "runAsGroup": 0},
            "extraEnv": {
                "TESTBED_STACK": STACK_PATH,
                "TESTBED_SINGLEUSER_IMAGE": f"{single['name']}:{single['tag']}",
                "TESTBED_HUB_HOST": "hub",
                "TESTBED_PROXY_API_URL": f"http://proxy-api:{CONTAINER_PORTS['proxy_api']}",
                "TESTBED_CKAN_URL": CKAN_URL,
                "TESTBED_IMPORT_FROM": SECRETS_MOUNT,
                "PYTHONUNBUFFERED": "1",
            },
            "extraFiles": {
                "testbed-stack": {
                    "mountPath": STACK_PATH,
                    "stringData": yaml.safe_dump(stack.model_dump(mode="json"), allow_unicode=True, sort_keys=False),
                },
            },
            "extraVolumes": [
                {"name": "testbed-secrets", "secret": {"secretName": SECRET_NAME}},
                {"name": "testbed-state", "persistentVolumeClaim": {"claimName": STATE_CLAIM}},
                {"name": "testbed-exchange", "persistentVolumeClaim": {"claimName": EXCHANGE_CLAIM}},
            ],
            "extraVolumeMounts": [
                {"name": "testbed-secrets", "mountPath": SECRETS_MOUNT, "readOnly": True},
                {"name": "testbed-state", "mountPath": str(STATE_DIR)},
                {"name": "testbed-exchange", "mountPath": exchange},
            ],
            "extraConfig": {"10-testbed.py": EXTRA_CONFIG},
            # the proxy reaches the formgraders and progress boards in the hub pod
            "service": {
                "extraPorts": [{"name": f"testbed-{p}", "port": p, "targetPort": p} for p in ports],
            },
            "networkPolicy": {
                "ingress": [
                    {
                        "ports": [{"port": p} for p in ports],
                        "from": [{"podSelector": {"matchLabels": {"hub.jupyter.org/network-access-hub": "true"}}}],
                    }
                ],
            },
        },
        "singleuser": {
            "image": single,
            "cmd": ["/opt/testbed/venvs/hub/bin/jupyterhub-singleuser"],
            "defaultUrl": "/lab",
            "startTimeout": 180,
            "uid": 0,  # start-singleuser.sh makes the trainee's account and drops to uid 1000
            "fsGid": TRAINEE_GID,
            "memory": {
                "limit": f"{d.trainee_memory_limit_mib}M",
                "guarantee": f"{d.trainee_memory_guarantee_mib}M",
            },
            "cpu": {"limit": d.trainee_cpu_limit, "guarantee": d.trainee_cpu_guarantee},
            "extraEnv": {"CKAN_URL": CKAN_URL, "TZ": ZONE_NAME, "LANG": "ja_JP.UTF-8"},
            "storage": {
                "type": "dynamic",
                "capacity": f"{d.k8s_home_capacity_gib}Gi",
                "homeMountPath": TRAINEE_HOME,
                "extraVolumes": [{"name": "testbed-exchange", "persistentVolumeClaim": {"claimName": EXCHANGE_CLAIM}}],
                "extraVolumeMounts": [{"name": "testbed-exchange", "mountPath": exchange}],
            },
            # trainees reach CKAN inside the cluster, nothing else private
            "networkPolicy": {
                "egress": [
                    {
                        "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "testbed-ckan"}}}],
                        "ports": [{"port": CONTAINER_PORTS["ckan"], "protocol": "TCP"}],
                    }
                ],
            },
        },
        "cull": {
            "enabled": remote,
            "timeout": timeout,
            "every": min(300, max(60, timeout // 10)),
            "concurrency": 10,
        },
        "proxy": {"service": {"type": "ClusterIP"}},
        "ingress": {
            "enabled": True,
            "hosts": [host],
            "tls": [{"hosts": [host], "secretName": "testbed-tls"}],
        },
        "prePuller": {"continuous": {"enabled": True}},
        "debug": {"enabled": False},
    }


def render_yaml(cfg: StackConfig) -> str:
    header = (
        f"# Zero to JupyterHub values (chart {CHART_VERSION}), generated by ./testbed deploy helm from the stack\n"
        "# config. Do not edit: change testbed.yaml and render again. Install: docs/kubernetes.md\n"
    )
    return header + yaml.safe_dump(render_values(cfg), allow_unicode=True, sort_keys=False)

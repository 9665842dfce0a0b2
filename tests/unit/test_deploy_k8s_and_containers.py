"""Container hub config (DockerSpawner, KubeSpawner) on a bare traitlets Config, and the Helm values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from traitlets.config import Config

from ckan_seed.trainees import ensure_trainee
from deploy.chart_keys import check_values
from deploy.helm_values import render_values, render_yaml
from hub_config import containers
from testbed_cli import container
from testbed_config import StackConfig
from testbed_config.containers import container_stack
from testbed_config.layout import Layout

pytestmark = pytest.mark.unit

SITE = containers.Site(
    hub_host="hub",
    proxy_api_url="http://proxy:8001",
    ckan_url="http://ckan:5000",
    singleuser_image="testbed-singleuser:0.1.0",
    network="testbed-trainees",
    exchange_volume="testbed-exchange",
)


@pytest.fixture
def cfg(tmp_path) -> StackConfig:
    stack = container_stack(
        StackConfig.model_validate({"mode": "remote", "state_dir": str(tmp_path), "prefix": str(tmp_path / "p")}),
        public_host="h.example",
    )
    # the container paths are fixed; secrets are read from the test's own state directory
    stack = StackConfig.model_validate({**stack.model_dump(mode="json"), "state_dir": str(tmp_path)})
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name in [
        "proxy-auth-token",
        "hub-admin-token",
        "hub-cookie-secret",
        "formgrader-odtb-token",
        "progress-odtb-token",
    ]:
        (secrets / name).write_text("x\n")
    return stack


PROGRAMS = [
    {
        "name": "formgrader-odtb",
        "command": ["/opt/testbed/venvs/hub/bin/jupyterhub-singleuser", "--ip=0.0.0.0"],
        "environment": {"HOME": "/h", "JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api", "JUPYTERHUB_USER": "g"},
        "user": "grader-odtb",
        "directory": "/h",
    },
    {
        "name": "progress-odtb",
        "command": ["python", "-m", "classroom.app", "--port=9101", "--address=0.0.0.0"],
        "environment": {"TESTBED_CERTIFICATE_KEY": "k"},
        "user": "grader-odtb",
        "directory": "/h",
    },
]


def test_docker_hub_spawns_trainee_containers_with_the_local_settings(cfg):
    """Does the compose hub keep the local product (auth, roles, CKAN env) and spawn with DockerSpawner?"""
    c = Config()
    containers.configure_docker(c, cfg, SITE, PROGRAMS, ensure_trainee=ensure_trainee)
    assert c.JupyterHub.spawner_class == "dockerspawner.DockerSpawner"
    assert c.JupyterHub.authenticator_class.endswith("TestbedNativeAuthenticator")  # remote mode as on one machine
    assert c.DockerSpawner.image == "testbed-singleuser:0.1.0"
    assert c.DockerSpawner.network_name == "testbed-trainees"
    assert c.DockerSpawner.volumes["testbed-exchange"] == str(Layout(cfg).exchange)
    assert c.DockerSpawner.mem_limit == "1024M"
    env = c.DockerSpawner.environment
    assert env["CKAN_URL"] == "http://ckan:5000" and env["TZ"] == "Asia/Tokyo"
    assert callable(env["TESTBED_UNIX_USER"])
    assert c.Spawner.pre_spawn_hook.keywords["ckan_url"] == "http://ckan:5000"
    assert c.Spawner.pre_spawn_hook.keywords["ensure_trainee"] is ensure_trainee
    assert c.ConfigurableHTTPProxy.api_url == "http://proxy:8001"
    assert c.JupyterHub.hub_connect_url == "http://hub:8081"


def test_trainee_account_name_matches_the_local_stack(cfg):
    """Is the trainee's account in the container jupyter-NAME, the student id nbgrader records locally?"""

    class User:
        name = "tanaka"

    class Spawner:
        user = User()

    assert containers.unix_user(cfg)(Spawner()) == "jupyter-tanaka"


def test_services_become_hub_managed_and_listen_for_the_proxy(cfg):
    c = Config()
    containers.configure_docker(c, cfg, SITE, PROGRAMS)
    svc = {s["name"]: s for s in c.JupyterHub.services}
    fg, pg = svc["formgrader-odtb"], svc["progress-odtb"]
    assert fg["url"] == "http://hub:9100" and fg["user"] == "grader-odtb"
    assert "--ip=0.0.0.0" in fg["command"]
    assert "JUPYTERHUB_API_URL" not in fg["environment"] and fg["environment"]["JUPYTERHUB_USER"] == "g"
    assert "--address=0.0.0.0" in pg["command"]
    assert pg["environment"]["TESTBED_CERTIFICATE_KEY"] == "k"
    assert "idle-culler" in svc  # compose keeps the hub-managed culler of remote mode


def test_kubernetes_leaves_the_chart_settings_alone(cfg):
    """Under z2jh, does the project's part keep the chart's address, database and proxy, and its culler?"""
    c = Config()
    c.JupyterHub.db_url = "sqlite:///chart.sqlite"
    c.KubeSpawner.environment = {"FROM_CHART": "1"}
    containers.configure_kubernetes(c, cfg, SITE, PROGRAMS)
    assert c.JupyterHub.db_url == "sqlite:///chart.sqlite"
    assert "api_url" not in c.ConfigurableHTTPProxy
    assert c.JupyterHub.spawner_class == "kubespawner.KubeSpawner"
    assert c.KubeSpawner.environment["FROM_CHART"] == "1" and c.KubeSpawner.environment["CKAN_URL"] == SITE.ckan_url
    assert c.KubeSpawner.uid == 0
    assert "idle-culler" not in {s["name"] for s in c.JupyterHub.services}  # the chart's cull.* does it


def test_helm_values_have_the_keys_the_chart_expects():
    values = render_values(StackConfig())
    assert check_values(values) == []
    assert values["singleuser"]["image"]["name"] == "testbed-singleuser"
    assert values["hub"]["image"]["name"] == "testbed-hub"
    mounts = values["singleuser"]["storage"]["extraVolumeMounts"]
    assert mounts[0]["mountPath"] == "/var/lib/testbed/exchange"
    assert values["cull"]["enabled"] is False  # on-site mode never stops idle servers


def test_helm_values_follow_the_stack_config():
    cfg = StackConfig.model_validate(
        {
            "mode": "remote",
            "public_host": "hub.pref.example.lg.jp",
            "remote": {"idle_timeout_minutes": 30},
            "deploy": {"image_registry": "reg.example/testbed", "image_tag": "2.0.1", "trainee_memory_limit_mib": 2048},
            "courses": [{"id": "odtb"}, {"id": "kiso"}],
        }
    )
    values = yaml.safe_load(render_yaml(cfg))
    assert values["cull"] == {"enabled": True, "timeout": 1800, "every": 180, "concurrency": 10}
    assert values["singleuser"]["image"] == {"name": "reg.example/testbed/testbed-singleuser", "tag": "2.0.1"}
    assert values["singleuser"]["memory"]["limit"] == "2048M"
    assert values["ingress"]["hosts"] == ["hub.pref.example.lg.jp"]
    assert len(values["hub"]["service"]["extraPorts"]) == 4  # formgrader + progress board per course
    inner = yaml.safe_load(values["hub"]["extraFiles"]["testbed-stack"]["stringData"])
    assert [c["id"] for c in inner["courses"]] == ["odtb", "kiso"]
    assert check_values(values) == []


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda v: v["singleuser"].update(extraVolumes=[]), "singleuser.extraVolumes: not a key"),
        (lambda v: v.update(singleUser={}), "singleUser: not a key"),
        (lambda v: v["singleuser"]["image"].pop("tag"), "singleuser.image.tag: required"),
        (lambda v: v["cull"].update(timeout="60"), "cull.timeout: must be an integer"),
        (lambda v: v["hub"]["extraFiles"]["testbed-stack"].pop("stringData"), "needs mountPath"),
        (lambda v: v["singleuser"]["storage"].pop("homeMountPath"), "homeMountPath: required"),
    ],
)
def test_the_values_check_can_fail(change, needle):
    values = render_values(StackConfig())
    change(values)
    assert any(needle in p for p in check_values(values)), check_values(values)


def test_deploy_helm_command_prints_values(tmp_path):
    from testbed_cli.cli import main

    config = tmp_path / "testbed.yaml"
    config.write_text("mode: remote\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "deploy", "helm"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.output)["cull"]["enabled"] is True


def test_container_entrypoint_imports_provided_secrets(tmp_path):
    """Are secrets from the compose environment and from mounted folders written where the hub reads them?"""
    token_dir = tmp_path / "ckan-token"
    token_dir.mkdir()
    (token_dir / "ckan-admin-token").write_text("ckantoken\n")
    layout = Layout(StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "p"))
    env = {"TESTBED_PROXY_AUTH_TOKEN": "p", "TESTBED_HUB_ADMIN_TOKEN": "", "TESTBED_IMPORT_FROM": str(token_dir)}
    assert container.import_secrets(layout, env) == ["ckan-admin-token", "proxy-auth-token"]
    assert (layout.secrets / "ckan-admin-token").read_text().strip() == "ckantoken"
    assert (layout.secrets / "proxy-auth-token").stat().st_mode & 0o077 == 0


def test_course_config_points_grading_at_ckans_service_name(tmp_path):
    layout = Layout(StackConfig(state_dir=tmp_path, prefix=tmp_path / "p"))
    path = layout.course_home("odtb") / ".jupyter" / "nbgrader_config.py"
    path.parent.mkdir(parents=True)
    path.write_text("c = get_config()\nc.SandboxedExecute.ckan_url = 'http://127.0.0.1:5000'\n")
    container.point_grading_at_ckan(layout, "http://ckan:5000")
    assert "c.SandboxedExecute.ckan_url = 'http://ckan:5000'" in path.read_text()


def test_programs_file_round_trip(tmp_path):
    layout = Layout(StackConfig(state_dir=tmp_path, prefix=tmp_path / "p"))
    layout.run.mkdir(parents=True)
    containers.programs_file(layout).write_text(json.dumps(PROGRAMS))
    assert containers.load_programs(containers.programs_file(layout)) == PROGRAMS
    assert containers.load_programs(tmp_path / "none.json") == []


def test_does_a_container_deployment_with_single_sign_on_render(tmp_path):
    """With sso.type set, does the container stack config render (the defaults of the other SSO type were
    once carried over and refused)?"""
    secret = tmp_path / "sso-client-secret"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    secret.chmod(0o600)
    sso = {
        "type": "oauth",
        "authorize_url": "https://idp.city.example.jp/auth",
        "token_url": "https://idp.city.example.jp/token",
        "userdata_url": "https://idp.city.example.jp/userinfo",
        "client_id": "odtb-hub",
        "client_secret_file": str(secret),
    }
    inside = container_stack(StackConfig(mode="remote", sso=sso), public_host="h.example")
    assert inside.sso.type == "oauth" and inside.state_dir == Path("/var/lib/testbed")
    assert inside.ports.hub == 8000 and inside.public_host == "h.example"

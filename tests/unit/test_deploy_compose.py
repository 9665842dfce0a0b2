"""The docker-compose deployment, statically: the committed compose file against the compose-spec
schema and the project's rules, the checker against bad examples, and ``./testbed deploy compose``."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from deploy import compose as deploy_compose
from deploy import compose_check as deploy_check
from testbed_config import StackConfig, names
from testbed_config.containers import CONTAINER_PORTS
from testbed_config.names import CKAN_PLUGINS

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "tests" / "data" / "compose-spec.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return deploy_check.load(REPO / "docker-compose.yml")


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return deploy_compose.parse_env((REPO / ".env.example").read_text(encoding="utf-8"))


def rules(doc, env):
    return deploy_check.problems(doc, root=REPO, env_example=env)


def test_compose_file_is_valid_by_the_compose_spec(compose):
    """Does docker-compose.yml pass the official compose-spec JSON schema?"""
    assert deploy_check.schema_errors(compose, SCHEMA) == []


def test_compose_file_keeps_every_rule(compose, env_example):
    """Healthchecks, health-gated dependencies, internal databases, no literal secret, pinned images, builds."""
    assert rules(compose, env_example) == []


def test_the_schema_check_can_fail(compose):
    """Is a misspelt service key refused by the schema?"""
    bad = copy.deepcopy(compose)
    bad["services"]["db"]["healthchek"] = bad["services"]["db"].pop("healthcheck")
    assert any("healthchek" in e for e in deploy_check.schema_errors(bad, SCHEMA))


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda d: d["services"]["redis"].pop("healthcheck"), "redis: no healthcheck"),
        (
            lambda d: d["services"]["ckan"]["depends_on"]["db"].update(condition="service_started"),
            "not service_healthy",
        ),
        (lambda d: d["services"]["hub"].update(depends_on=["ckan"]), "without conditions"),
        (lambda d: d["services"]["db"].update(networks=["frontend"]), "not internal"),
        (lambda d: d["services"]["db"].update(ports=["5432:5432"]), "publishes ports"),
        (lambda d: d["services"]["db"]["environment"].update(POSTGRES_PASSWORD="hunter2"), "literal"),
        (
            lambda d: d["services"]["ckan"]["environment"].update(CKAN_SQLALCHEMY_URL="postgresql://ckan:pw@db/ckan"),
            "literal password in a URL",
        ),
        (lambda d: d["services"]["redis"].update(image="redis"), "has no tag"),
        (lambda d: d["services"]["redis"].update(image="redis:latest"), "not a version"),
        (lambda d: d["services"]["hub"]["build"].update(dockerfile="docker/hub/Nope"), "does not exist"),
        (lambda d: d["services"]["ckan"]["build"].update(context="no-such-dir"), "does not exist"),
        (lambda d: d["services"]["tls"]["volumes"].append("./docker/nope:/x:ro"), "bind-mount source"),
        (lambda d: d["services"]["hub"]["volumes"].append("undeclared:/x"), "not declared"),
        (lambda d: d["services"]["db"]["environment"].update(X="${NOT_IN_EXAMPLE}"), "NOT_IN_EXAMPLE"),
    ],
)
def test_the_rules_catch_a_bad_compose_file(compose, env_example, change, needle):
    """Does each rule fail on a compose file that breaks it (so the passing test means something)?"""
    bad = copy.deepcopy(compose)
    change(bad)
    assert any(needle in p for p in rules(bad, env_example)), rules(bad, env_example)


def test_env_example_must_not_hold_real_secrets(compose, env_example):
    """Is a secret with a value in .env.example refused?"""
    assert any("must be CHANGE_ME" in p for p in rules(compose, {**env_example, "REDIS_PASSWORD": "s3cret"}))


def test_image_tag_from_env_example_is_checked(compose, env_example):
    """Is a project image whose version variable says 'latest' refused?"""
    assert any("not a version" in p for p in rules(compose, {**env_example, "TESTBED_VERSION": "latest"}))


def test_every_secret_of_the_deploy_command_is_in_env_example(env_example):
    assert set(deploy_compose.SECRETS) <= set(env_example)
    assert set(deploy_compose.settings(StackConfig())) <= set(env_example)


def test_env_renders_settings_from_the_stack_config():
    """Do ports, host, title, TLS, search backend and image tag of the config reach .env?"""
    cfg = StackConfig.model_validate(
        {
            "public_host": "odtb.pref.example.lg.jp",
            "ports": {"hub": 443, "ckan": 8443},
            "ckan_site_title": "県研修カタログ",
            "deploy": {
                "search": "solr",
                "tls_email": "ops@pref.example.lg.jp",
                "image_tag": "1.2.0",
                "image_registry": "registry.example.lg.jp/testbed/",
            },
        }
    )
    env = deploy_compose.parse_env(deploy_compose.render_env(cfg))
    assert env["TESTBED_PUBLIC_HOST"] == "odtb.pref.example.lg.jp"
    assert env["TESTBED_HUB_PORT"] == "443"
    assert env["CKAN_SITE_URL"] == "https://odtb.pref.example.lg.jp:8443"
    assert env["TESTBED_CKAN_SITE_TITLE"] == "県研修カタログ"
    assert env["TESTBED_TLS"] == "ops@pref.example.lg.jp"
    assert env["COMPOSE_PROFILES"] == "solr"
    assert "testbed " not in env["TESTBED_CKAN_PLUGINS"] + " " and "testbed_loader" in env["TESTBED_CKAN_PLUGINS"]
    assert env["TESTBED_IMAGE_PREFIX"] == "registry.example.lg.jp/testbed/"
    assert env["TESTBED_VERSION"] == "1.2.0"


def test_postgres_search_keeps_the_testbed_plugin():
    env = deploy_compose.parse_env(deploy_compose.render_env(StackConfig()))
    # every plugin of one machine, ``testbed`` and the hub sign-in included, in the same order
    assert env["TESTBED_CKAN_PLUGINS"].split() == CKAN_PLUGINS
    assert "testbed" in CKAN_PLUGINS
    assert env["COMPOSE_PROFILES"] == ""
    assert env["TESTBED_TLS"] == "internal"


def test_secrets_are_generated_once_and_kept():
    """Are missing or CHANGE_ME secrets generated, and existing ones kept on the next run?"""
    first = deploy_compose.parse_env(deploy_compose.render_env(StackConfig(), {"REDIS_PASSWORD": "CHANGE_ME"}))
    assert all(first[name] and first[name] != "CHANGE_ME" for name in deploy_compose.SECRETS)
    again = deploy_compose.parse_env(deploy_compose.render_env(StackConfig(), first))
    assert {k: again[k] for k in deploy_compose.SECRETS} == {k: first[k] for k in deploy_compose.SECRETS}


def test_hub_stack_config_uses_container_paths_and_ports():
    cfg = StackConfig.model_validate({"mode": "remote", "ports": {"hub": 443}, "public_host": "h.example"})
    inner = yaml.safe_load(deploy_compose.render_stack(cfg))
    assert inner["state_dir"] == "/var/lib/testbed" and inner["prefix"] == "/opt/testbed"
    assert inner["ports"]["hub"] == 8000 and inner["ports"]["ckan"] == 5000
    assert inner["mode"] == "remote"
    StackConfig.model_validate(inner)


def test_deploy_compose_command_writes_both_files(tmp_path):
    """Does ./testbed deploy compose write .env (private) and testbed.compose.yaml from --config?"""
    from testbed_cli.cli import main

    config = tmp_path / "testbed.yaml"
    config.write_text("public_host: classroom.example\nadmins: [sensei]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "deploy", "compose", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    env = (tmp_path / ".env").read_text(encoding="utf-8")
    assert "TESTBED_PUBLIC_HOST=classroom.example" in env
    assert (tmp_path / ".env").stat().st_mode & 0o077 == 0
    inner = yaml.safe_load((tmp_path / "testbed.compose.yaml").read_text(encoding="utf-8"))
    assert inner["admins"] == ["sensei"]


def test_ckan_image_takes_the_fixed_options_of_the_local_template():
    """Does the CKAN image get the local template's fixed options (one source), and none with placeholders?"""
    import importlib.util

    spec = importlib.util.spec_from_file_location("ini_options", REPO / "docker" / "ckan" / "ini_options.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    opts = mod.fixed_options((REPO / "testbed_cli" / "templates" / "ckan.ini").read_text(encoding="utf-8"))
    assert opts["ckan.locale_default"] == "ja"
    assert opts["ckan.auth.create_user_via_web"] == "false"
    assert not any("{" in v for v in opts.values())
    assert "sqlalchemy.url" not in opts and "solr_url" not in opts


def test_ckan_start_script_settings_and_datastore_sql():
    import importlib.util

    spec = importlib.util.spec_from_file_location("testbed_start", REPO / "docker" / "ckan" / "testbed_start.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    env = {
        "CKAN_SECRET_KEY": "k",
        "CKAN_SITE_URL": "https://h:5000",
        "CKAN_SQLALCHEMY_URL": "postgresql://a",
        "CKAN_DATASTORE_WRITE_URL": "postgresql://b",
        "CKAN_DATASTORE_READ_URL": "postgresql://c",
        "CKAN_REDIS_URL": "redis://r",
        "TESTBED_CKAN_PLUGINS": "activity testbed",
    }
    s = mod.ini_settings(env)
    assert s["api_token.jwt.encode.secret"] == "string:k" and s["ckan.plugins"] == "activity testbed"
    assert mod.datastore_sql('\\connect "ckan_datastore"\nGRANT x;\n').strip() == "GRANT x;"


def _ckan_start():
    import importlib.util

    spec = importlib.util.spec_from_file_location("testbed_start", REPO / "docker" / "ckan" / "testbed_start.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_is_the_hub_sign_in_wired_through_compose_as_on_one_machine(compose):
    """Do the compose CKAN and hub get the sign-in plugins, the same client id, callback and secret, with CKAN's
    server calls going to the hub inside the network and the browser to the hub's public address?"""
    cfg = StackConfig.model_validate({"public_host": "odtb.example.lg.jp", "ports": {"hub": 443, "ckan": 8443}})
    env = deploy_compose.parse_env(deploy_compose.render_env(cfg))
    assert {"testbed_sso", "oidc_pkce"} <= set(env["TESTBED_CKAN_PLUGINS"].split())
    assert env["TESTBED_HUB_PUBLIC_URL"] == "https://odtb.example.lg.jp:443"
    ckan_env, hub_env = compose["services"]["ckan"]["environment"], compose["services"]["hub"]["environment"]
    for key in ("TESTBED_HUB_PUBLIC_URL", "TESTBED_CKAN_SSO_CLIENT_ID", "TESTBED_CKAN_SSO_CALLBACK"):
        assert ckan_env[key] == f"${{{key}}}"
    assert ckan_env["TESTBED_CKAN_SSO_SECRET"] == hub_env["TESTBED_CKAN_SSO_SECRET"] == "${TESTBED_CKAN_SSO_SECRET}"
    assert hub_env["TESTBED_CKAN_PUBLIC_URL"] == "${CKAN_SITE_URL}"
    assert ckan_env["TESTBED_HUB_INTERNAL_URL"] == f"http://hub:{CONTAINER_PORTS['hub_api']}"
    # what the CKAN container writes into its ckan.ini: the local template's placeholders of the sign-in
    settings = _ckan_start().ini_settings(
        {
            "CKAN_SECRET_KEY": "k",
            "CKAN_SITE_URL": env["CKAN_SITE_URL"],
            "CKAN_SQLALCHEMY_URL": "postgresql://a",
            "CKAN_DATASTORE_WRITE_URL": "postgresql://b",
            "CKAN_DATASTORE_READ_URL": "postgresql://c",
            "CKAN_REDIS_URL": "redis://r",
            "TESTBED_CKAN_SSO_SECRET": "oauth-secret",
            "TESTBED_HUB_INTERNAL_URL": ckan_env["TESTBED_HUB_INTERNAL_URL"],
            **{k: env[k] for k in ("TESTBED_CKAN_PLUGINS", "TESTBED_HUB_PUBLIC_URL", "TESTBED_CKAN_SSO_CLIENT_ID")},
            "TESTBED_CKAN_SSO_CALLBACK": env["TESTBED_CKAN_SSO_CALLBACK"],
        }
    )
    template = (REPO / "testbed_cli" / "templates" / "ckan.ini").read_text(encoding="utf-8")
    placeholders = {ln.split("=")[0].strip() for ln in template.splitlines() if "{hub_base}" in ln or "{sso_" in ln}
    assert placeholders and placeholders <= set(settings)
    assert settings["ckanext.oidc_pkce.base_url"] == "https://odtb.example.lg.jp:443"
    assert settings["ckanext.oidc_pkce.client_id"] == names.CKAN_SSO_CLIENT_ID
    assert settings["ckanext.oidc_pkce.redirect_path"] == names.CKAN_SSO_CALLBACK
    assert settings["ckanext.oidc_pkce.client_secret"] == "oauth-secret"
    assert settings["ckanext.testbed.sso.hub_internal_url"] == "http://hub:8081"


def test_does_the_ckan_image_install_the_local_pins_of_ckans_venv():
    """Does docker/ckan/Dockerfile install testbed_cli/requirements/ckan.txt (ckanext-oidc-pkce, pykakasi)?"""
    dockerfile = (REPO / "docker" / "ckan" / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY testbed_cli/requirements/ckan.txt" in dockerfile and "pip3 install --no-cache-dir -r" in dockerfile
    pins = (REPO / "testbed_cli" / "requirements" / "ckan.txt").read_text(encoding="utf-8")
    assert "ckanext-oidc-pkce==" in pins and "pykakasi==" in pins


def test_does_the_compose_hub_register_ckans_client_with_the_public_callback(tmp_path):
    """Is the hub's service "ckan" sent back to CKAN's public address (behind the TLS proxy), with the secret
    the compose .env gave the hub container?"""
    from traitlets.config import Config

    from hub_config import containers
    from testbed_cli import container

    cfg = StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt")
    layout = container.Layout(cfg)
    layout.secrets.mkdir(parents=True)
    for other in (names.HUB_ADMIN_TOKEN, names.service_token("formgrader-odtb"), names.service_token("progress-odtb")):
        (layout.secrets / other).write_text("x" * 40)
    assert container.import_secrets(layout, {"TESTBED_CKAN_SSO_SECRET": "oauth-secret"}) == [names.CKAN_SSO_SECRET]
    site = containers.Site.from_env(
        {"TESTBED_SINGLEUSER_IMAGE": "x", "TESTBED_CKAN_PUBLIC_URL": "https://odtb.example.lg.jp:8443"}
    )
    c = Config()
    containers.update_managed_services(c, cfg, layout, site, [], culler=False)
    (ckan,) = [s for s in c.JupyterHub.services if s["name"] == names.CKAN_SSO_SERVICE]
    assert ckan["oauth_redirect_uri"] == "https://odtb.example.lg.jp:8443" + names.CKAN_SSO_CALLBACK
    assert ckan["api_token"] == "oauth-secret"


def test_are_only_the_hubs_public_addresses_moved_to_its_internal_one():
    """Does CKAN's server call the hub inside the network for the hub's own URLs, and leave others alone?"""
    from ckanext.testbed.sso.hub import server_side_url

    public, internal = "https://odtb.example.lg.jp:443", "http://hub:8081"
    token = public + "/hub/api/oauth2/token"
    assert server_side_url(token, public, internal) == "http://hub:8081/hub/api/oauth2/token"
    assert server_side_url(token, public, "") == token  # one machine: no internal address
    assert server_side_url("https://odtb.example.lg.jp:4430/hub/api/user", public, internal).startswith("https://")

"""The hub's update_* functions only set: any order gives the same Config, and no two set the same value.

Every mode (on-site with root or in demo mode, remote sign-up, remote SSO over OAuth or LTI 1.3) and every
deployment (one machine, docker-compose, Zero to JupyterHub) is checked on a bare traitlets Config.
"""

from __future__ import annotations

import functools
import itertools
import random
from pathlib import Path

import pytest
from traitlets.config import Config

from hub_config import configurer, containers
from hub_config.authenticator import update_authenticator
from testbed_config import StackConfig
from testbed_config.containers import container_stack
from testbed_config.layout import Layout

pytestmark = pytest.mark.unit

SHUFFLES = 100  # 8 functions have 40320 orders: a fixed-seed sample of them, plus the listed order reversed
SEED = 20240611
SECRETS = ("proxy-auth-token", "hub-admin-token", "hub-cookie-secret", "formgrader-odtb-token", "progress-odtb-token")
OAUTH = {
    "type": "oauth",
    "authorize_url": "https://idp.city.example.jp/auth",
    "token_url": "https://idp.city.example.jp/token",
    "userdata_url": "https://idp.city.example.jp/userinfo",
    "client_id": "odtb-hub",
}
LTI13 = {
    "type": "lti13",
    "issuer": "https://lms.city.example.jp",
    "authorize_url": "https://lms.city.example.jp/mod/lti/auth.php",
    "jwks_endpoint": "https://lms.city.example.jp/mod/lti/certs.php",
    "client_id": "Xb4kQ2",
    "public_url": "https://jupyter.city.example.jp",
}
SITE = containers.Site(
    hub_host="hub",
    proxy_api_url="http://proxy:8001",
    ckan_url="http://ckan:5000",
    singleuser_image="testbed-singleuser:0.1.0",
    network="testbed-trainees",
    exchange_volume="testbed-exchange",
)
PROGRAMS = [
    {
        "name": "formgrader-odtb",
        "command": ["/opt/testbed/venvs/hub/bin/jupyterhub-singleuser", "--ip=0.0.0.0"],
        "environment": {"HOME": "/h", "JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api"},
        "user": "grader-odtb",
        "directory": "/h",
    },
]
# (deployment, mode, sso.type, hub runs as root)
CASES = [
    ("local", "onsite", "none", True),
    ("local", "onsite", "none", False),
    ("local", "remote", "none", True),
    ("local", "remote", "none", False),
    ("local", "remote", "oauth", True),
    ("local", "remote", "oauth", False),
    ("local", "remote", "lti13", True),
    ("docker", "onsite", "none", True),
    ("docker", "remote", "none", True),
    ("kubernetes", "remote", "none", True),
]
IDS = [f"{where}-{mode}-{sso}-{'root' if root else 'demo'}" for where, mode, sso, root in CASES]


def ensure_trainee(*args, **kwargs):
    """The spawn hook's CKAN provisioning: bound into the hook at config time, never called then."""
    raise AssertionError("called while building the config")


def plain(value):
    """A Config as comparable data: sections nobody set dropped, sets sorted, callables by name."""
    if isinstance(value, dict):
        items = {str(k): plain(v) for k, v in value.items()}
        return {k: v for k, v in items.items() if not (v == {} and isinstance(value[k], Config))}
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, functools.partial):
        return {"partial": plain(value.func), "args": plain(value.args), "keywords": plain(value.keywords)}
    if callable(value):
        return f"<{value.__module__}.{value.__qualname__}>"
    if isinstance(value, Path):
        return str(value)
    return value


def flat(config: Config) -> dict:
    """``Section.trait`` -> value, for every value set."""
    return {f"{section}.{trait}": v for section, traits in plain(config).items() for trait, v in traits.items()}


def name(update) -> str:
    return update.func.__name__


class Deployment:
    """One case: its update_* functions (each given all but the Config), the whole-config function, the start."""

    def __init__(self, where: str, cfg: StackConfig, is_root: bool):
        self.where, self.cfg, self.is_root = where, cfg, is_root

    def start(self) -> Config:
        c = Config()
        if self.where == "kubernetes":  # what the chart's own jupyterhub_config.py set before the project's part
            c.JupyterHub.db_url = "sqlite:///chart.sqlite"
            c.KubeSpawner.environment = {"FROM_CHART": "1"}
        return c

    def updates(self) -> list:
        if self.where == "local":
            return configurer.local_updates(self.cfg, Layout(self.cfg), self.is_root, ensure_trainee)
        if self.where == "docker":
            return containers.docker_updates(self.cfg, SITE, PROGRAMS, ensure_trainee)
        return containers.kubernetes_updates(self.cfg, SITE, PROGRAMS, ensure_trainee)

    def whole(self) -> Config:
        c = self.start()
        if self.where == "local":
            configurer.update_all(c, self.cfg, is_root=self.is_root, ensure_trainee=ensure_trainee)
        elif self.where == "docker":
            containers.configure_docker(c, self.cfg, SITE, PROGRAMS, ensure_trainee=ensure_trainee)
        else:
            containers.configure_kubernetes(c, self.cfg, SITE, PROGRAMS, ensure_trainee=ensure_trainee)
        return c

    def run(self, updates) -> Config:
        c = self.start()
        for update in updates:
            update(c)
        return c


@pytest.fixture(params=CASES, ids=IDS)
def deployment(request, tmp_path) -> Deployment:
    where, mode, sso_type, is_root = request.param
    state = tmp_path / "state"
    (state / "secrets").mkdir(parents=True)
    for secret in SECRETS:
        (state / "secrets" / secret).write_text("x" * 40)
    secret_file = tmp_path / "sso-client-secret"
    secret_file.write_text("s3cr3t\n", encoding="utf-8")
    secret_file.chmod(0o600)
    sso = {"none": {}, "oauth": {**OAUTH, "client_secret_file": secret_file}, "lti13": LTI13}[sso_type]
    keys = {"mode": mode, "admins": ["instructor", "chief"], **({"sso": sso} if sso else {})}
    if where == "local":
        cfg = StackConfig(state_dir=state, prefix=tmp_path / "opt", **keys)
    else:  # container paths and ports, with the secrets read from the test's own state directory
        inside = container_stack(StackConfig(**keys), public_host="h.example")
        cfg = StackConfig.model_validate({**inside.model_dump(mode="json"), "state_dir": str(state)})
    return Deployment(where, cfg, is_root)


def test_every_order_gives_the_same_config(deployment):
    """Do the update_* functions give the very Config of update_all / configure_* in any order?"""
    expected = plain(deployment.whole())
    updates = deployment.updates()
    rng = random.Random(SEED)
    orders = [list(reversed(updates))] + [rng.sample(updates, len(updates)) for _ in range(SHUFFLES)]
    for order in orders:
        assert plain(deployment.run(order)) == expected, "order: " + ", ".join(name(u) for u in order)


def test_no_two_updates_set_the_same_value(deployment):
    """Does each value of the Config have exactly one update_* that sets it (none appends to another's)?"""
    start = flat(deployment.start())
    sets = {name(u): set(flat(deployment.run([u]))) - set(start) for u in deployment.updates()}
    for (a, keys_a), (b, keys_b) in itertools.combinations(sets.items(), 2):
        assert not keys_a & keys_b, f"{a} and {b} both set {sorted(keys_a & keys_b)}"


def test_each_update_sets_alone_what_it_sets_beside_the_others(deployment):
    """Does an update_* set the same values on a bare Config as after all the others (it reads none of theirs)?"""
    start = flat(deployment.start())
    whole = flat(deployment.whole())
    merged = dict(start)
    for update in deployment.updates():
        alone = flat(deployment.run([update]))
        merged.update({k: v for k, v in alone.items() if start.get(k, object()) != v})
    assert merged == whole


def test_only_update_authenticator_touches_the_authenticator(deployment):
    """Is the authenticator class, its settings and who may sign in set by update_authenticator alone?"""
    start = flat(deployment.start())
    for update in deployment.updates():
        keys = [k for k, v in flat(deployment.run([update])).items() if start.get(k, object()) != v]
        auth = [
            k
            for k in keys
            if k.split(".")[0].endswith(("Authenticator", "LaunchValidator"))
            or k in ("JupyterHub.authenticator_class", "JupyterHub.admin_access", "JupyterHub.tornado_settings")
        ]
        if update.func is update_authenticator:
            assert "JupyterHub.authenticator_class" in auth and "Authenticator.admin_users" in auth
        else:
            assert auth == [], f"{name(update)} sets {auth}"

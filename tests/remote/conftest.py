"""Fixtures of the remote (docker-compose) acceptance tier, all from the environment that
``./testbed test --target compose`` sets (testbed_cli/remote_test.py):

- ``remote``        (session) URLs, the operator's hub token, TLS verification, the stack config in the containers
- ``hub_api``       (session) a function ``(method, path, **kw) -> requests.Response`` for the hub's REST API
- ``ckan_action``   (session) a function ``(action, **params) -> result`` for CKAN's action API (anonymous)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from testbed_config import StackConfig, load_config


@dataclass
class Remote:
    hub_url: str
    ckan_url: str
    hub_token: str
    verify: bool | str
    cfg: StackConfig


@pytest.fixture(scope="session")
def remote() -> Remote:
    if os.environ.get("TESTBED_TARGET") != "compose":
        pytest.skip("only with ./testbed test --target compose (a running docker-compose stack)")
    ca = os.environ.get("TESTBED_REMOTE_CA", "")
    verify: bool | str = ca if ca else os.environ.get("TESTBED_REMOTE_TLS") != "internal"
    if verify is False:
        import urllib3

        urllib3.disable_warnings()
    stack = Path(os.environ["TESTBED_REMOTE_STACK"])
    return Remote(
        hub_url=os.environ["TESTBED_REMOTE_HUB_URL"],
        ckan_url=os.environ["TESTBED_REMOTE_CKAN_URL"],
        hub_token=os.environ["TESTBED_REMOTE_HUB_TOKEN"],
        verify=verify,
        cfg=load_config(stack),
    )


@pytest.fixture(scope="session")
def hub_api(remote):
    session = requests.Session()
    session.headers["Authorization"] = f"token {remote.hub_token}"
    session.verify = remote.verify

    def call(method: str, path: str, **kw) -> requests.Response:
        return session.request(method, remote.hub_url + "hub/api/" + path.lstrip("/"), timeout=30, **kw)

    return call


@pytest.fixture(scope="session")
def ckan_action(remote):
    def call(action: str, **params):
        r = requests.post(f"{remote.ckan_url}/api/3/action/{action}", json=params, verify=remote.verify, timeout=30)
        r.raise_for_status()
        return r.json()["result"]

    return call

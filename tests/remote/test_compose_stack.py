"""Acceptance test of a docker-compose stack (the operator's, docs/deploy-compose.md), by HTTP only."""

from __future__ import annotations

import secrets
import time

import pytest
import requests

pytestmark = pytest.mark.compose


def test_hub_answers_through_the_tls_proxy(remote, hub_api):
    """Does the hub answer over HTTPS, and is it the JupyterHub version of hub.txt?"""
    r = hub_api("GET", "")
    assert r.status_code == 200, r.text
    assert r.json()["version"].startswith("6.")


def test_operator_token_sees_the_instructors(remote, hub_api):
    """Does the operator's token from .env work, and are the configured admins hub users?"""
    r = hub_api("GET", "users")
    assert r.status_code == 200, r.text
    names = {u["name"] for u in r.json()}
    assert set(remote.cfg.admins) <= names


def test_every_course_has_its_formgrader_and_progress_board(remote, hub_api):
    """Are the hub-managed formgrader and progress board of each configured course registered?"""
    r = hub_api("GET", "services")
    assert r.status_code == 200, r.text
    for course in remote.cfg.courses:
        assert f"formgrader-{course.id}" in r.json()
        assert f"progress-{course.id}" in r.json()


def test_ckan_runs_the_configured_plugins(remote, ckan_action):
    """Is CKAN 2.12 up behind the proxy, with the loader, and the testbed search unless Solr was chosen?"""
    status = ckan_action("status_show")
    assert status["ckan_version"].startswith("2.12")
    assert "testbed_loader" in status["extensions"]
    assert ("testbed" in status["extensions"]) == (remote.cfg.deploy.search == "postgres")


def test_japanese_substring_search(remote, ckan_action):
    """With the testbed search, does a Japanese word inside a longer title find the seeded dataset?"""
    if remote.cfg.deploy.search != "postgres":
        pytest.skip("deploy.search is solr: Solr's stock schema does not split Japanese words")
    if ckan_action("package_search", rows=0)["count"] == 0:
        pytest.skip("the sample catalogue is not seeded (docker compose exec hub python -m testbed_cli.container seed)")
    assert ckan_action("package_search", q="避難", rows=5)["count"] > 0


def test_a_trainee_server_starts_and_is_reachable(remote, hub_api):
    """Does a new trainee get a server container (with CKAN side) that answers through the proxy?"""
    name = f"accept{secrets.token_hex(3)}"
    assert hub_api("POST", f"users/{name}").status_code == 201
    try:
        r = hub_api("POST", f"users/{name}/server")
        assert r.status_code in (201, 202), r.text
        deadline = time.monotonic() + 300
        ready = False
        while time.monotonic() < deadline and not ready:
            server = hub_api("GET", f"users/{name}").json().get("servers", {}).get("", {})
            ready = bool(server.get("ready"))
            if not ready:
                time.sleep(3)
        assert ready, "the trainee's server did not become ready within 300 s"
        status = requests.get(
            f"{remote.hub_url}user/{name}/api/status",
            headers={"Authorization": f"token {remote.hub_token}"},
            verify=remote.verify,
            timeout=30,
        )
        assert status.status_code == 200, status.text
    finally:
        hub_api("DELETE", f"users/{name}/server")
        hub_api("DELETE", f"users/{name}")

"""A trainee's own CKAN token, from sign-in to their kernel: sandbox only, no private data, no token pile-up."""

from __future__ import annotations

import json
import time

import pytest
from helpers import cohort

from ckan_seed.trainees import TOKEN_NAME
from testbed_config.names import ckan_user_name

pytestmark = pytest.mark.integration


def _wait_ready(hub, name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = hub.request("GET", f"/users/{name}").json().get("servers", {}).get("")
        if server and server.get("ready"):
            return
        time.sleep(0.5)
    raise AssertionError(f"server of {name} not ready")


@pytest.fixture(scope="module")
def signed_in_trainee(hub, tmp_path_factory):
    """A cohort trainee who signed in with their initial password and started their server from the browser."""
    import secrets

    name = f"ck{secrets.token_hex(3)}"
    pw = cohort.import_roster(tmp_path_factory.mktemp("roster"), [(name, "高橋 次郎", "情報政策課")])
    login = cohort.login(hub.public, name, pw[name])
    assert login.status_code == 302
    r = login.session.get(f"{hub.public}/hub/spawn", timeout=60)  # what the home page's button does
    assert r.status_code == 200, r.status_code
    _wait_ready(hub, name)
    yield name
    cohort.remove(name)


@pytest.fixture(scope="module")
def other_org(ckan_admin):
    """An organisation the trainee is not in, with one public and one private dataset."""
    import secrets

    org = f"tbother-{secrets.token_hex(3)}"
    ckan_admin.action.organization_create(name=org, title="別の組織 (テスト)")
    public = ckan_admin.action.package_create(name=f"{org}-open", title="公開データ (テスト)", owner_org=org)
    private = ckan_admin.action.package_create(
        name=f"{org}-secret", title="庁内限定データ (テスト)", owner_org=org, private=True
    )
    yield {"org": org, "public": public["name"], "private": private["name"]}
    for ds in (public, private):
        ckan_admin.action.dataset_purge(id=ds["id"])
    ckan_admin.action.organization_purge(id=org)


PROBE = """
import os, json, ckanapi
c = ckanapi.RemoteCKAN(os.environ["CKAN_URL"], apikey=os.environ["CKAN_API_TOKEN"])
out = {{"user": os.environ["CKAN_USER"], "sandbox": os.environ["CKAN_SANDBOX_ORG"]}}
out["sysadmin"] = c.action.user_show(id=out["user"])["sysadmin"]
ds = c.action.package_create(name="{name}-renshu", title="練習の公開", owner_org=out["sandbox"])
out["published_in"] = ds["organization"]["name"]
try:
    c.action.package_create(name="{name}-elsewhere", owner_org="{other}")
    out["other_org"] = "created"
except ckanapi.NotAuthorized:
    out["other_org"] = "refused"
try:
    c.action.package_show(id="{private}")
    out["private"] = "visible"
except ckanapi.NotAuthorized:
    out["private"] = "refused"
out["public"] = c.action.package_show(id="{public}")["name"]
found = c.action.package_search(q="", include_private=True, rows=1000)["results"]
out["private_seen"] = sorted(d["name"] for d in found if d.get("private") and d["owner_org"] != ds["owner_org"])
print(json.dumps(out))
"""


def test_trainee_kernel_publishes_only_in_own_sandbox_and_sees_no_private_data(hub, signed_in_trainee, other_org):
    """With CKAN_API_TOKEN, does a trainee publish in their sandbox, get refused elsewhere, see no private data?"""
    name = signed_in_trainee
    out = hub.run_code(
        name, PROBE.format(name=name, **{k: other_org[k] for k in ("private", "public")}, other=other_org["org"])
    )
    assert out["error"] is None, out
    got = json.loads(out["stdout"])
    assert got["user"] == ckan_user_name(name) and got["sysadmin"] is False
    assert got["published_in"] == got["sandbox"]
    assert got["other_org"] == "refused"
    assert got["private"] == "refused"
    assert got["public"] == other_org["public"]
    assert got["private_seen"] == []  # neither the test org's nor chonai-data's private datasets


def test_respawn_reuses_the_token_instead_of_piling_up_new_ones(hub, signed_in_trainee, ckan_admin):
    """After a server restart, does the trainee get the same still-valid token, with one testbed token in CKAN?"""
    name = signed_in_trainee
    code = "import os, hashlib; print(hashlib.sha256(os.environ['CKAN_API_TOKEN'].encode()).hexdigest())"
    before = hub.run_code(name, code)["stdout"].strip()
    hub.request("DELETE", f"/users/{name}/server")
    for _ in range(120):
        if not hub.request("GET", f"/users/{name}").json()["servers"]:
            break
        time.sleep(0.5)
    hub.start_server(name)
    after = hub.run_code(name, code)["stdout"].strip()
    assert before and before == after
    tokens = ckan_admin.action.api_token_list(user_id=ckan_user_name(name))
    assert [t["name"] for t in tokens] == [TOKEN_NAME]


def test_revoked_token_is_replaced_at_next_spawn(hub, signed_in_trainee, ckan_admin):
    """If the stored token was revoked in CKAN, does the next spawn make a new working one (and only one)?"""
    name = signed_in_trainee
    for t in ckan_admin.action.api_token_list(user_id=ckan_user_name(name)):
        ckan_admin.action.api_token_revoke(jti=t["id"])
    hub.request("DELETE", f"/users/{name}/server")
    for _ in range(120):
        if not hub.request("GET", f"/users/{name}").json()["servers"]:
            break
        time.sleep(0.5)
    hub.start_server(name)
    out = hub.run_code(
        name,
        "import os, ckanapi\n"
        "c = ckanapi.RemoteCKAN(os.environ['CKAN_URL'], apikey=os.environ['CKAN_API_TOKEN'])\n"
        "print(c.action.user_show(id=os.environ['CKAN_USER'])['name'])",
    )
    assert out["error"] is None and out["stdout"].strip() == ckan_user_name(name)
    assert len(ckan_admin.action.api_token_list(user_id=ckan_user_name(name))) == 1

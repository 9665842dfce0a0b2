"""Trainees cannot reach each other or the operator's powers; their passwords are never stored in plaintext."""

from __future__ import annotations

import json
import secrets

import pytest
from helpers import cohort

from ckan_seed.trainees import sandbox_org_name

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pair(hub, tmp_path_factory):
    """Two imported trainees with running servers, and their initial passwords."""
    a, b = f"sa{secrets.token_hex(3)}", f"sb{secrets.token_hex(3)}"
    pw = cohort.import_roster(tmp_path_factory.mktemp("roster"), [(a, "石井 一", ""), (b, "小川 二", "")])
    hub.start_server(a)
    hub.start_server(b)
    yield a, b, pw
    cohort.remove(a, b)


REACH = """
import os, json, requests
tok = {{"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]}}
api = os.environ["JUPYTERHUB_API_URL"]
out = {{}}
out["other_server"] = requests.get("{public}/user/{other}/api/contents", headers=tok, timeout=30).status_code
out["list_users"] = requests.get(api + "/users", headers=tok, timeout=30).status_code
out["create_user"] = requests.post(api + "/users/{other}x", headers=tok, timeout=30).status_code
out["stop_other"] = requests.delete(api + "/users/{other}/server", headers=tok, timeout=30).status_code
out["own_server"] = requests.get("{public}/user/{me}/api/status", headers=tok, timeout=30).status_code
print(json.dumps(out))
"""


def test_trainee_server_token_cannot_reach_another_server_or_the_admin_api(hub, pair):
    """From a trainee's kernel, is their hub token refused (403) by another trainee's server and the admin API?"""
    a, b, _ = pair
    out = hub.run_code(a, REACH.format(public=hub.public, other=b, me=a))
    assert out["error"] is None, out
    got = json.loads(out["stdout"])
    assert got["own_server"] == 200  # the probe itself works
    assert got["other_server"] == 403
    assert got["list_users"] == 403
    assert got["create_user"] == 403
    assert got["stop_other"] in (403, 404)
    assert hub.request("GET", f"/users/{b}").json()["servers"][""]["ready"]


def test_signed_in_trainee_cannot_open_another_trainees_server(hub, pair):
    """Is a trainee's browser session refused at another trainee's JupyterLab?"""
    a, b, pw = pair
    s = cohort.login(hub.public, a, pw[a]).session
    assert s.get(f"{hub.public}/user/{a}/lab", timeout=60).status_code == 200
    assert s.get(f"{hub.public}/user/{b}/lab", timeout=60).status_code == 403
    assert s.get(f"{hub.public}/hub/admin", timeout=60).status_code == 403


def test_trainee_ckan_token_cannot_write_into_another_trainees_sandbox(hub, pair):
    """Is a trainee's CKAN token refused in another trainee's sandbox?"""
    a, b, _ = pair
    code = (
        "import os, ckanapi\n"
        "c = ckanapi.RemoteCKAN(os.environ['CKAN_URL'], apikey=os.environ['CKAN_API_TOKEN'])\n"
        "try:\n"
        f"    c.action.package_create(name='{a}-intrude', owner_org='{sandbox_org_name(b)}')\n"
        "    print('created')\n"
        "except ckanapi.NotAuthorized:\n"
        "    print('refused')\n"
    )
    out = hub.run_code(a, code)
    assert out["error"] is None and out["stdout"].strip() == "refused", out


def test_passwords_are_stored_hashed_never_in_plaintext(pair, layout):
    """Are the initial passwords absent, in plaintext, from the password store and the hub database?"""
    a, b, pw = pair
    for db in (layout.hub_dir / "passwords.sqlite", layout.hub_dir / "jupyterhub.sqlite"):
        raw = db.read_bytes()
        for password in pw.values():
            assert password.encode() not in raw, db
    import sqlite3

    with sqlite3.connect(layout.hub_dir / "passwords.sqlite") as conn:
        rows = dict(conn.execute("SELECT username, hash FROM passwords WHERE username IN (?, ?)", (a, b)))
    assert set(rows) == {a, b} and all(h.startswith("scrypt$") for h in rows.values())


def test_trainee_kernel_cannot_read_the_stored_ckan_tokens(hub, pair, layout):
    """Is the hub's store of trainees' CKAN tokens closed to trainee code?"""
    a, _, _ = pair
    out = hub.run_code(a, f"open({str(layout.hub_dir / 'ckan-tokens.sqlite')!r}, 'rb').read(1)")
    assert out["error"] is not None and out["error"].startswith("PermissionError"), out

"""Trainees cannot reach each other or the operator's powers; their passwords are never stored in plaintext."""

from __future__ import annotations

import json
import os
import pwd
import secrets
from pathlib import Path

import pytest
from helpers import cohort

from testbed_config.names import sandbox_org_name

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


ANSWER_PROBE = """
import json
out = {{}}
for path in {paths!r}:
    try:
        open(path, "rb").read(1)
        out[path] = "read"
    except OSError as exc:
        out[path] = type(exc).__name__
print(json.dumps(out))
"""


def test_trainee_kernel_cannot_read_model_answers_or_hidden_tests(hub, pair, layout):
    """Are the instructor's notebooks (model answers, hidden tests), the answer keys and the wrong-answer
    catalogue closed to trainee code, in the installed copy and in the checkout ./testbed up ran from?"""
    a, _, _ = pair
    repo = Path(__file__).resolve().parents[2]
    rel = ["courses/odtb/source/04_anzen/kadai_04_anzen.ipynb", "courses/odtb/catalogue/kadai_04.yaml"]
    paths = [str(root / r) for root in (layout.app, repo) for r in rel]
    assert all(Path(p).is_file() for p in paths), paths  # root reads them: the probe asks the right files
    out = hub.run_code(a, ANSWER_PROBE.format(paths=paths))
    assert out["error"] is None, out
    assert json.loads(out["stdout"]) == dict.fromkeys(paths, "PermissionError")


EXCHANGE_PROBE = """
import json, os
root, course, victim = {root!r}, {course!r}, {victim!r}
def attempt(fn, *args):
    try:
        fn(*args)
        return "done"
    except OSError as e:
        return type(e).__name__
out = {{}}
out["rename_course"] = attempt(os.rename, f"{{root}}/{{course}}", f"{{root}}/{{course}}-old")
out["replace_course"] = attempt(os.rename, f"{{root}}/{{course}}/outbound", f"{{root}}/{{course}}/outbound2")
out["plant_release"] = attempt(os.mkdir, f"{{root}}/{{course}}/outbound/planted")
out["list_inbound"] = attempt(os.listdir, f"{{root}}/{{course}}/inbound")
out["list_feedback"] = attempt(os.listdir, f"{{root}}/{{course}}/feedback")
out["rename_other_submission"] = attempt(os.rename, victim, victim + "-moved")
out["delete_other_submission"] = attempt(os.rmdir, victim)
out["own_submission"] = attempt(os.mkdir, f"{{root}}/{{course}}/inbound/{{os.environ['JUPYTERHUB_USER']}}+probe")
print(json.dumps(out))
"""


def test_a_trainee_cannot_rename_plant_or_remove_anything_in_the_exchange(hub, pair, layout, stack_config):
    """Knowing the name of another trainee's submission, can a trainee rename or delete it, rename the
    course's folders, plant a release, or list inbound and feedback? Only their own submission may be created."""
    a, b, _ = pair
    course = stack_config.courses[0].id
    inbound = layout.exchange / course / "inbound"
    victim = inbound / f"{b}+kadai+2026-12-06 10:00:00.000000 UTC+known"
    own = inbound / f"{a}+probe"
    victim.mkdir()
    try:
        os.chown(victim, pwd.getpwnam(stack_config.unix_user_prefix + b).pw_uid, -1)
        os.chmod(victim, 0o777)  # as nbgrader's submit leaves it
        code = EXCHANGE_PROBE.format(root=str(layout.exchange), course=course, victim=str(victim))
        out = hub.run_code(a, code)
        assert out["error"] is None, out
        got = json.loads(out["stdout"])
        assert got == {
            "rename_course": "PermissionError",
            "replace_course": "PermissionError",
            "plant_release": "PermissionError",
            "list_inbound": "PermissionError",
            "list_feedback": "PermissionError",
            "rename_other_submission": "PermissionError",
            "delete_other_submission": "PermissionError",
            "own_submission": "done",
        }
        assert victim.is_dir() and (layout.exchange / course / "outbound").is_dir()
        assert oct(layout.exchange.stat().st_mode & 0o7777) == "0o1777"
    finally:
        moved = layout.exchange / f"{course}-old"
        if moved.exists():  # the attack succeeded: put the course back before anything else runs
            moved.rename(layout.exchange / course)
        for path in (victim, own):
            if path.exists():
                path.rmdir()

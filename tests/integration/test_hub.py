"""The hub against the running stack: real Unix users, kernels, CKAN reachable, Japanese JupyterLab."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def test_status_json_reports_every_service_healthy(layout):
    """Does `./testbed status --json` report hub, proxy, CKAN web/worker, PostgreSQL, Redis and formgrader healthy?"""
    proc = subprocess.run([str(REPO / "testbed"), "status", "--json"], capture_output=True, text=True, timeout=120)
    data = json.loads(proc.stdout)
    assert set(data["urls"]) >= {"hub", "ckan"}
    names = set(data["services"])
    assert {"hub", "proxy", "ckan-web", "ckan-worker", "postgres", "redis"} <= names
    assert any(n.startswith("formgrader-") for n in names)
    unhealthy = [n for n, s in data["services"].items() if not s["healthy"]]
    assert unhealthy == []
    assert proc.returncode == 0


def test_trainee_kernel_runs_as_own_unix_user_with_private_home(hub, trainee, stack_config):
    """Does a trainee's code run as their own Unix account, in a home no one else can read?"""
    out = hub.run_code(
        trainee,
        "import os, pwd\n"
        "print(pwd.getpwuid(os.getuid()).pw_name, oct(os.stat(os.path.expanduser('~')).st_mode & 0o777))",
    )
    assert out["error"] is None
    assert out["stdout"].split() == [stack_config.unix_user_prefix + trainee, "0o700"]


def test_trainee_kernel_reads_ckan_from_its_environment(hub, trainee):
    """Can a trainee's notebook reach CKAN through CKAN_URL with the preinstalled ckanapi?"""
    out = hub.run_code(
        trainee,
        "import os, ckanapi\nprint(ckanapi.RemoteCKAN(os.environ['CKAN_URL']).action.status_show()['ckan_version'])",
    )
    assert out["error"] is None, out
    assert out["stdout"].strip().startswith("2.12")


def test_trainee_cannot_read_the_stack_secrets(hub, trainee, layout):
    """Is the secrets directory closed to trainee code?"""
    out = hub.run_code(trainee, f"import os\nos.listdir({str(layout.secrets)!r})")
    assert out["error"] is not None and out["error"].startswith("PermissionError")


def test_jupyterlab_defaults_to_japanese(hub, trainee):
    """Does a trainee's JupyterLab start in Japanese, with the internet news prompt off?"""
    url = f"{hub.public}/user/{trainee}/lab/api/settings/@jupyterlab/translation-extension:plugin"
    r = requests.get(url, headers={"Authorization": f"token {hub.token}"}, timeout=30)
    assert r.status_code == 200, r.text
    settings = r.json()
    locale = settings["settings"].get("locale", settings["schema"]["properties"]["locale"]["default"])
    assert locale == "ja_JP"
    news = requests.get(
        url.replace("translation-extension:plugin", "apputils-extension:notification"),
        headers={"Authorization": f"token {hub.token}"},
        timeout=30,
    ).json()
    # news on without the internet prompt: the feed is the course's announcements on the loopback (lab_console.py)
    assert news["schema"]["properties"]["fetchNews"]["default"] == "true"
    feed = requests.get(
        f"{hub.public}/user/{trainee}/lab/api/news", headers={"Authorization": f"token {hub.token}"}, timeout=30
    )
    assert feed.status_code == 200 and all(
        n["options"]["data"]["id"].startswith("urn:testbed:") for n in feed.json()["news"]
    )


def test_japanese_plots_have_a_japanese_font(hub, trainee):
    """Does matplotlib in the trainee environment draw Japanese labels with a font that has the glyphs (no tofu)?"""
    code = (
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib_fontja\nimport matplotlib.pyplot as plt\n"
        "from matplotlib.font_manager import findfont, FontProperties\nfrom matplotlib.ft2font import FT2Font\n"
        "text = '高齢化率（％）・避難所'\n"
        "font = FT2Font(findfont(FontProperties(family=plt.rcParams['font.family'])))\n"
        "print(sum(font.get_char_index(ord(ch)) == 0 for ch in text))"
    )
    out = hub.run_code(trainee, code)
    assert out["error"] is None, out
    assert out["stdout"].strip() == "0", out


def test_formgrader_service_is_registered_for_the_course(hub, stack_config):
    """Is there a formgrader service for each course, with instructors in its group?"""
    services = hub.request("GET", "/services").json()
    for course in stack_config.courses:
        assert f"formgrader-{course.id}" in services
        group = hub.request("GET", f"/groups/formgrade-{course.id}").json()
        assert set(course.instructors) <= set(group["users"])


def test_instructor_signs_in_with_the_generated_password(hub, layout, stack_config):
    """Can the instructor sign in with the password kept in the secrets directory, and is a wrong one refused?"""
    password = (layout.secrets / "instructor-password").read_text().strip()
    user = stack_config.admins[0]
    s = requests.Session()
    login = f"{hub.public}/hub/login"
    s.get(login, timeout=30)
    xsrf = s.cookies.get("_xsrf")
    bad = s.post(login, data={"username": user, "password": "wrong", "_xsrf": xsrf}, allow_redirects=False, timeout=30)
    assert bad.status_code == 403
    ok = s.post(login, data={"username": user, "password": password, "_xsrf": xsrf}, allow_redirects=False, timeout=30)
    assert ok.status_code == 302


def _login(hub, user: str, password: str):
    s = requests.Session()
    login = f"{hub.public}/hub/login"
    s.get(login, timeout=30)
    r = s.post(
        login,
        data={"username": user, "password": password, "_xsrf": s.cookies.get("_xsrf")},
        timeout=30,
        allow_redirects=False,
    )
    assert r.status_code == 302, r.text
    return s


def test_instructor_opens_the_formgrader_and_a_trainee_cannot(hub, layout, stack_config, unique):
    """Does the course's formgrader open for its instructor (through hub OAuth) and stay closed to a trainee?"""
    from hub_config import passwords

    course = stack_config.courses[0]
    url = f"{hub.public}/services/formgrader-{course.id}/formgrader"
    instructor = _login(hub, course.instructors[0], (layout.secrets / "instructor-password").read_text().strip())
    r = instructor.get(url, timeout=60)
    assert r.status_code == 200 and "formgrader" in r.text.lower()

    name = f"tr{unique()}"
    hub.create_user(name)
    try:
        passwords.set_password(layout.hub_dir / "passwords.sqlite", name, "trainee-pass-1")
        trainee = _login(hub, name, "trainee-pass-1")
        r = trainee.get(url, timeout=60)
        assert r.status_code == 403
    finally:
        hub.delete_user(name)
        passwords.delete(layout.hub_dir / "passwords.sqlite", name)


def test_single_user_servers_skip_the_slow_iri_grammar(layout):
    """Does the single-user environment start without rfc3987_syntax's lark grammars (≈1.2 CPU-s and
    ≈16 MiB per server), while `pip check` stays clean?"""
    python = str(layout.hub_venv / "bin" / "python")
    code = "import sys, jupyter_events.logger, nbformat; print('rfc3987_syntax' in sys.modules)"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


def test_trainee_servers_do_not_load_the_language_server_extension(layout):
    """Is jupyter_lsp (no language servers installed here) off for trainees' servers?"""
    conf = json.loads((layout.hub_venv / "etc/jupyter/jupyter_server_config.d/nbgrader.json").read_text())
    assert conf["ServerApp"]["jpserver_extensions"]["jupyter_lsp"] is False


def test_trainee_kernels_get_new_ports_when_a_start_collides(hub, trainee):
    """Two servers starting kernels in the same second can pick the same TCP port; the restarter then
    retries "with new random ports", which jupyter_client's port cache turns into the same ports five
    times (seen in bench_burst.py). Does a trainee's server, as it runs, have that cache off?"""
    code = (
        "import json, subprocess\n"
        "shown = subprocess.run(['jupyter', 'server', '--show-config-json'], capture_output=True, text=True)\n"
        "print(json.loads(shown.stdout).get('KernelManager'))\n"
    )
    out = hub.run_code(trainee, code, timeout=90)
    assert out["error"] is None, out
    assert out["stdout"].strip() == "{'cache_ports': False}"


def test_hub_is_healthy_only_while_every_running_server_has_its_proxy_route(hub, trainee, layout):
    """After a hub restart JupyterHub answers /hub/health before it re-adds the routes of servers that
    kept running: is the hub reported unhealthy (so `up` keeps waiting) while a ready server has no
    route, and healthy again once it has?"""
    from testbed_cli import hub as hubmod
    from testbed_cli import secrets

    api = f"http://127.0.0.1:{layout.cfg.ports.proxy_api}/api/routes"
    auth = {"Authorization": f"token {secrets.get(layout.state, 'proxy-auth-token')}"}
    key = f"/user/{trainee}"
    route = requests.get(api, headers=auth, timeout=10).json()[key]
    assert hubmod.hub_healthy(layout)
    assert requests.delete(api + key, headers=auth, timeout=10).status_code == 204
    try:
        assert not hubmod.hub_healthy(layout)
    finally:
        body = {k: v for k, v in route.items() if k not in ("last_activity",)}
        assert requests.post(api + key, headers=auth, json=body, timeout=10).status_code == 201
    assert hubmod.hub_healthy(layout)


def test_trainee_kernels_talk_over_private_unix_sockets(hub, trainee, stack_config):
    """Do a trainee's kernels reach their server over Unix sockets in a directory only that trainee can
    enter (no loopback TCP port that another server's kernel could take in the same second, or that
    another account could connect to)?"""
    code = (
        "import json, os, pwd\n"
        "from ipykernel.connect import get_connection_file\n"
        "info = json.load(open(get_connection_file()))\n"
        "st = os.stat(os.path.dirname(get_connection_file()))\n"
        "print(info['transport'], info['ip'], oct(st.st_mode & 0o777), pwd.getpwuid(st.st_uid).pw_name)\n"
    )
    out = hub.run_code(trainee, code)
    assert out["error"] is None, out
    transport, ip, mode, owner = out["stdout"].split()
    assert transport == "ipc"
    assert ip.startswith("/run/testbed-kernels/") and len(ip) + 3 < 107  # sun_path limit, with the -N suffix
    assert (mode, owner) == ("0o700", stack_config.unix_user_prefix + trainee)
    assert oct(Path("/run/testbed-kernels").stat().st_mode & 0o777) == "0o711"

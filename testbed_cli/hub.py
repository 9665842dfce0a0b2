"""JupyterHub side of the stack: state, secrets, grader accounts, nbgrader courses, JupyterLab defaults."""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from grader import nbgrader_settings
from hub_config import console_links, passwords, teams
from testbed_cli import (
    course_package,
    install,
    lab_collaboration_ja,
    lab_console,
    lab_feedback_notice,
    lab_guide,
    lab_language_ja,
    lab_nbgrader_ja,
    lab_report_export,
    secrets,
    system,
    workshop_kit,
)
from testbed_cli.layout import REPO, Layout
from testbed_cli.supervisor import Program
from testbed_config import japan_time, names
from testbed_config.names import formgrader_name, formgrader_port

# JupyterLab plugins trainees never need (instructors grade in the formgrader service, opened from the
# console in its own tab: the Formgrader menu's iframe is refused by the hub's frame-ancestors 'none').
# The announcements plugin stays on: its news feed is the course's announcements on the loopback (lab_console.py).
DISABLED_LAB_PLUGINS = [
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:formgrader",
    # Jupyter Notebook's links from JupyterLab (the notebook toolbar's "Notebook ↗", 表示 menu entries): trainees
    # work in JupyterLab only, and the course's guide and notebooks describe its screens
    "@jupyter-notebook/lab-extension:interface-switcher",
    "@jupyter-notebook/lab-extension:launch-tree",
    # jupyter-collaboration's JupyterLab side: real-time collaboration only in team workspaces, which turn it back on
    # in their own config directory (hub_config/teams.py)
    *teams.RTC_LAB_EXTENSIONS,
]
TRAINEE_SERVER_EXTENSIONS = {
    # no language servers are installed; its import and server scan cost every start
    "jupyter_lsp": False,
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    # the Assignment List and Validate, imported on first use (hub_config/nbgrader_lazy.py)
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.validate_assignment": False,
    "hub_config.nbgrader_lazy": True,
    # the launcher's link tiles: the package's routes, reachable under JupyterHub (hub_config/launcher_links.py)
    "jupyter_launcher_shortcuts": False,
    "hub_config.launcher_links": True,
    # real-time collaboration (jupyter-collaboration): on in team workspaces only (their config directory); a
    # trainee's own server neither loads it nor keeps a file-id database in the home
    **{name: False for name in teams.RTC_SERVER_EXTENSIONS},
    # the 書き出す menu's switched-off formats reach nbconvert (testbed_cli/lab_report_export.py)
    "hub_config.export_formats": True,
}


def _write(path: Path, text: str, mode: int = 0o644) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return True


def ensure_secrets(layout: Layout) -> None:
    st = layout.state
    secrets.get(st, names.HUB_COOKIE_SECRET, hex=True)
    secrets.get(st, names.PROXY_AUTH_TOKEN)
    secrets.get(st, names.HUB_ADMIN_TOKEN)
    for course in layout.cfg.courses:
        secrets.get(st, names.service_token(formgrader_name(course.id)))


def ensure_singleuser_defaults(layout: Layout) -> bool:
    """Japanese JupyterLab, no internet news, nbgrader's exchange; written into the shared venv."""
    v = layout.hub_venv
    changed = False
    overrides = {
        "@jupyterlab/translation-extension:plugin": {"locale": "ja_JP"},
        # news = the course's announcements (LabApp.news_url, lab_console.news_config); never the internet
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "true", "checkForUpdates": False},
    }
    lab_console.add_raise_hand_menu(overrides, layout.cfg)  # ヘルプ > 講師を呼ぶ (手を挙げる)
    console_links.add_console_menu(overrides, layout.cfg)  # 研修 > 研修コンソール (進捗)
    lab_guide.add_training_links(overrides, layout.cfg)  # 研修 > はじめに, データカタログ; Markdown as previews
    teams.add_team_menu(overrides, console_links.MAINMENU, console_links.MENU_ID)  # 研修 > 班の作業場所を開く
    guide = v / names.GUIDE_DIR  # はじめに, copied into each home on first start (hub_config/singleuser.py)
    changed |= _write(guide / names.GUIDE_FILE, lab_guide.guide_text(layout.cfg))
    for icon, svg in lab_guide.ICONS.items():
        changed |= _write(guide / f"{icon}.svg", svg)
    # the workshop kit, copied into each team folder on its server's start (read then: no restart needed)
    workshop_kit.ensure(v)
    changed |= _write(v / "etc/jupyter/jupyter_lab_config.py", lab_console.news_config(layout.cfg))
    changed |= _write(v / "share/jupyter/lab/settings/overrides.json", json.dumps(overrides, indent=2) + "\n")
    page = {"disabledExtensions": {p: True for p in DISABLED_LAB_PLUGINS}}
    changed |= _write(v / "etc/jupyter/labconfig/page_config.json", json.dumps(page, indent=2) + "\n")
    # jupyter_server reads only jpserver_extensions from jupyter_server_config.d; other settings go in
    # jupyter_server_config.json
    server = {"ServerApp": {"jpserver_extensions": TRAINEE_SERVER_EXTENSIONS}}
    changed |= _write(v / "etc/jupyter/jupyter_server_config.d/nbgrader.json", json.dumps(server, indent=2) + "\n")
    # Where kernels use TCP (demo mode, containers; as root they use Unix sockets, hub_config/spawner.py)
    # a kernel may find the port its server picked taken. The restarter then retries "with new random
    # ports", but jupyter_client's port cache (on by default for TCP) hands back the same ports and the
    # kernel dies after five tries. Without the cache a retry gets new ports.
    settings = {"KernelManager": {"cache_ports": False}}
    # launcher tiles to the console and the catalogue (jupyter-launcher-shortcuts; testbed_cli/lab_guide.py)
    settings["LauncherShortcuts"] = {"shortcuts": lab_guide.launcher_shortcuts(layout.cfg, guide)}
    settings |= lab_report_export.server_settings()  # 書き出す: only the formats that work offline
    changed |= _write(v / "etc/jupyter/jupyter_server_config.json", json.dumps(settings, indent=2) + "\n")
    nbg = "\n".join(
        [
            "# Generated by ./testbed up: nbgrader settings shared by every account.",
            "c = get_config()  # noqa: F821",
            f"c.Exchange.root = {str(layout.exchange)!r}",
            "c.Exchange.path_includes_course = True",
            "c.Exchange.assignment_dir = '.'",
            f"c.Exchange.timezone = {japan_time.ZONE_NAME!r}  # submission times (folder names, Assignment List)",
            "from nbgrader.auth import JupyterHubAuthPlugin",
            "c.Authenticator.plugin_class = JupyterHubAuthPlugin",
            "c.ExchangeFactory.fetch_assignment = 'classroom.fetch_plugin.MarkedFetchAssignment'",
            "",
        ]
    )
    changed |= _write(v / "etc/jupyter/nbgrader_config.py", nbg)
    # team workspaces: this directory comes first on their JUPYTER_CONFIG_PATH (hub_config/spawner.py)
    team = v / teams.TEAM_CONFIG_DIR
    changed |= _write(
        team / "jupyter_server_config.d/team-workspace.json", json.dumps(teams.team_server_config(), indent=2) + "\n"
    )
    changed |= _write(
        team / "jupyter_server_config.d/team-submit.json", json.dumps(teams.team_submit_config(), indent=2) + "\n"
    )
    changed |= _write(team / "labconfig/page_config.json", json.dumps(teams.team_page_config(), indent=2) + "\n")
    lab_language_ja.ensure(v)  # the language pack's gaps (Cell 1/14, Open full post, ...) filled from our table
    lab_collaboration_ja.ensure(v)  # the team workspaces' collaboration panel (jupyter-collaboration) in Japanese
    lab_nbgrader_ja.ensure(v)  # nbgrader's Assignment List, Validate and menus in Japanese (static files, no restart)
    lab_feedback_notice.ensure(v)  # 「採点結果が届きました」 without a reload (polls the trainee's own nbgrader API)
    lab_report_export.ensure(v)  # ファイル → 書き出し → 「A4 報告書 (印刷用)」 (hub_config/report_export.py)
    # the course's check package and the Japanese error hook, for trainee kernels and the grading sandbox
    # (read by each new kernel: no server restart needed)
    course_package.ensure(v)
    return changed


# nbgrader's exchange, with modes that hold against trainees. The root is sticky like /tmp: nbgrader's
# release insists on rwx for all (it compares the low nine bits only), and the sticky bit stops anyone
# from renaming or deleting what is not theirs. Each course's folder exists before any trainee could
# plant one, owned by its grader account; inbound is nbgrader's write-only drop box plus sticky, and so is
# team_inbound, where team workspaces drop their deliverables (hub_config/team_submit.py, classroom/team_work.py).
EXCHANGE_ROOT_MODE = 0o1777
EXCHANGE_COURSE_MODES = {
    ".": 0o755,
    "inbound": 0o3733,
    "outbound": 0o755,
    "feedback": 0o711,
    names.TEAM_INBOUND: 0o3733,
}


def ensure_exchange(layout: Layout) -> None:
    """The exchange root and every course's folders in it, owned by the course's grader account."""
    layout.exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.exchange, EXCHANGE_ROOT_MODE)
    for course in layout.cfg.courses:
        for name, mode in EXCHANGE_COURSE_MODES.items():
            path = layout.exchange / course.id / name
            path.mkdir(exist_ok=True)
            os.chmod(path, mode)
            if system.is_root():
                system.chown(path, layout.grader_account(course.id))


def sync_course_source(src: Path, dest_root: Path, course_id: str, log=print) -> None:
    """Copy the curriculum's assignments into the course; update one only while no instructor edited it.

    The digest of every copy is recorded in ``<dest_root>/.testbed-sync.json``; an assignment whose
    files no longer match that digest was edited by an instructor and is left alone.
    """
    record_file = dest_root / ".testbed-sync.json"
    record = json.loads(record_file.read_text()) if record_file.exists() else {}
    for assignment in sorted(p for p in src.iterdir() if p.is_dir()):
        dest = dest_root / assignment.name
        new = install.tree_hash(assignment)
        if dest.exists():
            current = install.tree_hash(dest)
            if current == new:  # already this version (also adopts identical copies made before records)
                record[assignment.name] = new
                continue
            if record.get(assignment.name) != current:
                log(f"コース {course_id}: 課題 {assignment.name} は講師が編集しているため、更新しません")
                continue
            log(f"コース {course_id}: 課題 {assignment.name} を新しい版に更新します")
            shutil.rmtree(dest)
        else:
            log(f"コース {course_id}: 課題 {assignment.name} を取り込みます")
        shutil.copytree(assignment, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        record[assignment.name] = install.tree_hash(dest)
    record_file.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def ensure_course(layout: Layout, course, log=print) -> None:
    """The grader account and nbgrader course directory of one course (never overwrites edits)."""
    home = layout.course_home(course.id)
    account = layout.grader_account(course.id)
    layout.courses_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.courses_dir, 0o711)
    if system.is_root():
        system.ensure_system_user(account, home)
    home.mkdir(parents=True, exist_ok=True)
    root = home / course.id
    src = REPO / "courses" / course.id / "source"
    (root / "source").mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        sync_course_source(src, root / "source", course.id, log)
    settings = nbgrader_settings.course_settings(
        str(root),
        course.id,
        ckan_url=layout.cfg.ckan_internal_url,
        templates=str(layout.app / "grader" / "templates"),
        ckan_token_file=str(home / names.CKAN_GRADER_TOKEN_COPY),  # written by testbed_cli/ckan.py
    )
    cfg_text = nbgrader_settings.config_file(settings, "this course's nbgrader settings (formgrader service)")
    _write(home / ".jupyter" / "nbgrader_config.py", cfg_text)
    server = {
        "ServerApp": {
            "jpserver_extensions": {
                # nbgrader's formgrader, loaded by grader.formgrader_ja with its pages in Japanese
                "nbgrader.server_extensions.formgrader": False,
                "grader.formgrader_ja": True,
                "nbgrader.server_extensions.course_list": True,
                # trainees' own files served from submissions get a sandboxing CSP (grader/formgrader_guard.py)
                "grader.formgrader_guard": True,
            }
        }
    }
    _write(home / ".testbed-jupyter" / "jupyter_server_config.json", json.dumps(server, indent=2) + "\n")
    os.chmod(home, 0o700)
    if system.is_root():
        system.chown(home, account, recursive=True)


def ensure_hub_state(layout: Layout, log=print) -> None:
    cfg = layout.cfg
    layout.hub_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.hub_dir, 0o700)
    (layout.hub_dir / "jupyterhub_config.d").mkdir(exist_ok=True)
    ensure_secrets(layout)
    for course in cfg.courses:
        ensure_course(layout, course, log)
    ensure_exchange(layout)  # after the courses' grader accounts exist
    # instructors/admins sign in with a generated password (kept in the secrets directory)
    db = layout.hub_dir / names.PASSWORD_DB
    pw = secrets.get(layout.state, names.INSTRUCTOR_PASSWORD, nbytes=9)
    for user in sorted(set(cfg.admins) | {u for c in cfg.courses for u in c.instructors}):
        if not passwords.has_password(db, user):
            passwords.set_password(db, user, pw)


def formgrader_program(layout: Layout, index: int, address: str = "127.0.0.1") -> Program:
    """The formgrader of one course: jupyterhub-singleuser as the course's grader account, an external
    hub service (supervised here, so it outlives hub restarts)."""
    cfg = layout.cfg
    course = cfg.courses[index]
    name = formgrader_name(course.id)
    home = layout.course_home(course.id)
    prefix = f"/services/{name}/"
    scopes = json.dumps(["access:services", f"access:services!service={name}"])
    account = layout.grader_account(course.id) if system.is_root() else None
    env = {
        "HOME": str(home),
        "PATH": f"{layout.hub_venv / 'bin'}:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": str(home / ".testbed-jupyter"),
        "TZ": japan_time.ZONE_NAME,  # nbgrader reads the exchange's "… JST" timestamps in the local zone
        "JUPYTERHUB_SERVICE_NAME": name,
        "JUPYTERHUB_USER": account or os.environ.get("USER", "testbed"),
        "JUPYTERHUB_API_TOKEN": secrets.get(layout.state, names.service_token(name)),
        "JUPYTERHUB_CLIENT_ID": f"service-{name}",
        "JUPYTERHUB_API_URL": cfg.hub_api_url,
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_SERVICE_PREFIX": prefix,
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{formgrader_port(cfg, index)}{prefix}",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback",
        "JUPYTERHUB_OAUTH_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES": "[]",
    }
    command = [str(layout.hub_venv / "bin" / "jupyterhub-singleuser")]
    if address != "127.0.0.1":  # otherwise it listens where JUPYTERHUB_SERVICE_URL says
        command.append(f"--ip={address}")
    return Program(
        name,
        command,
        user=account,
        directory=home,
        environment=env,
        priority=50,
    )


def hub_command(layout: Layout) -> list[str]:
    return [str(layout.hub_venv / "bin" / "jupyterhub"), "-f", str(layout.app / "hub_config" / "jupyterhub_config.py")]


def proxy_command(layout: Layout) -> list[str]:
    cfg = layout.cfg
    return [
        str(layout.chp),
        "--ip",
        cfg.bind_address,
        "--port",
        str(cfg.ports.hub),
        "--api-ip",
        "127.0.0.1",
        "--api-port",
        str(cfg.ports.proxy_api),
        "--default-target",
        f"http://127.0.0.1:{cfg.ports.hub_api}",
        "--error-target",
        f"http://127.0.0.1:{cfg.ports.hub_api}/hub/error",
        "--log-level",
        "warn",
        "--storage-backend",
        str(layout.app / "hub_config" / "proxy_routes.cjs"),
    ]


def proxy_socket(layout: Layout) -> str | None:
    """The public port as a socket supervisord holds for the proxy (it outlives a crash of the proxy: browsers wait
    instead of being refused); None for an IPv6 or named bind address (supervisord's tcp:// takes IPv4 only)."""
    address = layout.cfg.bind_address
    if not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address):
        return None
    return f"tcp://{address}:{layout.cfg.ports.hub}"


def proxy_socket_environment(layout: Layout) -> dict[str, str]:
    """Makes the proxy serve its public port on that socket (hub_config/proxy_listen_fd.cjs)."""
    if proxy_socket(layout) is None:
        return {}
    return {
        "NODE_OPTIONS": f"--require {layout.app / 'hub_config' / 'proxy_listen_fd.cjs'}",
        "TESTBED_PROXY_FD_PORT": str(layout.cfg.ports.hub),
    }


def ensure_proxy_dir(layout: Layout, user: str | None) -> None:
    """The proxy's own directory for its routing table (hub_config/proxy_routes.cjs), private to it."""
    d = layout.proxy_dir
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    if user:
        system.chown(d, user, recursive=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _get(url: str, token: str | None = None, timeout: float = 3) -> tuple[int, bytes]:
    """GET without following redirects; (status, body), status 0 when nothing answers."""
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"token {token}")
    try:
        with _opener.open(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, b""
    except (urllib.error.URLError, OSError):
        return 0, b""


def hub_healthy(layout: Layout) -> bool:
    """The hub answers, and every running trainee server is reachable through the proxy again.

    JupyterHub starts listening before it re-adds the proxy routes of servers that kept running
    while it was down (``check_routes`` comes after ``listen``); in that moment a trainee's request
    reaches the hub instead of their server. Health waits until each ready server has its route.
    """
    if _get(f"http://127.0.0.1:{layout.cfg.ports.hub_api}/hub/health")[0] != 200:
        return False
    return routes_in_sync(layout)


def routes_in_sync(layout: Layout) -> bool:
    """Has every server the hub reports ready a route in the proxy?"""
    code, routes = _get(
        f"http://127.0.0.1:{layout.cfg.ports.proxy_api}/api/routes",
        token=secrets.get(layout.state, names.PROXY_AUTH_TOKEN),
    )
    if code != 200:
        return False
    have = {key.rstrip("/") for key in json.loads(routes)}
    token = secrets.get(layout.state, names.HUB_ADMIN_TOKEN)
    offset, page_size = 0, 200  # the hub's api_page_max_limit
    while True:
        url = f"http://127.0.0.1:{layout.cfg.ports.hub_api}/hub/api/users?state=ready&offset={offset}&limit={page_size}"
        code, body = _get(url, token)
        if code != 200:
            return False
        users = json.loads(body)
        users = users["items"] if isinstance(users, dict) else users
        wanted = {server["url"].rstrip("/") for user in users for server in (user.get("servers") or {}).values()}
        if not wanted <= have:
            return False
        if len(users) < page_size:
            return True
        offset += page_size


def proxy_healthy(layout: Layout) -> bool:
    token = secrets.get(layout.state, names.PROXY_AUTH_TOKEN)
    code, _ = _get(f"http://127.0.0.1:{layout.cfg.ports.proxy_api}/api/routes", token=token)
    if code != 200:
        return False
    # and the public side answers (routes to the hub)
    addr = layout.cfg.local_host
    return _get(f"http://{addr}:{layout.cfg.ports.hub}/hub/health")[0] == 200


def formgrader_healthy(layout: Layout, index: int) -> bool:
    """The service answers on its own port (a redirect to the hub's login counts as alive)."""
    course = layout.cfg.courses[index]
    url = f"http://127.0.0.1:{formgrader_port(layout.cfg, index)}/services/{formgrader_name(course.id)}/"
    code, _ = _get(url)
    return code in (200, 302, 401, 403)

"""jupyter-launcher-shortcuts' server side, reachable from its own launcher tiles under JupyterHub.

jupyter-launcher-shortcuts (2i2c) puts a launcher tile per configured link (``LauncherShortcuts.shortcuts``,
written by ``testbed_cli/lab_guide.py``: the console and the CKAN catalogue). Its prebuilt JupyterLab extension
asks ``<base_url>launcher-shortcuts/shortcuts`` with a bare ``fetch()``: cookies only, no XSRF token. Since
JupyterHub 4.1 a single-user server accepts cookie authentication on such a request (``Sec-Fetch-Mode: cors``)
only with an XSRF token, so the request is sent to the hub's OAuth again and again (ERR_TOO_MANY_REDIRECTS)
and the launcher shows no tile (2i2c-org/jupyter-launcher-shortcuts#41).

This extension serves the same two routes with the package's own handlers, the list's handler excused from the
XSRF check the way jupyter-server-proxy's info handler is (JupyterHub leaves a subclass's own
``check_xsrf_cookie`` in place). The user must still be signed in; the answer is a read-only list of link titles
and targets, the same for every user, that another site's page cannot read (no CORS). Enabled for every user's
server in ``testbed_cli/hub.py`` in place of the package's own server extension.

A team workspace (the server that loads ``hub_config.team_submit``, enabled in team servers only) gets one tile
more: 「班の成果物を提出」, the page of ``team_submit.py``.
"""

from __future__ import annotations

from pathlib import Path

from jupyter_launcher_shortcuts import LauncherShortcuts, Shortcut, shortcut_from_dict
from jupyter_launcher_shortcuts.api import IconHandler, ShortcutsHandler
from jupyter_server.utils import url_path_join

from hub_config import teams

TEAM_SUBMIT_ICON = Path(__file__).resolve().with_name("team_submit.svg")


class LinksHandler(ShortcutsHandler):
    """The package's list of launcher links, without the XSRF token its JavaScript cannot send."""

    def check_xsrf_cookie(self):
        return None  # a read-only GET; the handler's own @web.authenticated still requires a signed-in user


def team_submit_tile() -> Shortcut:
    """The team workspace's tile to its deliverable's page (``{base_url}`` is filled in by the package)."""
    icon = str(TEAM_SUBMIT_ICON) if TEAM_SUBMIT_ICON.is_file() else None
    return Shortcut("team-submit", teams.SUBMIT_TILE, icon, "{base_url}" + teams.SUBMIT_ROUTE)


def _enabled(serverapp, name: str) -> bool:
    """Is server extension ``name`` on in this server (its config, or a config directory's ``.d`` entry)?"""
    if serverapp.jpserver_extensions.get(name):
        return True
    manager = getattr(serverapp, "extension_manager", None)
    package = manager.extensions.get(name) if manager is not None else None
    return bool(package is not None and package.enabled)


def shortcuts_of(serverapp) -> list[Shortcut]:
    """The configured tiles, and the team's submission tile where its page is served."""
    shortcuts = [shortcut_from_dict(k, v) for k, v in LauncherShortcuts(parent=serverapp).shortcuts.items()]
    if _enabled(serverapp, teams.SUBMIT_EXTENSION):
        shortcuts.append(team_submit_tile())
    return shortcuts


def _load_jupyter_server_extension(serverapp) -> None:
    base_url = serverapp.web_app.settings["base_url"]
    shortcuts = shortcuts_of(serverapp)
    icons = {s.name: s.icon_path for s in shortcuts if s.icon_path}
    serverapp.web_app.add_handlers(
        ".*",
        [
            (url_path_join(base_url, "launcher-shortcuts/shortcuts"), LinksHandler, {"shortcuts": shortcuts}),
            (url_path_join(base_url, "launcher-shortcuts/icon/(.*)"), IconHandler, {"icons": icons}),
        ],
    )


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "hub_config.launcher_links"}]

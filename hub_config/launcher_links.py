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
"""

from __future__ import annotations

from jupyter_launcher_shortcuts import LauncherShortcuts, shortcut_from_dict
from jupyter_launcher_shortcuts.api import IconHandler, ShortcutsHandler
from jupyter_server.utils import url_path_join


class LinksHandler(ShortcutsHandler):
    """The package's list of launcher links, without the XSRF token its JavaScript cannot send."""

    def check_xsrf_cookie(self):
        return None  # a read-only GET; the handler's own @web.authenticated still requires a signed-in user


def _load_jupyter_server_extension(serverapp) -> None:
    base_url = serverapp.web_app.settings["base_url"]
    shortcuts = [shortcut_from_dict(k, v) for k, v in LauncherShortcuts(parent=serverapp).shortcuts.items()]
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

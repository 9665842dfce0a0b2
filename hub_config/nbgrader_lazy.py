"""nbgrader's trainee-side server extensions, imported on their first request instead of at start.

nbgrader's ``assignment_list`` and ``validate_assignment`` server extensions import nbgrader's apps,
exchange, gradebook (SQLAlchemy), nbconvert and rapidfuzz when the single-user server starts:
+35 MiB and about 0.5 CPU-s for every trainee server, although nothing asks for them until the
trainee opens the Assignment List (課題の一覧) or presses Validate. In a classroom where 40 servers
start together that is 20 CPU-s of the start burst and 1.4 GiB of memory held before anyone needs it.

This extension registers the same routes as the two nbgrader extensions (their ``default_handlers``)
with placeholder handlers; the first request on any of them imports nbgrader's module, sets up what
its ``load_jupyter_server_extension`` would have set up, and from then on every request is served
by nbgrader's own handler class (``hub_config.nbgrader_ja``: nbgrader's, with Japanese answers where a
trainee reads them). Behaviour is nbgrader's; only the moment of import moves.
``/testbed/nbgrader_loaded`` says whether that first request has happened (asked by the feedback notice before it
asks nbgrader's list), and, as cheaply (a stat per course), when feedback was last released in the exchange and how
many submissions this server has made: the notice asks nbgrader's (costly) list only when one of them changed.
``/nbgrader_version`` (asked by the JupyterLab extension on every page load) is answered from
the installed distribution's metadata (importing even ``nbgrader._version`` runs ``nbgrader/__init__``,
which imports every nbgrader server extension), with nbgrader's check and a Japanese message.

Enabled for trainee servers in ``testbed_cli/hub.py`` in place of the two nbgrader extensions.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import json
import os
import threading
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from hub_config import nbgrader_text
from hub_config.exchange_stamp import feedback_stamp

# nbgrader's own handlers, with Japanese answers where a trainee reads them (hub_config/nbgrader_ja.py)
HANDLERS = "hub_config.nbgrader_ja"

# nbgrader 0.9.6's routes (both extensions' default_handlers), with the class serving each
ROUTES: tuple[tuple[str, str, str], ...] = (
    (r"/assignments", HANDLERS, "AssignmentListHandler"),
    (r"/assignments/(?P<action>fetch|submit|fetch_feedback)", HANDLERS, "AssignmentActionHandler"),
    (r"/courses", HANDLERS, "CourseListHandler"),
    (r"/assignments/validate", HANDLERS, "JapaneseValidateHandler"),
)

LOADED_ROUTE = "/testbed/nbgrader_loaded"  # {"success": true, "value": whether nbgrader is loaded here}

_lock = threading.Lock()
_loaded: dict[str, Any] = {}
_submits = [0]  # submissions made through this server's Assignment List (nbgrader's submit action), finished


def _setup(module_name: str, settings: dict[str, Any], serverapp) -> Any:
    """Import one nbgrader handler module and give the web app the settings its loader would."""
    with _lock:
        if module_name in _loaded:
            return _loaded[module_name]
        module = importlib.import_module(module_name)
        # what nbgrader's two load_jupyter_server_extension functions set up
        manager = module.JapaneseAssignmentList(parent=serverapp)
        manager.root_dir = serverapp.root_dir
        settings["assignment_list_manager"] = manager
        settings["root_dir"] = serverapp.root_dir
        serverapp.log.info("nbgrader: assignment list and validation loaded on first use")
        _loaded[module_name] = module
        return module


def _lazy_handler(module_name: str, class_name: str, serverapp) -> type[JupyterHandler]:
    class LazyHandler(JupyterHandler):
        """Stands in for ``module_name.class_name``; tornado's construction yields the real handler."""

        def __new__(cls, application, request, **kwargs):
            module = _setup(module_name, application.settings, serverapp)
            handler = getattr(module, class_name)(application, request, **kwargs)
            if request.method == "POST" and request.path.rstrip("/").endswith("/assignments/submit"):
                finished = handler.on_finish

                def on_finish() -> None:
                    _submits[0] += 1
                    finished()

                handler.on_finish = on_finish
            return handler

    LazyHandler.__name__ = LazyHandler.__qualname__ = f"Lazy{class_name}"
    return LazyHandler


@functools.cache
def _nbgrader_version() -> str:
    return importlib.metadata.version("nbgrader")


class VersionHandler(JupyterHandler):
    """nbgrader's ``NbGraderVersionHandler`` (the same check, its message in Japanese) without importing nbgrader."""

    @web.authenticated
    def get(self):
        server_version = _nbgrader_version()
        ui_version = self.get_argument("version")
        if ui_version == server_version:
            result: dict[str, Any] = {"success": True}
        else:
            message = nbgrader_text.version_mismatch(ui_version, server_version)
            self.log.error(message)
            result = {"success": False, "message": message}
        self.finish(json.dumps(result))


class LoadedHandler(JupyterHandler):
    """Whether nbgrader's trainee side has been loaded in this server (the trainee used the Assignment List or
    Validate), answered without loading it: the feedback notice (testbed_cli/lab_feedback_notice.py) asks here
    before it asks nbgrader's list, so a server where nobody uses nbgrader never pays for it."""

    @web.authenticated
    def get(self):
        answer = {
            "success": True,
            "value": bool(_loaded),
            "feedback": feedback_stamp(os.environ.get("TESTBED_EXCHANGE", "")),
            "submits": _submits[0],
        }
        self.finish(json.dumps(answer))


def _jupyter_server_extension_points():
    return [{"module": "hub_config.nbgrader_lazy"}]


def _load_jupyter_server_extension(serverapp) -> None:
    webapp = serverapp.web_app
    base_url = webapp.settings["base_url"]
    handlers = [(url_path_join(base_url, pattern), _lazy_handler(m, c, serverapp)) for pattern, m, c in ROUTES]
    handlers.append((url_path_join(base_url, "/nbgrader_version"), VersionHandler))
    handlers.append((url_path_join(base_url, LOADED_ROUTE), LoadedHandler))
    webapp.add_handlers(".*$", handlers)
    serverapp.log.info("nbgrader's assignment list and validation: loaded on first use")

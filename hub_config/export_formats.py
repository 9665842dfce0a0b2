"""Server extension of the single-user servers: the exporters switched off in the server's config stay off.

JupyterLab's 書き出す menu lists what nbconvert's ``get_export_names()`` returns, and that function reads each
exporter's ``enabled`` from the *global* application's config (``traitlets.config.get_config()``). In a single-user
server the global application is JupyterHub's ``jupyterhub-singleuser`` extension app, which loads no config file,
so the ``<Exporter>.enabled`` sections written to ``jupyter_server_config.d`` (testbed_cli/lab_report_export.py) reach
only the ServerApp. Loaded as a server extension, this copies those sections to the global application's config.
Standard library and traitlets only: it runs at every server start.
"""

from __future__ import annotations


def _jupyter_server_extension_points():
    return [{"module": "hub_config.export_formats"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from traitlets.config import Application, Config

    if not Application.initialized():
        return
    app = Application.instance()
    sections = {name: dict(value) for name, value in serverapp.config.items() if name.endswith("Exporter")}
    if app is not serverapp and sections:
        app.config.merge(Config(sections))

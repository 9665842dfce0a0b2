"""Jupyter server extension of the formgrader service: nbgrader's formgrader, in Japanese.

Loads nbgrader's formgrader itself (so that it is loaded first, whatever the order of extension
names), then serves its pages through a Jinja loader that applies ``grader.formgrader_text``'s tables
to nbgrader's ``*.tpl`` files, and its JavaScript, translated the same way, from the same URLs
(``/formgrader/static/js/<name>``, registered ahead of nbgrader's static handler). The grading page
itself is an nbconvert template, rendered here with ``grader/templates/formgrade`` (the feedback, with
``grader/templates/feedback``, as ``grader/nbgrader_settings.py`` configures). A table that no longer
matches nbgrader (after an upgrade) is logged and that file is served in English;
``tests/unit/test_formgrader_japanese.py`` fails first.
"""

from __future__ import annotations

import re

from jinja2 import BaseLoader, Environment, FileSystemLoader
from jupyter_server.utils import url_path_join
from nbconvert.exporters import HTMLExporter
from tornado import web

from grader import formgrader_text


class JapaneseTemplates(BaseLoader):
    """nbgrader's formgrader templates with the Japanese table of each applied."""

    def __init__(self, upstream: FileSystemLoader, log):
        self.upstream = upstream
        self.log = log

    def get_source(self, environment, template):
        source, filename, uptodate = self.upstream.get_source(environment, template)
        table = formgrader_text.TEMPLATES.get(template)
        if table:
            try:
                source = formgrader_text.translate(template, source, table)
            except formgrader_text.UpstreamChanged as e:
                self.log.error("formgrader page left in English: %s", e)
        return source, filename, uptodate


class JapaneseScripts(web.RequestHandler):
    """The formgrader's JavaScript files that build visible text, translated (kept in memory)."""

    def initialize(self, scripts: dict[str, str]):
        self.scripts = scripts

    def get(self, name):
        self.set_header("Content-Type", "application/javascript; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(self.scripts[name])


def _scripts(log) -> dict[str, str]:
    out = {}
    for name in formgrader_text.SCRIPTS:
        try:
            out[name] = formgrader_text.translated_script(name)
        except (formgrader_text.UpstreamChanged, OSError) as e:
            log.error("formgrader script left in English: %s", e)
    return out


def _with_japanese_templates(build_extra_config):
    """nbgrader's ``build_extra_config`` with HTMLExporter's template folder set to ``grader/templates``."""

    def build():
        config = build_extra_config()
        config.HTMLExporter.extra_template_basedirs = [str(formgrader_text.TEMPLATE_DIR)]
        return config

    return build


def _jupyter_server_extension_points():
    return [{"module": "grader.formgrader_ja"}]


def _load_jupyter_server_extension(serverapp):
    from nbgrader.server_extensions.formgrader import formgrader, handlers

    webapp = serverapp.web_app
    base = webapp.settings["base_url"]
    # ahead of nbgrader's own static handler and its /formgrader/.* catch-all
    scripts = _scripts(serverapp.log)
    if scripts:  # only the files translated; the others stay nbgrader's
        names = "|".join(re.escape(n) for n in sorted(scripts))
        route = url_path_join(base, f"formgrader/static/js/({names})")
        webapp.add_handlers(".*$", [(route, JapaneseScripts, {"scripts": scripts})])
    formgrader.load_jupyter_server_extension(serverapp)
    loader = JapaneseTemplates(FileSystemLoader([handlers.template_path]), serverapp.log)
    webapp.settings["nbgrader_jinja2_env"] = Environment(loader=loader)
    # nbgrader's own extra config (its template folder) wins over the course's config file, and is applied
    # again whenever the formgrader re-reads its config: the Japanese formgrade/ and feedback/ templates
    # (the grading page; the feedback of the 「フィードバック作成」 buttons) go in the same way
    fg = webapp.settings["nbgrader_formgrader"]
    fg.build_extra_config = _with_japanese_templates(fg.build_extra_config)
    fg.update_config(fg.build_extra_config())
    webapp.settings["nbgrader_exporter"] = HTMLExporter(config=fg.config)
    # the "current configuration" panel (English JSON of every setting) is for debugging nbgrader itself
    fg.debug = False
    serverapp.log.info("grader.formgrader_ja: the formgrader speaks Japanese")

"""「A4 報告書」: a team's notebook as a printable A4 report for the 課長 presentation that closes the workshop.

An nbconvert exporter (``testbed_a4``) that JupyterLab lists under ファイル → 名前を付けて保存・書き出し, as it
lists every exporter registered under ``nbconvert.exporters`` (``testbed_cli/lab_report_export.py`` registers this
one in the hub venv). The report is one self-contained HTML file that works offline and prints on A4:

- the notebook's text, tables and figures (charts and maps are PNG outputs, embedded), without the code and without
  In/Out prompts — a report, not a program listing; markdown images are embedded too;
- Japanese fonts named in the page (the machine's Noto Sans CJK JP / IPAex, or Yu Gothic, Meiryo, Hiragino on
  the PC that prints it), A4 margins, no figure or table split across pages where it can be helped;
- no script of nbconvert's and nothing fetched from a CDN (MathJax, require.js, widgets, mermaid are left out);
- a footer line with the notebook's name and when the report was made, in Japan time.
"""

from __future__ import annotations

from pathlib import Path

from nbconvert.exporters import HTMLExporter
from traitlets import default

from testbed_config import japan_time

TEMPLATES = Path(__file__).resolve().parent / "templates" / "nbconvert"
NAME = "testbed_a4"


class A4ReportExporter(HTMLExporter):
    """HTML for printing on A4: outputs and text only, Japanese fonts, nothing loaded from the network."""

    export_from_notebook = "A4 報告書 (印刷用)"

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self):
        return [str(TEMPLATES)]

    @default("template_name")
    def _template_name_default(self):
        return NAME

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    @default("embed_images")
    def _embed_images_default(self):
        return True

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = dict(resources or {})
        resources["testbed_made"] = japan_time.japanese(japan_time.now())
        return super().from_notebook_node(nb, resources, **kw)

"""Registers the A4 report exporter (``hub_config/report_export.py``) in the hub venv, where JupyterLab runs.

nbconvert finds exporters through the ``nbconvert.exporters`` entry point group, and JupyterLab's
ファイル → 名前を付けて保存・書き出し lists what nbconvert finds. The exporter's code lives in the app copy (on the
venv's path through ``testbed_app.pth``); what registers it is a distribution's metadata, written here as pip would
write it for a package holding no files of its own (METADATA, entry_points.txt, INSTALLER, RECORD).

The same menu lists every other exporter nbconvert ships, and most cannot work here: PDF and LaTeX need TeX, Qtpdf
and Qtpng need Qt, Webpdf a browser in the venv, Reveal.js slides load reveal.js from a CDN (offline classrooms),
and Asciidoc or reStructuredText mean nothing to a trainee. They are switched off (``<Exporter>.enabled``, read by
nbconvert's ``get_export_names``: written into the servers' jupyter_server_config.json by testbed_cli/hub.py, and
``hub_config/export_formats.py`` makes that config reach nbconvert), leaving HTML, Markdown, the script and the A4
report.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from testbed_cli import course_package

DIST = "testbed_report_export"
VERSION = "1.0"
ENTRY_POINTS = "[nbconvert.exporters]\ntestbed_a4 = hub_config.report_export:A4ReportExporter\n"
# exporters JupyterLab's 書き出す menu no longer offers (see above)
SWITCHED_OFF = [
    "ASCIIDocExporter",
    "LatexExporter",
    "PDFExporter",
    "QtPDFExporter",
    "QtPNGExporter",
    "RSTExporter",
    "SlidesExporter",
    "WebPDFExporter",
]


def server_settings() -> dict:
    """For the servers' jupyter_server_config.json (testbed_cli/hub.py): the switched-off exporters."""
    return {name: {"enabled": False} for name in SWITCHED_OFF}


def files() -> dict[str, str]:
    info = f"{DIST}-{VERSION}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {DIST}\nVersion: {VERSION}\nSummary: Open Data Testbed A4 report exporter\n"
    texts = {"METADATA": meta, "entry_points.txt": ENTRY_POINTS, "INSTALLER": "testbed\n"}
    record = "".join(f"{info}/{name},,\n" for name in [*texts, "RECORD"])
    return {f"{info}/{name}": text for name, text in {**texts, "RECORD": record}.items()}


def ensure(venv: Path) -> bool:
    """Write the registration into ``venv`` (idempotent); True when something changed."""
    site = course_package.site_packages(venv)
    if site is None:
        return False
    wanted = files()
    info = site / next(iter(wanted)).split("/")[0]
    if info.is_dir() and all((site / rel).is_file() and (site / rel).read_text() == t for rel, t in wanted.items()):
        return False
    for old in site.glob(f"{DIST}-*.dist-info"):
        shutil.rmtree(old)
    info.mkdir()
    os.chmod(info, 0o755)
    for rel, text in wanted.items():
        (site / rel).write_text(text, encoding="utf-8")
        os.chmod(site / rel, 0o644)
    return True

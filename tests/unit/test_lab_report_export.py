"""The A4 report exporter's registration (testbed_cli/lab_report_export.py) and its template (no script, no CDN)."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
from pathlib import Path

import pytest

from testbed_cli import lab_report_export

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


def test_the_exporter_is_found_as_an_nbconvert_exporter_and_written_once(tmp_path):
    """Does the written metadata make nbconvert's entry point group list testbed_a4 (pointing at the exporter),
    and does a second run change nothing?"""
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    assert lab_report_export.ensure(tmp_path / "venv") is True
    assert lab_report_export.ensure(tmp_path / "venv") is False
    found = [
        ep
        for dist in importlib.metadata.distributions(path=[str(site)])
        for ep in dist.entry_points
        if ep.group == "nbconvert.exporters"
    ]
    assert [(ep.name, ep.value) for ep in found] == [("testbed_a4", "hub_config.report_export:A4ReportExporter")]
    switched_off = lab_report_export.server_settings()
    assert switched_off["PDFExporter"] == {"enabled": False} and "HTMLExporter" not in switched_off


def test_the_switched_off_exporters_are_left_out_of_the_list_the_menu_shows():
    """With the server's config, does nbconvert's own get_export_names (in the hub venv, where JupyterLab runs)
    leave out exactly the switched-off ones?"""
    python = Path("/opt/testbed/venvs/hub/bin/python")
    if not python.exists():
        pytest.skip("no hub venv (./testbed up makes it)")
    code = (
        "import json, sys\n"
        "from traitlets.config import Config\n"
        "from nbconvert.exporters import get_export_names\n"
        "print(json.dumps(get_export_names(config=Config(json.loads(sys.stdin.read())))))"
    )
    run = subprocess.run(
        [str(python), "-c", code],
        input=json.dumps(lab_report_export.server_settings()),
        capture_output=True,
        text=True,
        check=True,
    )
    names = json.loads(run.stdout)
    assert "html" in names and "markdown" in names and "script" in names
    assert not {"pdf", "latex", "qtpdf", "qtpng", "webpdf", "slides", "asciidoc", "rst"} & set(names), names


def test_the_report_template_loads_nothing_from_the_network():
    """Does the template empty every block of nbconvert's lab template that loads a script (require.js, MathJax,
    widgets, mermaid), and name Japanese fonts and an A4 page?"""
    text = (REPO / "hub_config" / "templates" / "nbconvert" / "testbed_a4" / "index.html.j2").read_text()
    for block in ("html_head_js", "jupyter_widgets", "html_head_js_mathjax", "html_head_js_mermaidjs"):
        assert f"block {block} " in text or f"block {block} -" in text, block
    assert "<script" not in text and "http" not in text
    assert "size: A4" in text and "Noto Sans CJK JP" in text

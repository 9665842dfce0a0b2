"""The A4 report exporter's registration (testbed_cli/lab_report_export.py) and its template (no script, no CDN)."""

from __future__ import annotations

import importlib.metadata
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


def test_the_report_template_loads_nothing_from_the_network():
    """Does the template empty every block of nbconvert's lab template that loads a script (require.js, MathJax,
    widgets, mermaid), and name Japanese fonts and an A4 page?"""
    text = (REPO / "hub_config" / "templates" / "nbconvert" / "testbed_a4" / "index.html.j2").read_text()
    for block in ("html_head_js", "jupyter_widgets", "html_head_js_mathjax", "html_head_js_mermaidjs"):
        assert f"block {block} " in text or f"block {block} -" in text, block
    assert "<script" not in text and "http" not in text
    assert "size: A4" in text and "Noto Sans CJK JP" in text

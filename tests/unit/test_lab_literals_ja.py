"""The lab extension that puts JupyterLab's untranslatable texts in Japanese (testbed_cli/lab_literals_ja.py), on a
fake hub venv: is it installed where JupyterLab finds federated extensions, idempotently, renamed when the table
changes, and is its JavaScript valid?"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from testbed_cli import lab_literals_ja as lit

pytestmark = pytest.mark.unit


def _venv(tmp_path):
    (tmp_path / "share/jupyter/lab").mkdir(parents=True)
    return tmp_path


def test_is_the_extension_installed_once_where_jupyterlab_looks(tmp_path):
    """Does ensure write package.json (with jupyterlab._build.load) and the plugin it names, then do nothing?"""
    venv = _venv(tmp_path)
    assert lit.ensure(venv)
    folder = venv / lit.EXTENSION
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == lit.NAME and package["jupyterlab"]["_build"]["extension"] == "./extension"
    js = (folder / package["jupyterlab"]["_build"]["load"]).read_text(encoding="utf-8")
    assert '"No Kernel": "カーネルがありません"' in js and f'_JUPYTERLAB["{lit.NAME}"]' in js
    assert not lit.ensure(venv)


def test_does_a_changed_table_get_a_new_file_name_and_drop_the_old(tmp_path):
    """Is the plugin renamed with its content (browsers cache by name), the old file gone?"""
    venv = _venv(tmp_path)
    lit.ensure(venv)
    before = sorted(p.name for p in (venv / lit.EXTENSION / "static").iterdir())
    assert lit.ensure(venv, table={**lit.TABLE, "Extra": "追加"})
    after = sorted(p.name for p in (venv / lit.EXTENSION / "static").iterdir())
    assert len(before) == len(after) == 1 and before != after


def test_no_jupyterlab_no_change(tmp_path):
    assert not lit.ensure(tmp_path)
    assert not any(tmp_path.iterdir())


def test_is_the_plugin_valid_javascript(tmp_path):
    """Does Node accept the generated plugin (the wrong case: a broken copy is refused)?"""
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node on this machine (./testbed up installs it for the proxy)")
    good, bad = tmp_path / "good.js", tmp_path / "bad.js"
    good.write_text(lit.plugin_js(), encoding="utf-8")
    bad.write_text(lit.plugin_js()[:-20], encoding="utf-8")
    assert subprocess.run([node, "--check", str(good)], capture_output=True).returncode == 0
    assert subprocess.run([node, "--check", str(bad)], capture_output=True).returncode != 0


PACK_CATALOGUE = Path(
    "/opt/testbed/venvs/hub/lib/python3.11/site-packages/jupyterlab_language_pack_ja_JP/locale/ja_JP/LC_MESSAGES"
    "/jupyterlab.json"
)  # the language pack ./testbed up installs
# the pack's msgid whose translation each line of LINES starts with (the raw value follows it)
LINE_MSGIDS = {"書き込み可能: ": "\nWritable: %1", "最後のチェックポイント: ": "Last Checkpoint: %1"}


def test_are_raw_values_in_hover_texts_replaced_line_by_line():
    """Does the plugin carry the lines ending in a raw value (「書き込み可能: true」 → はい), each with a Japanese
    replacement free of true/false/None?"""
    js = lit.plugin_js()
    assert '"書き込み可能: true": "書き込み可能: はい"' in js and "function fixLines" in js
    assert set(lit.LINES) == {"書き込み可能: true", "書き込み可能: false", "最後のチェックポイント: None"}
    for line in lit.LINES.values():
        assert not re.search(r"\b(true|false|None)\b", line)


def test_do_the_lines_still_start_with_the_installed_packs_wording():
    """Does the installed pack still translate the labels as LINES expects (a reworded pack fails here instead of
    leaving 「…: true」 on screen)?"""
    if not PACK_CATALOGUE.is_file():
        pytest.skip(f"no language pack at {PACK_CATALOGUE} (./testbed up installs it)")
    catalogue = json.loads(PACK_CATALOGUE.read_text(encoding="utf-8"))
    for line in lit.LINES:
        label = next(p for p in LINE_MSGIDS if line.startswith(p))
        msgid = LINE_MSGIDS[label]
        assert catalogue[msgid][0].lstrip("\n") == label + "%1", (msgid, catalogue[msgid])

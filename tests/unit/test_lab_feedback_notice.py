"""The lab extension that tells a trainee their feedback has arrived (testbed_cli/lab_feedback_notice.py), on a fake
hub venv: is it installed where JupyterLab finds federated extensions, idempotently, readable by every trainee,
renamed when the plugin changes, and is its JavaScript valid?"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from testbed_cli import lab_feedback_notice as notice

pytestmark = pytest.mark.unit


def _venv(tmp_path):
    (tmp_path / "share/jupyter/lab").mkdir(parents=True)
    return tmp_path


def test_is_the_extension_installed_once_where_jupyterlab_looks(tmp_path):
    """Does ensure write package.json (with jupyterlab._build.load) and the plugin it names, then do nothing?"""
    venv = _venv(tmp_path)
    assert notice.ensure(venv)
    folder = venv / notice.EXTENSION
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    assert package["name"] == notice.NAME and package["jupyterlab"]["_build"]["extension"] == "./extension"
    js = (folder / package["jupyterlab"]["_build"]["load"]).read_text(encoding="utf-8")
    assert f'_JUPYTERLAB["{notice.NAME}"]' in js and '"apputils:notify"' in js
    assert not notice.ensure(venv)


def test_is_the_plugin_named_by_its_digest_and_renamed_when_it_changes(tmp_path):
    """Is the plugin's file name remoteEntry.<20 hex digits>.js, a new one (the old gone) when its text changes?"""
    venv = _venv(tmp_path)
    notice.ensure(venv)
    static = venv / notice.EXTENSION / "static"
    before = sorted(p.name for p in static.iterdir())
    assert len(before) == 1 and before[0].startswith("remoteEntry.") and len(before[0]) == len("remoteEntry..js") + 20
    assert notice.ensure(venv, text={**notice.TEXT, "arrived": "課題「{assignment}」の結果が届きました。"})
    after = sorted(p.name for p in static.iterdir())
    assert len(after) == 1 and before != after


def test_can_every_trainee_read_it(tmp_path):
    """Are the files 0644 and the folders 0755 (trainees' JupyterLab runs under their own accounts)?"""
    venv = _venv(tmp_path)
    notice.ensure(venv)
    folder = venv / notice.EXTENSION
    for path in (folder.parent, folder, folder / "static"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o755, path
    for path in folder.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_no_jupyterlab_no_change(tmp_path):
    assert not notice.ensure(tmp_path)
    assert not any(tmp_path.iterdir())


def test_is_the_plugin_valid_javascript(tmp_path):
    """Does Node accept the generated plugin (the wrong case: a broken copy is refused)?"""
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node on this machine (./testbed up installs it for the proxy)")
    good, bad = tmp_path / "good.js", tmp_path / "bad.js"
    good.write_text(notice.plugin_js(), encoding="utf-8")
    bad.write_text(notice.plugin_js()[:-20], encoding="utf-8")
    assert subprocess.run([node, "--check", str(good)], capture_output=True).returncode == 0
    assert subprocess.run([node, "--check", str(bad)], capture_output=True).returncode != 0


def test_does_the_plugin_ask_nbgraders_routes_and_read_its_real_fields():
    """Does the plugin use the assignment list's own routes and nbgrader's feedback fields (no invented names),
    ask its list at least every 60 s, pause in a hidden tab, and show the Japanese texts as plain text?"""
    js = notice.plugin_js()
    for route in ('"courses"', '"assignments?course_id="', '"assignments/fetch_feedback"'):
        assert route in js, route
    for field in ("has_exchange_feedback", "has_local_feedback", "feedback_updated", "local_feedback_path"):
        assert field in js, field
    assert "var PERIOD = 60 * 1000;" in js and "visibilityState" in js and "localStorage" in js
    assert "var TICK = 5000, WAITING_TICK = 1000, WAIT_LIMIT = 900000;" in js
    assert "X-XSRFToken" in js and "innerHTML" not in js
    assert "受け取って開く" in js and "採点結果（フィードバック）が届きました" in js


def test_does_it_ask_whether_nbgrader_is_loaded_before_asking_nbgrader():
    """Is the route the plugin asks first the one nbgrader_lazy serves without loading nbgrader, and does the plugin
    ask nbgrader's list only after it said yes (a server where nobody used nbgrader never loads it for the notice)?"""
    from testbed_cli.lab_feedback_notice import LOADED_PATH

    lazy = (Path(__file__).resolve().parents[2] / "hub_config" / "nbgrader_lazy.py").read_text(encoding="utf-8")
    assert f'LOADED_ROUTE = "/{LOADED_PATH}"' in lazy
    js = notice.plugin_js()
    ask = js.index("send(settings, LOADED, {})")
    assert ask < js.index('request(settings, "courses", {})')
    assert "if (!loaded) return null;" in js[ask:]
    # ... and asks nbgrader's list only when feedback was released or the server submitted since (or 60 s passed)
    changed = js.index("var changed = answer.feedback !== stamp || answer.submits !== submits;")
    assert ask < changed < js.index('request(settings, "courses", {})')


def test_does_the_feedback_stamp_change_when_feedback_is_released(tmp_path):
    """Is the cheap answer's stamp the newest release of any course, changed by a new feedback file, and '' for an
    exchange that is missing or has no feedback yet?"""
    import os

    from hub_config.exchange_stamp import feedback_stamp

    assert feedback_stamp(str(tmp_path / "missing")) == ""
    assert feedback_stamp(str(tmp_path)) == ""
    for course in ("odtb", "other"):
        (tmp_path / course / "feedback").mkdir(parents=True)
    os.utime(tmp_path / "odtb" / "feedback", ns=(1_000_000_000, 1_000_000_000))
    os.utime(tmp_path / "other" / "feedback", ns=(2_000_000_000, 2_000_000_000))
    assert feedback_stamp(str(tmp_path)) == "2000000000"
    (tmp_path / "odtb" / "feedback" / "0123abcd.html").write_text("得点")
    after = feedback_stamp(str(tmp_path))
    assert after and int(after) > 2_000_000_000

"""The データアカデミー workshop kit against the running stack: the four session notebooks run top to bottom in the hub
venv's kernel against the real CKAN with no token (as in a team workspace), their charts and map come out as images,
and the spawner (which needs JupyterHub, so the hub venv) names the kit for team servers only."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "courses" / "odtb"))

import runner  # noqa: E402

from testbed_config import names  # noqa: E402

pytestmark = pytest.mark.integration

KIT = REPO / "courses" / "workshop"


def test_do_the_four_sessions_run_against_the_catalogue_and_draw_their_charts_and_map(ckan_url, tmp_path):
    """Does each session notebook run top to bottom with only CKAN_URL (anonymous reads), and does every cell that
    shows a figure (the chart and map of session 3, the estimate of session 4) output an image?"""
    notebooks = sorted(KIT.glob("*.ipynb"))
    assert len(notebooks) == 4
    work = tmp_path / "run"
    try:
        results = runner.execute(notebooks, work, env={"CKAN_URL": ckan_url, "CKAN_API_TOKEN": ""}, timeout=600)
        assert [r["error"] for r in results] == [None] * 4, [r["error"] for r in results if r["error"]]
        images = {}
        for result in results:
            nb = nbformat.read(result["notebook"], as_version=4)
            shown = [c for c in nb.cells if c.cell_type == "code" and "plt.show()" in c.source]
            for cell in shown:
                assert any("image/png" in o.get("data", {}) for o in cell.outputs), (result["notebook"], cell.id)
            images[Path(result["notebook"]).name[:8]] = len(shown)
        assert images["session3"] >= 2 and images["session4"] >= 1
        assert {p.name for p in (work / KIT.name).glob("図*.png")} == {"図1_収容率のグラフ.png", "図2_収容率の地図.png"}
    finally:
        shutil.rmtree(work, ignore_errors=True)


SPAWNER_CHECK = """
import json, sys, types
from hub_config.configurer import spawner_environment
from hub_config.spawner import TestbedSpawner
from testbed_config import load_config
from testbed_config.layout import Layout
cfg = load_config(sys.argv[1])
out = {}
for team in (True, False):
    stub = types.SimpleNamespace(unix_name="root", limits=types.SimpleNamespace(any=False), is_team=team,
                                 team_config_dir="", roster_db="", user=types.SimpleNamespace(name="team-0000"))
    out[str(team)] = TestbedSpawner.user_env(stub, spawner_environment(cfg, Layout(cfg)))
print(json.dumps(out))
"""


def test_does_only_a_team_server_get_the_kit_instead_of_the_course_guide(layout):
    """With the hub's own spawner environment (the running stack's config), does the spawner give a team server the
    installed kit's folder and guide name (and no course guide), and a trainee's server its course guide and no kit?"""
    guide = str(layout.hub_venv / names.GUIDE_DIR / names.GUIDE_FILE)
    proc = subprocess.run(
        [str(layout.hub_venv / "bin" / "python"), "-c", SPAWNER_CHECK, str(layout.stack_yaml)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    env = json.loads(proc.stdout)
    team, trainee = env["True"], env["False"]
    assert "TESTBED_GUIDE" not in team
    assert team["TESTBED_WORKSHOP"] == str(layout.hub_venv / names.WORKSHOP_DIR)
    assert team["TESTBED_WORKSHOP_GUIDE"] == names.WORKSHOP_GUIDE
    assert (layout.hub_venv / names.WORKSHOP_DIR / names.WORKSHOP_GUIDE).is_file()
    assert trainee["TESTBED_GUIDE"] == guide and "TESTBED_WORKSHOP" not in trainee
    assert "TESTBED_WORKSHOP_GUIDE" not in trainee

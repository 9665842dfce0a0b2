"""The Assignment List (課題の一覧) and Validate of a trainee's JupyterLab, through the HTTP API its
nbgrader extension calls; nbgrader's handlers are imported on first use (hub_config/nbgrader_lazy.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
from helpers.course import enrol, live_assignment, run_testbed

pytestmark = pytest.mark.integration


def _server_maps(stack_config, name: str) -> str:
    """Memory maps of ``name``'s single-user server process (which shared libraries it has loaded)."""
    unix = stack_config.unix_user_prefix + name
    pids = subprocess.run(["pgrep", "-u", unix, "-f", "hub_config.singleuser"], capture_output=True, text=True)
    assert pids.stdout.split(), f"no single-user server for {unix}"
    return Path(f"/proc/{pids.stdout.split()[0]}/maps").read_text()


def test_assignment_list_fetch_validate_and_submit_work_and_load_nbgrader_on_first_use(
    hub, trainee, layout, stack_config, unique
):
    """Before the trainee opens the Assignment List, is nbgrader's heavy part (its apps, exchange,
    nbconvert, rapidfuzz) still unloaded; and then do list, fetch, Validate and submit answer as
    nbgrader's own handlers do?"""
    course = stack_config.courses[0].id
    base = f"{hub.public}/user/{trainee}"
    auth = {"Authorization": f"token {hub.token}"}

    version = requests.get(f"{base}/nbgrader_version", params={"version": "0.9.6"}, headers=auth, timeout=30)
    assert version.status_code == 200, version.text
    assert version.json() == {"success": True}
    stale = requests.get(f"{base}/nbgrader_version", params={"version": "0.0.1"}, headers=auth, timeout=30).json()
    assert stale["success"] is False and "0.0.1" in stale["message"]
    assert "rapidfuzz" not in _server_maps(stack_config, trainee)  # JupyterLab's page load did not import it

    with live_assignment(layout, "00_hajimeni", f"al_{unique()}") as (_, assignment):
        res = run_testbed("course", "release", assignment, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        enrol(hub, course, trainee)

        listed = requests.get(f"{base}/assignments", params={"course_id": course}, headers=auth, timeout=120)
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert body["success"] is True, body
        mine = [a for a in body["value"] if a["assignment_id"] == assignment]
        assert [a["status"] for a in mine] == ["released"]
        assert "rapidfuzz" in _server_maps(stack_config, trainee)  # now nbgrader's own handler served it

        args = {"course_id": course, "assignment_id": assignment}
        fetched = requests.post(f"{base}/assignments/fetch", params=args, headers=auth, timeout=120).json()
        got = next(a for a in fetched["value"] if a["assignment_id"] == assignment and a["status"] == "fetched")
        kadai = next(nb for nb in got["notebooks"] if nb["notebook_id"].startswith("kadai_"))

        validated = requests.post(
            f"{base}/assignments/validate", params={"path": kadai["path"]}, headers=auth, timeout=120
        )
        assert validated.status_code == 200, validated.text
        report = validated.json()
        assert report["success"] is True, report
        assert report["value"].get("failed"), report  # the blank assignment fails its self-checks

        submitted = requests.post(f"{base}/assignments/submit", params=args, headers=auth, timeout=120).json()
        statuses = {a["status"] for a in submitted["value"] if a["assignment_id"] == assignment}
        assert "submitted" in statuses, submitted
        student = stack_config.unix_user_prefix + trainee  # nbgrader names students by their Unix account
        inbound = list((layout.exchange / course / "inbound").glob(f"{student}+{assignment}+*"))
        assert len(inbound) == 1

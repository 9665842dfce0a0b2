"""The role-play (course module 08_yobo) graded from what trainees really did in CKAN, through `./testbed grade`.

Three trainees get their server (the spawn hook routes their training copies of two sample requests to their
sandbox and lets the grader's read-only account see it), act in CKAN from their own kernel with their own token,
and submit the same notebook (the instructor's answers). The notebook's questions 1–2 score alike; questions 3–4
are `# testbed-ckan-check` cells the trusted grader scores from CKAN:

- diligent: publishes the GeoJSON, closes that request 公開済み with it, refuses the personal-data one → full marks;
- closes_unpublished: closes the GeoJSON request without publishing (一部対応, no dataset) → 0 for question 3;
- publishes_personal: also publishes a "名簿" dataset and closes the personal-data request with it → 0 for
  question 4, with the reason in Japanese in the graded notebook.
"""

from __future__ import annotations

import json
import os
import stat

import ckanapi
import nbformat
import pytest
from helpers.course import REPO, enrol, instructor_session, live_assignment, run_testbed, submit_code

from ckan_seed.sample_requests import ensure_training_requests
from grader.courses import course_root
from testbed_config.ckan_client import CkanClient
from testbed_config.names import CKAN_GRADER_TOKEN, CKAN_GRADER_USER, CKAN_TOKEN_DB, sandbox_org_name

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="grading drops kernels to other uids only as root"),
]

MODULE, NOTEBOOK = "08_yobo", "kadai_08_yobo"
FULL = {"check_judge": 2.0, "check_geojson": 3.0, "check_close_hinanbasho": 3.0, "check_close_meibo": 2.0}

# Kernel code run in a trainee's own server (CKAN_URL, CKAN_API_TOKEN, CKAN_SANDBOX_ORG set by the spawn hook).
SETUP = """
import json, os
from ckanapi import RemoteCKAN
ckan = RemoteCKAN(os.environ["CKAN_URL"], apikey=os.environ["CKAN_API_TOKEN"])
org = os.environ["CKAN_SANDBOX_ORG"]
def request_id(word):
    found = ckan.action.testbed_request_list(organization=org, q=word)["results"]
    assert len(found) == 1, found
    return found[0]["id"]
def publish(name, title, path, text, fmt):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    ds = ckan.action.package_create(name=name, title=title, notes="研修のテスト", license_id="cc-by-4.0", owner_org=org)
    with open(path, "rb") as f:
        ckan.action.resource_create(package_id=ds["id"], name=title, format=fmt, upload=f)
    return name
"""
PUBLISH_GEOJSON = """
point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [134.8, 33.9]},
         "properties": {"名称": "体育館"}}
name = publish(org + "-hinanbasho-geojson", "指定緊急避難場所一覧（GeoJSON）", "h.geojson",
               json.dumps({"type": "FeatureCollection", "features": [point]}, ensure_ascii=False), "GeoJSON")
ckan.action.testbed_request_close(id=request_id("指定緊急避難場所"), resolution="published", dataset=name)
"""
CLOSE_UNPUBLISHED = """
ckan.action.testbed_request_close(id=request_id("指定緊急避難場所"), resolution="partial", note="検討します")
"""
REFUSE_PERSONAL = """
ckan.action.testbed_request_close(id=request_id("避難行動要支援者名簿"), resolution="rejected",
                                  reason="personal_data", note="個人情報を含むため、公開できません。")
"""
PUBLISH_PERSONAL = """
name = publish(org + "-meibo", "避難行動要支援者名簿", "m.csv",
               "地区,氏名,住所\\n中央,架空 太郎,みどり野市松原1-1\\n", "CSV")
ckan.action.testbed_request_close(id=request_id("避難行動要支援者名簿"), resolution="published", dataset=name)
"""
ROLES = {
    "diligent": PUBLISH_GEOJSON + REFUSE_PERSONAL,
    "closes_unpublished": CLOSE_UNPUBLISHED + REFUSE_PERSONAL,
    "publishes_personal": PUBLISH_GEOJSON + PUBLISH_PERSONAL,
}


@pytest.fixture
def trainees(hub, unique, layout, ckan_url):
    """Three trainees with their servers started (so the spawn hook provisioned their CKAN side); removed after,
    with their training copies, datasets and sandboxes (ckan_seed.trainees.remove_trainee)."""
    from ckan_seed.trainees import remove_trainee

    names = {role: f"rp{unique()}" for role in ROLES}
    try:
        for name in names.values():
            hub.create_user(name)
            hub.start_server(name)
        yield names
    finally:
        token = (layout.secrets / "ckan-admin-token").read_text().strip()
        for name in names.values():
            hub.delete_user(name)
            remove_trainee(ckan_url, token, name, token_db=layout.hub_dir / CKAN_TOKEN_DB)


def _scores(layout, course: str, assignment: str, student: str) -> dict[str, float]:
    import sqlite3

    with sqlite3.connect(course_root(layout, course) / "gradebook.db") as conn:
        rows = conn.execute(
            "SELECT bc.name, g.auto_score FROM grade g JOIN base_cell bc ON g.cell_id = bc.id"
            " JOIN submitted_notebook sn ON g.notebook_id = sn.id"
            " JOIN submitted_assignment sa ON sn.assignment_id = sa.id JOIN assignment a ON sa.assignment_id = a.id"
            " WHERE a.name = ? AND sa.student_id = ? AND bc.name LIKE 'check_%'",
            (assignment, student),
        ).fetchall()
    return dict(rows)


def _outputs(layout, course: str, assignment: str, student: str, grade_id: str) -> str:
    path = course_root(layout, course) / "autograded" / student / assignment / f"{NOTEBOOK}.ipynb"
    cell = next(
        c for c in nbformat.read(path, as_version=4).cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )
    return "\n".join(o.get("evalue") or o.get("text") or "" for o in cell.outputs)


def test_is_the_role_play_graded_from_what_each_trainee_did_in_ckan(
    hub, layout, ckan_admin, ckan_anon, trainees, unique
):
    """Full marks for the trainee who published and refused correctly; 0 for question 3 when the request was closed
    without publishing; 0 for question 4, said in Japanese, when data was published for the personal-data request.
    Read by the grader's own non-sysadmin account, whose token only root can read; anonymous visitors see no copy."""
    reader = ckan_admin.action.user_show(id=CKAN_GRADER_USER)
    assert not reader["sysadmin"]
    token_file = layout.secrets / CKAN_GRADER_TOKEN
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    grader = ckanapi.RemoteCKAN(ckan_admin.address, apikey=token_file.read_text().strip())
    admin = CkanClient(ckan_admin.address, ckan_admin.apikey)
    for name in trainees.values():  # each has its two copies, which anonymous visitors do not see
        org = sandbox_org_name(name)
        assert ckan_admin.action.testbed_request_list(organization=org)["count"] == 2
        assert ckan_anon.action.testbed_request_list(organization=org)["count"] == 0
        assert ensure_training_requests(admin, org) == []  # a respawn files nothing again
        copies = grader.action.testbed_request_list(organization=org)["results"]
        assert len(copies) == 2  # the grader's account reads them, and can neither publish nor close
        with pytest.raises(ckanapi.NotAuthorized):
            grader.action.package_create(name=f"{org}-x", title="x", owner_org=org)
        with pytest.raises(ckanapi.NotAuthorized):
            grader.action.testbed_request_close(id=copies[0]["id"], resolution="rejected", reason="other", note="x")

    for role, name in trainees.items():
        out = hub.run_code(name, SETUP + ROLES[role], timeout=120)
        assert out["error"] is None, (role, out)

    with live_assignment(layout, MODULE, f"rp_{unique()}") as (course, assignment):
        res = run_testbed("course", "release", assignment, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        text = (REPO / "courses" / "odtb" / "source" / MODULE / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
        for name in trainees.values():
            enrol(hub, course, name)
            out = hub.run_code(name, submit_code(course, assignment, NOTEBOOK, text), timeout=120)
            assert out["error"] is None, out

        res = run_testbed("grade", assignment, "--course", course, timeout=600)
        assert res.returncode == 0, res.stdout + res.stderr
        student = {role: layout.cfg.unix_user_prefix + name for role, name in trainees.items()}
        scores = {role: _scores(layout, course, assignment, s) for role, s in student.items()}

        assert scores["diligent"] == FULL, scores
        assert scores["closes_unpublished"] == {**FULL, "check_close_hinanbasho": 0.0}, scores
        said = _outputs(layout, course, assignment, student["closes_unpublished"], "check_close_hinanbasho")
        assert "「公開済み」で完了になっていません (いまは「一部対応」)" in said, said
        assert scores["publishes_personal"] == {**FULL, "check_close_meibo": 0.0}, scores
        said = _outputs(layout, course, assignment, student["publishes_personal"], "check_close_meibo")
        assert "個人情報を含むデータは、オープンデータとして公開できません" in said, said
        assert "合格: CKAN で、要望への対応を確認しました。" in _outputs(
            layout, course, assignment, student["diligent"], "check_close_meibo"
        )

        # the formgrader's Autograde button (the grader account, not root) scores the request checks the same way:
        # it reads the training copies with its own copy of the read-only token
        s = instructor_session(hub, layout, course)
        for role in ("diligent", "publishes_personal"):
            api = (
                f"{hub.public}/services/formgrader-{course}/formgrader/api/submission/"
                f"{assignment}/{student[role]}/autograde"
            )
            xsrf = next(c.value for c in s.cookies if c.name == "_xsrf" and c.path.startswith("/services/"))
            r = s.post(api, headers={"X-XSRFToken": xsrf}, timeout=300)
            assert r.status_code == 200 and r.json().get("success"), r.text
            assert _scores(layout, course, assignment, student[role]) == scores[role], role
    print(json.dumps(scores, ensure_ascii=False))  # the figures, shown with -s

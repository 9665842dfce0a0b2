"""The course odtb against the running stack: lessons execute, assignments autograde as intended.

Each test trainee is a real CKAN user with a sandbox organisation (created here with the sysadmin
token and purged afterwards); notebooks run in the hub venv's kernel with that user's token, as
in a trainee's server. Autograding uses nbgrader's CLI in a temporary course directory.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ckanapi
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "courses" / "odtb"))

import runner  # noqa: E402

from ckan_seed.sample_requests import ensure_training_requests, remove_training_requests  # noqa: E402
from ckan_seed.trainees import ensure_grader_reader  # noqa: E402
from datasets.layouts import LAYOUTS  # noqa: E402
from grader.batch import grade_assignment  # noqa: E402
from testbed_config.ckan_client import CkanClient  # noqa: E402
from testbed_config.names import CKAN_GRADER_TOKEN, sandbox_org_name  # noqa: E402

pytestmark = pytest.mark.integration

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
MODULES = runner.modules()
CATALOGUE_NEEDED = ["midorino-aed-as-received", "midorino-population-by-area-age", "midorino-districts"]

# A typical mistake per assignment: {module: {grade_id of an answer cell: replacement source}}.
WRONG = {
    "00_hajimeni": {"answer_total": "total_capacity = len(shelters)"},
    "01_kokai": {"answer_save": 'aed.to_csv("aed_standard.csv", encoding="utf-8-sig")'},
    "02_sagasu": {
        "answer_filter": (
            "answer = ckan.action.datastore_search(resource_id=childcare_resource_id, q='認定こども園')\n"
            "kodomoen = pd.DataFrame(answer['records'])\n"
            "kodomoen_capacity = ''.join(str(v) for v in kodomoen['収容定員'])"
        )
    },
    "03_totonoeru": {
        "answer_digit": (
            "def with_check_digit(code5):\n"
            "    total = sum(int(d) * w for d, w in zip(code5, (2, 3, 4, 5, 6)))\n"
            "    return code5 + str((11 - total % 11) % 10)"
        )
    },
    "04_anzen": {"answer_safe": "safe_table = table.astype(float).mask((table > 0) & (table <= 5))"},
    "05_ebpm": {"answer_aging": 'latest["高齢化率（%）"] = latest["65-69歳の男性"] / latest["総人口"]'},
    "06_mieruka": {"answer_bar": ("fig1, ax1 = plt.subplots()\nax1.bar(latest['地域名'], latest['総人口'])")},
    "07_sogo": {
        "answer_protect": (
            "household_size = residents.groupby('世帯ID')['住民ID'].transform('size')\n"
            "alone = residents[household_size == 1]\n"
            "solo_elderly = alone.groupby('町丁目').size().reindex(pop2025['地域名'], fill_value=0)"
        )
    },
    "08_yobo": {
        "answer_geojson": (
            "features = [{'type': 'Feature', 'geometry': {'type': 'Point', 'coordinates': [float(r['緯度']), "
            "float(r['経度'])]}, 'properties': {'名称': r['名称'], '所在地_連結表記': r['所在地_連結表記'], "
            "'想定収容人数': int(r['想定収容人数'])}} for _, r in hinanbasho.iterrows()]\n"
            "geojson = {'type': 'FeatureCollection', 'features': features}\n"
            "json.dump(geojson, open('hinanbasho.geojson', 'w', encoding='utf-8'), ensure_ascii=False)"
        )
    },
}


def _make_trainee(admin, name: str, layout) -> dict:
    """A CKAN user with a sandbox organisation named as the spawn hook names it (the sandboxed grader
    finds it by that name), with the role-play's training copies of requests and the grader's read access as
    provisioning gives them; the user's name is also the trainee's nbgrader student id."""
    org = sandbox_org_name(name)
    admin.action.user_create(name=name, email=f"{name}@example.invalid", password=secrets.token_urlsafe(18))
    admin.action.organization_create(name=org, title=f"{name} のサンドボックス")
    admin.action.organization_member_create(id=org, username=name, role="editor")
    client = CkanClient(admin.address, admin.apikey)
    ensure_grader_reader(client, org, layout.secrets / CKAN_GRADER_TOKEN)
    ensure_training_requests(client, org)
    token = admin.action.api_token_create(user=name, name="curriculum-test")["token"]
    return {"name": name, "env": {"CKAN_URL": admin.address, "CKAN_API_TOKEN": token, "CKAN_SANDBOX_ORG": org}}


def _drop_trainee(admin, name: str) -> None:
    org = sandbox_org_name(name)
    remove_training_requests(CkanClient(admin.address, admin.apikey), org)
    try:
        for ds in admin.action.package_search(
            fq=f'owner_org:"{admin.action.organization_show(id=org)["id"]}"', include_private=True, rows=100
        )["results"]:
            admin.action.dataset_purge(id=ds["id"])
        admin.action.organization_purge(id=org)
    except ckanapi.NotFound:
        pass
    try:
        admin.action.user_delete(id=name)
    except ckanapi.NotFound:
        pass


@pytest.fixture(scope="module")
def catalogue(ckan_admin):
    missing = []
    for name in CATALOGUE_NEEDED:
        try:
            ckan_admin.action.package_show(id=name)
        except ckanapi.NotFound:
            missing.append(name)
    if missing:
        pytest.fail(f"the sample catalogue is not seeded (missing {missing}): run ./testbed catalog seed")
    return ckan_admin


@pytest.fixture(scope="module")
def trainees(catalogue, layout):
    run = secrets.token_hex(3)
    made = {}
    try:
        for role in ("lesson", "solution", "blank", "wrong"):
            made[role] = _make_trainee(catalogue, f"odtb{role}{run}", layout)
        yield made
    finally:
        for t in made.values():
            _drop_trainee(catalogue, t["name"])


@pytest.fixture(scope="module")
def executed_lessons(trainees, tmp_path_factory):
    work = tmp_path_factory.mktemp("lessons")
    notebooks = [nb for m in MODULES for nb in runner.lessons(m)]
    results = runner.execute(notebooks, work, trainees["lesson"]["env"])
    return {Path(r["notebook"]).name: r for r in results}


@pytest.fixture(scope="module")
def course_base(tmp_path_factory):
    """The course with every module generated (gradebook filled), no submissions yet."""
    base = tmp_path_factory.mktemp("course")
    runner.prepare_course(base, MODULES)
    runner.generate(base, MODULES)
    return base


ROLES = {"solution": None, "blank": None, "wrong": WRONG}


def _submit(root: Path, trainees, role: str) -> None:
    for module in MODULES:
        runner.submit(root, module, trainees[role]["name"], role, (ROLES[role] or {}).get(module))


@pytest.fixture(scope="module")
def graded(trainees, course_base, tmp_path_factory):
    """Stock nbgrader autograding (the kernel has the trainee's token, as in their own server)."""
    roots = {}
    for role in ROLES:
        # one course copy per trainee, so the parallel graders never share a gradebook.db
        roots[role] = tmp_path_factory.mktemp(f"course-{role}")
        shutil.copytree(course_base, roots[role], dirs_exist_ok=True)
        _submit(roots[role], trainees, role)
    with ThreadPoolExecutor(max_workers=len(ROLES)) as pool:
        futures = {
            r: pool.submit(runner.autograde, roots[r], trainees[r]["name"], MODULES, trainees[r]["env"]) for r in ROLES
        }
        return {role: f.result() for role, f in futures.items()}


def _sandbox_grade(root: Path, trainees, course_base, layout, *, warm: bool, roles=tuple(ROLES)) -> dict:
    shutil.copytree(course_base, root, dirs_exist_ok=True)
    for role in roles:
        _submit(root, trainees, role)
    out = {}
    for module in MODULES:
        out[module] = grade_assignment(
            root=root,
            course="odtb",
            assignment=module,
            python=layout.hub_venv / "bin" / "python",
            workers=2,
            notebook_timeout=300,
            ckan_url=layout.cfg.ckan_internal_url,
            log_path=root / "grading.log",
            warm=warm,
        )
    return {"results": out, "log": root / "grading.log", "root": root}


@pytest.fixture(scope="module")
def sandbox_graded(graded, trainees, course_base, layout, tmp_path_factory):
    """The same submissions graded the way `./testbed grade` does: sandboxed warm kernels (forked from a
    template) without any token, CKAN reachable only through the relay, published datasets read back from
    each sandbox org. Runs after ``graded``, whose token-holding kernels published them."""
    return _sandbox_grade(tmp_path_factory.mktemp("course-sandboxed"), trainees, course_base, layout, warm=True)


@pytest.fixture(scope="module")
def cold_graded(sandbox_graded, trainees, course_base, layout, tmp_path_factory):
    """The solutions and the typical mistakes again, with cold sandboxed kernels (a new bwrap and Python per
    notebook; the blank releases, all zero, add nothing to the comparison)."""
    root = tmp_path_factory.mktemp("course-cold")
    return _sandbox_grade(root, trainees, course_base, layout, warm=False, roles=("solution", "wrong"))


def _cell_grades(root: Path) -> dict:
    """Every autograded cell's score in a course's gradebook: (assignment, student, notebook, cell) -> score."""
    with sqlite3.connect(root / "gradebook.db") as db:
        rows = db.execute(
            "select a.name, s.student_id, n.name, c.name, g.auto_score from grade g "
            "join base_cell c on g.cell_id = c.id join submitted_notebook sn on g.notebook_id = sn.id "
            "join notebook n on sn.notebook_id = n.id join submitted_assignment s on sn.assignment_id = s.id "
            "join assignment a on s.assignment_id = a.id"
        ).fetchall()
    return {r[:4]: r[4] for r in rows}


def _auto(grades: list[dict]) -> list[dict]:
    return [g for g in grades if g["cell_type"] == "code"]


@pytest.mark.parametrize("notebook", [nb.name for m in MODULES for nb in runner.lessons(m)])
def test_lesson_runs_top_to_bottom(executed_lessons, notebook):
    """Does every lesson notebook execute top to bottom against the running stack?"""
    result = executed_lessons[notebook]
    assert result["error"] is None, result["error"]


def test_lessons_pass_nbval(trainees, tmp_path):
    """Does every lesson notebook pass `pytest --nbval-lax` in the trainees' kernel (the hub venv's Python),
    top to bottom, against the running stack?"""
    work = tmp_path / "nbval"
    notebooks = []
    for module in MODULES:
        shutil.copytree(runner.SOURCE / module, work / module)
        notebooks += [str(work / module / nb.name) for nb in runner.lessons(module)]
    spec = work / "jupyter" / "kernels" / "testbed-hub"
    spec.mkdir(parents=True)
    argv = [str(runner.HUB_PYTHON), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "hub", "language": "python"}))
    env = {
        **os.environ,
        **trainees["lesson"]["env"],
        "JUPYTER_PATH": str(work / "jupyter"),
        "MPLBACKEND": "Agg",
        "PYTHONPATH": "",
    }
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-kernel-name", "testbed-hub", "--nbval-cell-timeout",
           "300", "-p", "no:cacheprovider", "-c", os.devnull, "--rootdir", str(work), "-q", *notebooks]  # fmt: skip
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    passed = re.search(r"(\d+) passed", proc.stdout)
    assert passed and int(passed.group(1)) >= len(notebooks), proc.stdout[-2000:]


def test_lesson_charts_have_japanese_glyphs(executed_lessons):
    """Do the lesson charts render Japanese text without missing glyphs (no tofu)?"""
    outputs = "\n".join(o for r in executed_lessons.values() for o in r["outputs"])
    assert "missing from font" not in outputs
    assert "Glyph" not in outputs


def test_fontja_font_has_the_glyphs():
    """Does the font matplotlib-fontja selects contain the glyphs of the course's chart labels?"""
    code = (
        "import matplotlib; matplotlib.use('Agg')\n"
        "import matplotlib_fontja, matplotlib.pyplot as plt\n"
        "from matplotlib import font_manager, ft2font\n"
        "path = font_manager.findfont(font_manager.FontProperties(family=plt.rcParams['font.family']))\n"
        "font = ft2font.FT2Font(path)\n"
        "text = '町丁目別の高齢化率（%）人口避難場所収容率ごみ排出量'\n"
        "print(path); print(sum(1 for ch in text if font.get_char_index(ord(ch)) == 0))\n"
    )
    out = subprocess.run([str(runner.HUB_PYTHON), "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    path, missing = out.stdout.split()
    assert "ipaex" in path.lower() or "noto" in path.lower(), path
    assert missing == "0"


@pytest.mark.parametrize("module", MODULES)
def test_instructor_version_gets_full_marks(graded, module):
    """Does the instructor's solution autograde to full marks on every autograded cell?"""
    result = graded["solution"][module]
    assert result["returncode"] == 0, result["log"]
    auto = _auto(result["grades"])
    assert auto, f"no autograded cells in {module}"
    lost = [(g["name"], g["score"], g["max_score"]) for g in auto if g["score"] != g["max_score"]]
    assert not lost, (lost, result["feedback"])


@pytest.mark.parametrize("module", MODULES)
def test_blank_release_gets_zero_without_errors(graded, module):
    """Does the released blank notebook autograde to 0 points with no grading error?"""
    result = graded["blank"][module]
    assert result["returncode"] == 0, result["log"]
    assert "[ERROR]" not in result["log"], result["log"]
    assert result["grades"]
    assert sum(g["score"] or 0 for g in result["grades"]) == 0


@pytest.mark.parametrize("module", MODULES)
def test_typical_mistake_gets_partial_credit_and_japanese_feedback(graded, module):
    """Does a typical wrong answer lose points and get feedback in Japanese saying what to fix?"""
    result = graded["wrong"][module]
    assert result["returncode"] == 0, result["log"]
    auto = _auto(result["grades"])
    score, total = sum(g["score"] or 0 for g in auto), sum(g["max_score"] for g in auto)
    assert 0 <= score < total
    hints = [f["text"] for f in result["feedback"] if "【どこが違うか】" in f["text"]]
    assert hints, result["feedback"]
    assert all(JAPANESE.search(h) and "【直し方のヒント】" in h for h in hints)


@pytest.mark.skipif(os.geteuid() != 0, reason="sandboxed grading drops kernels to other uids only as root")
@pytest.mark.parametrize("module", MODULES)
def test_sandboxed_grading_scores_like_stock_grading(graded, sandbox_graded, trainees, module):
    """Graded in the sandbox (no token, CKAN through the relay only), does every submission get the
    same score as stock nbgrader gave it with the trainee's token, full marks for the solution?"""
    result = sandbox_graded["results"][module]
    assert not result.failed, (result.failed, sandbox_graded["log"].read_text()[-3000:])
    for role in ROLES:
        stock = sum(g["score"] or 0 for g in graded[role][module]["grades"])
        assert result.graded[trainees[role]["name"]]["score"] == stock, role
    solution = result.graded[trainees["solution"]["name"]]
    auto_max = sum(g["max_score"] for g in _auto(graded["solution"][module]["grades"]))
    assert solution["score"] == auto_max


@pytest.mark.skipif(os.geteuid() != 0, reason="warm kernels are started by root only")
def test_warm_and_cold_kernels_give_the_same_grades(sandbox_graded, cold_graded, trainees):
    """Does every autograded cell of every assignment, in the solution and in the typical mistakes, get the
    same score from warm kernels as from cold ones?"""
    for graded_ in (sandbox_graded, cold_graded):
        assert not [r.failed for r in graded_["results"].values() if r.failed], graded_["log"].read_text()[-3000:]
    assert "warm kernels unavailable" not in sandbox_graded["log"].read_text()
    cold = _cell_grades(cold_graded["root"])
    students = {trainees[role]["name"] for role in ("solution", "wrong")}
    warm = {k: v for k, v in _cell_grades(sandbox_graded["root"]).items() if k[1] in students}
    assert {k[0] for k in warm} == set(MODULES) and {k[1] for k in warm} == students
    assert {k for k in warm if warm[k]} and {k for k in warm if not warm[k]}  # some right, some wrong
    assert warm == cold


def test_manual_answers_need_the_instructor(graded):
    """Are the policy-memo style answers left for manual grading rather than scored automatically?"""
    manual = [g for m in MODULES for g in graded["solution"][m]["grades"] if g["cell_type"] == "markdown"]
    assert manual
    assert all(g["needs_manual_grade"] for g in manual)


# Standard datasets the lessons and exercises read by column name, with their layout in datasets/layouts.py.
USED_LAYOUTS = {
    "midorino-aed": "aed",
    "midorino-population-by-area-age": "population",
    "midorino-evacuation-sites": "evacuation_sites",
    "midorino-childcare-facilities": "childcare_facilities",
}


def test_aed_exercise_asks_for_the_standard_layout():
    """Does the AED exercise list every column of the standard AED layout?"""
    nb = json.loads(runner.assignment("01_kokai").read_text(encoding="utf-8"))
    src = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert all(f'"{c}"' in src for c in LAYOUTS["aed"].columns)


@pytest.mark.parametrize("dataset", sorted(USED_LAYOUTS))
def test_catalogue_tables_have_the_standard_layouts_the_course_uses(catalogue, dataset):
    """Are the DataStore tables the course reads in exactly the standard layout (names and order)?"""
    resource = catalogue.action.package_show(id=dataset)["resources"][0]
    fields = catalogue.action.datastore_search(resource_id=resource["id"], limit=0)["fields"]
    assert [f["id"] for f in fields if f["id"] != "_id"] == list(LAYOUTS[USED_LAYOUTS[dataset]].columns)


def test_internal_data_is_not_readable_by_trainees(trainees):
    """Can a trainee's token not read the private internal datasets the lessons copy instead?"""
    trainee = ckanapi.RemoteCKAN(
        trainees["lesson"]["env"]["CKAN_URL"], apikey=trainees["lesson"]["env"]["CKAN_API_TOKEN"]
    )
    with pytest.raises((ckanapi.NotAuthorized, ckanapi.NotFound)):
        trainee.action.package_show(id="midorino-residents-sample")


def test_lesson_code_runs_in_a_real_trainee_server(hub, trainee):
    """Does lesson 0's code, run as a real hub trainee, read the catalogue and find the trainee's sandbox?"""
    lesson = json.loads(runner.lessons("00_hajimeni")[0].read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in lesson["cells"] if c["cell_type"] == "code")
    my_org = (REPO / "courses" / "odtb" / "src" / "_include" / "my_org.inc").read_text(encoding="utf-8")
    code += "\n" + my_org + "\nprint('ORG=' + find_my_organization()['name'], os.environ.get('CKAN_SANDBOX_ORG'))\n"
    out = hub.run_code(trainee, code, timeout=120)
    assert out["error"] is None, out
    assert "24 の町丁目があります" in out["stdout"]
    org_line = next(line for line in out["stdout"].splitlines() if line.startswith("ORG="))
    org, expected = org_line[4:].split()
    assert org == expected

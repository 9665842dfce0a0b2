"""Sandboxed parallel grading end to end: same results as serial, crash recovery, export, CLI."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from classroom.export import FIRST, Trainee, header, table, write
from grader.batch import REPO, grade_assignment
from grader.layout import done_marker, pending_students

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="grading drops kernels to other uids only as root"),
]

CORRECT = "def goukei(xs):\n    return sum(xs)\n"
HALF = "def goukei(xs):\n    return 3\n"  # passes the visible check only (still 0: one test cell)
WRONG = "def goukei(xs):\n    return 0\n"
ANSWERS = {"taro": CORRECT, "hanako": WRONG, "jiro": HALF, "yuki": CORRECT, "ken": WRONG, "mai": CORRECT}
EXPECTED = {"taro": 2, "hanako": 0, "jiro": 0, "yuki": 2, "ken": 0, "mai": 2}


@pytest.fixture(scope="module")
def template(layout, tmp_path_factory):
    """An ungraded course with six collected submissions."""
    base = tmp_path_factory.mktemp("grading")
    specs = []
    for student, code in ANSWERS.items():
        (base / student).write_text(code)
        specs.append(f"{student}={base / student}")
    hub_bin = layout.hub_venv / "bin"
    root = base / "template"
    subprocess.run(
        [
            str(hub_bin / "python"),
            "-m",
            "grader.coursebuilder",
            str(root),
            "gt",
            "a1",
            str(hub_bin / "nbgrader"),
            *specs,
        ],
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(base)},
    )
    return root


def _grade(layout, root: Path, workers: int, **kw):
    return grade_assignment(
        root=root, course="gt", assignment="a1", python=layout.hub_venv / "bin" / "python", workers=workers, **kw
    )


def _scores(result) -> dict:
    return {s: r["score"] for s, r in result.graded.items()}


def test_are_parallel_results_identical_to_serial(layout, template, tmp_path):
    """Do two workers give exactly the scores one worker gives (and the right ones)?"""
    serial = _grade(layout, shutil.copytree(template, tmp_path / "serial"), 1)
    parallel = _grade(layout, shutil.copytree(template, tmp_path / "parallel"), 2)
    assert not serial.failed and not parallel.failed
    assert _scores(serial) == _scores(parallel) == EXPECTED


def test_does_a_killed_worker_lose_no_grade(layout, template, tmp_path):
    """When a worker is killed mid-batch, is every submission still graded (retried on a fresh worker)?"""
    root = shutil.copytree(template, tmp_path / "killed")
    killed = []

    def kill_one(_result):
        if not killed:
            out = subprocess.run(["pgrep", "-f", f"grader.worker --root {root} "], capture_output=True, text=True)
            pids = [int(p) for p in out.stdout.split()]
            if pids:
                os.kill(pids[-1], 9)
                killed.append(pids[-1])

    result = _grade(layout, root, 2, on_done=kill_one)
    assert killed
    assert not result.failed
    assert _scores(result) == EXPECTED


def test_does_a_rerun_grade_only_what_is_left(layout, template, tmp_path):
    """After an interrupted run (one submission without its done-marker), does a re-run grade just that one?"""
    root = shutil.copytree(template, tmp_path / "rerun")
    assert not _grade(layout, root, 2).failed
    done_marker(root, "a1", "jiro").unlink()
    assert pending_students(root, "a1") == ["jiro"]
    again = _grade(layout, root, 2)
    assert list(again.graded) == ["jiro"] and again.skipped == len(ANSWERS) - 1
    assert pending_students(root, "a1") == []


def test_do_exports_keep_japanese_intact(layout, template, tmp_path):
    """Graded for real, does the export (roster trainees only) carry a UTF-8 BOM and Japanese headers, and does
    the xlsx open in openpyxl?"""
    from classroom import sources

    root = shutil.copytree(template, tmp_path / "export")
    _grade(layout, root, 2)
    _, scores = sources.gradebook(root / "gradebook.db")
    trainees = [Trainee("taro", "山田 太郎", "企画課"), Trainee("hanako", "鈴木 花子", "防災課")]
    sent = {k: "2026-12-06 18:47:00.000000 JST" for k in scores}
    rows = table(trainees, ["a1"], scores, sent, pass_ratio=0.6)
    write(tmp_path / "g.csv", header(["a1"]), rows, "csv")
    write(tmp_path / "g.xlsx", header(["a1"]), rows, "xlsx")
    raw = (tmp_path / "g.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    got = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert got[0] == header(["a1"]) and len(got) == 3
    taro = next(r for r in got if r[0] == "taro")
    assert taro[1:5] == ["山田 太郎", "企画課", "", "2.0"] and taro[-3] == "済"
    hanako = next(r for r in got if r[0] == "hanako")
    assert hanako[-3] == "未"  # 0 of 2: below the pass mark
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "g.xlsx").active
    assert [c.value for c in ws[1]] == header(["a1"]) and ws.max_row == 3


def test_does_course_list_show_the_configured_courses(layout):
    """Does `course list --json` list every configured course with its assignments?"""
    from testbed_cli.cli import Ctx
    from testbed_cli.commands.course import course

    res = CliRunner().invoke(course, ["list", "--json"], obj=Ctx(os.environ.get("TESTBED_CONFIG")))
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {c["course"] for c in data} == {c.id for c in layout.cfg.courses}
    assert all(set(a) == {"name", "released"} for c in data for a in c["assignments"])


def test_is_an_unknown_assignment_refused_in_japanese(layout):
    """Does releasing a missing assignment fail with a Japanese message naming it, changing nothing?"""
    from testbed_cli.cli import main
    from testbed_cli.commands.course import course

    if "course" not in main.commands:
        main.add_command(course)
    before = sorted(p.name for p in layout.exchange.rglob("*"))
    res = CliRunner().invoke(main, ["course", "release", "no-such-kadai"])
    assert res.exit_code == 1
    assert "no-such-kadai" in res.output and "ありません" in res.output
    assert sorted(p.name for p in layout.exchange.rglob("*")) == before


def test_does_grading_an_unknown_assignment_fail_clearly(layout):
    """Does `grade NAME` for a missing assignment fail in Japanese before collecting anything?"""
    from testbed_cli.cli import main
    from testbed_cli.commands.grade import grade

    if "grade" not in main.commands:
        main.add_command(grade)
    res = CliRunner().invoke(main, ["grade", "no-such-kadai", "--course", layout.cfg.courses[0].id])
    assert res.exit_code == 1
    assert "no-such-kadai" in res.output and "ありません" in res.output


def test_does_grade_export_write_a_bom_csv(layout, tmp_path):
    """Does `grade export` write a UTF-8-BOM CSV with the Japanese header for a configured course?"""
    from testbed_cli.cli import main
    from testbed_cli.commands.grade import grade

    if "grade" not in main.commands:
        main.add_command(grade)
    out = tmp_path / "seiseki.csv"
    res = CliRunner().invoke(main, ["grade", "export", "--course", layout.cfg.courses[0].id, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf" + ",".join(FIRST).encode())


def test_is_an_early_released_page_named_as_nbgrader_names_it(layout):
    """grader.release names a page without importing nbgrader: is it nbgrader's own name for it?"""
    from grader.release import feedback_name

    cases = [("3f2a9c", "kadai_01_kokai"), ("秘密", "kyozai_00")]
    code = (
        "import json, sys\nfrom nbgrader.utils import notebook_hash\n"
        "print(json.dumps([notebook_hash(secret=s, notebook_id=n) for s, n in json.loads(sys.argv[1])]))"
    )
    out = subprocess.run(
        [str(layout.hub_venv / "bin" / "python"), "-c", code, json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == [feedback_name(s, n) for s, n in cases]


def test_does_a_kept_pool_grade_again_with_the_same_workers_and_release_at_once(layout, template, tmp_path):
    """Remote mode's autograder keeps an assignment's workers between rounds: does a second batch use the same
    worker processes, is a worker killed between batches replaced, and does each worker release the feedback
    it made to the exchange at once (under nbgrader's name for it)?"""
    from grader.batch import BatchResult, Pool
    from grader.layout import pending_students
    from grader.release import feedback_name

    root = shutil.copytree(template, tmp_path / "pool")
    for student in ANSWERS:  # as nbgrader's submit leaves it (the builder's submissions have none)
        (root / "submitted" / student / "a1" / "submission_secret.txt").write_text(f"secret-{student}")
    exchange = tmp_path / "exchange" / "gt"
    (exchange / "feedback").mkdir(parents=True)
    pool = Pool(
        root=root,
        course="gt",
        assignment="a1",
        python=layout.hub_venv / "bin" / "python",
        workers=2,
        release_to=exchange,
        log_path=tmp_path / "pool.log",
    )
    try:
        first = BatchResult()
        pool.grade(["taro", "hanako", "jiro"], first)
        pids = {slot: w.proc.pid for slot, w in pool.workers.items()}
        assert len(pids) == 2 and all(w.proc.poll() is None for w in pool.workers.values())
        second = BatchResult()
        pool.grade(["yuki"], second)
        assert pool.workers[0].proc.pid == pids[0]  # the same process graded again
        os.kill(pids[0], 9)
        pool.workers[0].proc.wait()
        third = BatchResult()
        pool.grade(["ken", "mai"], third)
        assert pool.workers[0].proc.pid != pids[0]
        assert not first.failed and not second.failed and not third.failed, (tmp_path / "pool.log").read_text()[-2000:]
        assert {**_scores(first), **_scores(second), **_scores(third)} == EXPECTED
        assert all(r.get("released") == 1 for b in (first, second, third) for r in b.graded.values())
        assert pending_students(root, "a1") == []
        for student in ANSWERS:
            folder = root / "feedback" / student / "a1"
            page = (
                exchange
                / "feedback"
                / (feedback_name((folder / "submission_secret.txt").read_text(), "kadai") + ".html")
            )
            assert page.read_text() == (folder / "kadai.html").read_text()
    finally:
        pool.close()
    assert not pool.workers

"""Japan time on every surface a person reads a submission time: a submission at a known UTC instant is shown +9 h
(and never as UTC) on the board, the trainee page, the grade export (CSV and xlsx) and the certificate; a real
submission through the trainee's JupyterLab shows its stored instant in Japan time in the Assignment List, on the
board and in the feedback."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
import requests
from helpers.course import live_assignment, run_testbed
from helpers.gradebook import graded
from helpers.progress import _inbound, cohort_member, login
from pypdf import PdfReader

from classroom import sources, stamps
from grader.courses import course_root
from testbed_config.japan_time import JST, japanese

pytestmark = pytest.mark.integration

# 15:30 UTC on 30 November is 00:30 on 1 December in Japan: the date differs too
INSTANT = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)


def renderings(at: datetime) -> dict[str, list[str]]:
    """How a time reads in Japan time, and the same wall-clock forms in UTC (which must never show)."""

    def forms(d: datetime) -> list[str]:
        return [f"{d.month}/{d.day} {d:%H:%M}", f"{d.year}年{d.month}月{d.day}日", f"{d:%Y-%m-%d %H:%M}"]

    return {"japan": forms(at.astimezone(JST)), "utc": forms(at.astimezone(UTC))}


def _assert_japan(text: str, at: datetime, *, need: int = 1, where: str = "") -> None:
    r = renderings(at)
    found = [f for f in r["japan"] if f in text]
    assert len(found) >= need, (where, r["japan"], text[:2000])
    # a UTC form that reads the same in Japan time (the date, when both fall on the same day) proves nothing
    wrong = [f for f in r["utc"] if f in text and f not in r["japan"]]
    assert not wrong, (where, wrong)


@contextlib.contextmanager
def inbound_at(layout, course: str, user: str, assignment: str, at: datetime):
    """A submission folder as nbgrader writes it with ``Exchange.timezone`` = Japan time, at instant ``at``."""
    ts = at.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S.%f JST")
    path = _inbound(layout, course) / f"{layout.cfg.unix_user_prefix}{user}+{assignment}+{ts}+{secrets.token_hex(4)}"
    path.mkdir()
    (path / "timestamp.txt").write_text(ts)
    try:
        yield
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _url(hub, course: str, path: str = "") -> str:
    return f"{hub.public}/services/progress-{course}/{path}"


def test_a_known_utc_instant_reads_in_japan_time_everywhere(hub, layout, stack_config, unique, tmp_path):
    """Submitted at 2026-11-30 15:30 UTC: do the board, the trainee page, the CSV and xlsx export and the
    certificate say 12月1日 00:30 (Japan time), never 11月30日 / 15:30?"""
    course = stack_config.courses[0]
    required = sources.course_assignments(layout.course_home(course.id) / course.id / "source")
    assert required
    name = f"jt{unique()}"
    stamp = INSTANT.strftime("%Y-%m-%d %H:%M:%S.%f")  # nbgrader's gradebook: naive UTC
    with (
        cohort_member(hub, layout, course.id, name, "時刻 確子", "pass-jt-1234"),
        graded(layout, course.id, name, {a: (9.0, 10.0) for a in required}, timestamp=stamp),
        inbound_at(layout, course.id, name, required[0], INSTANT),
    ):
        teacher = login(hub, course.instructors[0], (layout.secrets / "instructor-password").read_text().strip())
        board = teacher.get(_url(hub, course.id), timeout=30)
        assert board.status_code == 200
        row = re.search(rf'<tr data-user="{name}">.*?</tr>', board.text, re.S)
        assert row, board.text[:500]
        _assert_japan(row.group(0), INSTANT, where="board")

        page = teacher.get(_url(hub, course.id, "trainee"), params={"user": name}, timeout=30).text
        _assert_japan(page, INSTANT, where="trainee page")
        assert japanese(INSTANT) in page  # 2026年12月1日(火) 00:30

        for fmt in ("csv", "xlsx"):
            out = tmp_path / f"grades.{fmt}"
            res = run_testbed("grade", "export", "--course", course.id, "--format", fmt, "-o", str(out))
            assert res.returncode == 0, res.stdout + res.stderr
            if fmt == "csv":
                rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
            else:
                rows = [[str(c) if c is not None else "" for c in r] for r in openpyxl.load_workbook(out).active.values]
            mine = next(r for r in rows if r and r[0] == name)
            done_on = mine[rows[0].index("修了日")]
            assert done_on.startswith("2026-12-01") or "12月1日" in done_on, (fmt, done_on)
            assert "11-30" not in " ".join(mine) and "11月30日" not in " ".join(mine), (fmt, mine)

        own = login(hub, name, "pass-jt-1234")
        pdf = own.get(_url(hub, course.id, "certificate.pdf"), timeout=60)
        assert pdf.status_code == 200, pdf.text[:300]
        text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        assert "12月1日" in text and "11月30日" not in text, text


def test_a_real_submission_reads_in_japan_time_in_the_assignment_list_board_and_feedback(
    hub, layout, stack_config, unique
):
    """Submitted for real through the trainee's JupyterLab: is the instant nbgrader stored shown in Japan time by the
    Assignment List, the board and the feedback (and never in UTC)?"""
    course = stack_config.courses[0].id
    name = f"jr{unique()}"
    with (
        live_assignment(layout, "00_hajimeni", f"jr_{unique()}") as (_, assignment),
        cohort_member(hub, layout, course, name, "時刻 実子", "pass-jr-1234"),
    ):
        assert run_testbed("course", "release", assignment, "--course", course).returncode == 0
        hub.start_server(name)
        base, auth = f"{hub.public}/user/{name}", hub._h()
        args = {"course_id": course, "assignment_id": assignment}
        for action in ("fetch", "submit"):
            r = requests.post(f"{base}/assignments/{action}", params=args, headers=auth, timeout=120)
            assert r.status_code == 200 and r.json()["success"], r.text
        student = stack_config.unix_user_prefix + name
        [folder] = (layout.exchange / course / "inbound").glob(f"{student}+{assignment}+*")
        stored = (folder / "timestamp.txt").read_text().strip()
        at = stamps.parse(stored)  # the instant nbgrader stored (its text carries the zone)
        assert at is not None, stored

        listed = requests.get(f"{base}/assignments", params={"course_id": course}, headers=auth, timeout=120).json()
        mine = [a for a in listed["value"] if a["assignment_id"] == assignment and a["status"] == "submitted"]
        shown = [sub["timestamp"] for a in mine for sub in a.get("submissions", [])]
        assert shown, listed
        jst, utc = at.astimezone(JST), at.astimezone(UTC)
        for s in shown:  # read by value (the panel may word it in Japanese): Japan date and clock, never UTC's
            assert f"{jst:%Y-%m-%d}" in s or f"{jst.year}年{jst.month}月{jst.day}日" in s, (s, stored)
            assert f"{jst:%H:%M:%S}" in s and f"{utc:%H:%M}" not in s, (s, stored)

        teacher = login(
            hub, stack_config.courses[0].instructors[0], (layout.secrets / "instructor-password").read_text().strip()
        )
        page = teacher.get(_url(hub, course, "trainee"), params={"user": name}, timeout=30).text
        _assert_japan(page, at, where="trainee page (real)")

        res = run_testbed("grade", assignment, "--course", course, timeout=600)
        assert res.returncode == 0, res.stdout + res.stderr
        feedback = sorted((course_root(layout, course) / "feedback" / student / assignment).glob("*.html"))
        assert feedback, res.stdout
        html = Path(feedback[0]).read_text(encoding="utf-8")
        _assert_japan(html, at, where="feedback")
        assert "提出" in html


def test_a_datasets_page_reads_its_times_in_japan_time_whatever_the_browsers_zone(ckan_admin):
    """Does a dataset's page write its created/modified times in Japan time on the server (年月日, never UTC), and
    without CKAN's script that rewrites them into the browser's zone (a PC set to UTC would read UTC)?"""
    found = ckan_admin.action.package_search(rows=1, sort="metadata_created asc")["results"][0]
    page = requests.get(f"{ckan_admin.address}/dataset/{found['name']}", timeout=30)
    assert page.status_code == 200
    created = datetime.fromisoformat(found["metadata_created"]).replace(tzinfo=UTC).astimezone(JST)
    assert f"{created.year}年{created.month}月{created.day}日 {created:%H:%M}" in page.text
    assert "automatic-local-datetime" not in page.text and "UTC" not in page.text

"""Completion certificates (修了証) against the running stack: served by the progress board to a trainee who
passed every assignment of the course, refused to anyone else, downloadable by the instructor."""

from __future__ import annotations

import io
import time

import pytest
from helpers.gradebook import graded
from helpers.progress import cohort_member, login
from pypdf import PdfReader

from classroom import sources

pytestmark = pytest.mark.integration

# 2026-12-01 00:30 in Japan: the certificate is dated in Japan time, not in nbgrader's UTC
SUBMITTED_AT = "2026-11-30 15:30:00.000000"
PASS_A, PASS_B = "pass-a-1234", "pass-b-1234"


def _url(hub, course: str, path: str = "") -> str:
    return f"{hub.public}/services/progress-{course}/{path}"


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


@pytest.fixture
def course_setup(hub, layout, stack_config, unique):
    """Two trainees of the first course (with 氏名), and the course's assignments as the board counts them."""
    course = stack_config.courses[0]
    required = sources.course_assignments(layout.course_home(course.id) / course.id / "source")
    assert required, "the course has no assignments in its source folder (./testbed up copies the curriculum)"
    a, b = f"ca{unique()}", f"cb{unique()}"
    with cohort_member(hub, layout, course.id, a, "修了 太郎", PASS_A):
        with cohort_member(hub, layout, course.id, b, "未修 花子", PASS_B):
            yield course, required, a, b


def _rows_when(session, hub, course: str, users: set[str], timeout: float = 30) -> dict[str, dict]:
    """The board's rows once it lists ``users`` (its view of the cohort may lag the hub by ~10 s)."""
    deadline = time.monotonic() + timeout
    while True:
        r = session.get(_url(hub, course, "api/progress"), timeout=30)
        assert r.status_code == 200, r.text[:300]
        rows = {row["username"]: row for row in r.json()["trainees"]}
        if users <= set(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(1)


def _instructor(hub, layout, course):
    return login(hub, course.instructors[0], (layout.secrets / "instructor-password").read_text().strip())


def test_a_trainee_who_passed_everything_downloads_their_certificate(hub, layout, course_setup):
    """Does a trainee with passing grades in every assignment see the download button and get a one-page PDF
    naming them, the course and the completion date, whose number matches the board's?"""
    course, required, a, _ = course_setup
    title = course.title or f"コース {course.id}"
    scores = {name: (8.0, 10.0) for name in required}
    with graded(layout, course.id, a, scores, timestamp=SUBMITTED_AT):
        sa = login(hub, a, PASS_A)
        page = sa.get(_url(hub, course.id), timeout=30)
        assert page.status_code == 200 and "修了証をダウンロード (PDF)" in page.text, page.text[:500]
        row = sa.get(_url(hub, course.id, "api/progress"), timeout=30).json()["trainees"][0]
        assert row["username"] == a and row["completion"]["completed"] is True
        assert row["completion"]["completed_on"] == "2026-12-01"

        r = sa.get(_url(hub, course.id, "certificate.pdf"), timeout=60)
        assert r.status_code == 200, r.text[:500]
        assert r.headers["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
        assert "attachment" in r.headers["Content-Disposition"]
        text = _pdf_text(r.content)
        for expected in ("修了証", "修了 太郎", "テスト課", title, "2026年）12月1日", "8 / 10"):
            assert expected in text, (expected, text)
        assert row["completion"]["certificate_number"] in text


def test_another_trainee_gets_403(hub, layout, course_setup):
    """Is a trainee who has not passed refused their own certificate and someone else's (403, in Japanese)?"""
    course, required, a, b = course_setup
    with graded(layout, course.id, a, {name: (10.0, 10.0) for name in required}, timestamp=SUBMITTED_AT):
        sb = login(hub, b, PASS_B)
        own = sb.get(_url(hub, course.id, "certificate.pdf"), timeout=30)
        assert own.status_code == 403 and "まだこのコースを修了していません" in own.text
        assert not own.content.startswith(b"%PDF")
        other = sb.get(_url(hub, course.id, f"certificate.pdf?user={a}"), timeout=30)
        assert other.status_code == 403 and "ほかの研修生の修了証" in other.text
        assert not other.content.startswith(b"%PDF") and "修了 太郎" not in other.text
        page = sb.get(_url(hub, course.id), timeout=30)
        assert "修了証をダウンロード" not in page.text and f"あと {len(required)} 課題" in page.text


def test_one_assignment_below_the_pass_mark_withholds_the_certificate(hub, layout, course_setup):
    """Is a trainee who passed all but one assignment refused (403) and told which assignment is left?"""
    course, required, a, _ = course_setup
    low = required[-1]
    scores = {name: (10.0, 10.0) for name in required} | {low: (1.0, 10.0)}
    with graded(layout, course.id, a, scores, timestamp=SUBMITTED_AT):
        sa = login(hub, a, PASS_A)
        assert sa.get(_url(hub, course.id, "certificate.pdf"), timeout=30).status_code == 403
        page = sa.get(_url(hub, course.id), timeout=30).text
        assert "あと 1 課題" in page and low in page and "修了証をダウンロード" not in page


def test_the_instructor_sees_who_completed_and_downloads_any_certificate(hub, layout, course_setup):
    """Does the instructor's board show who has completed, and serve that trainee's certificate via ?user=?"""
    course, required, a, b = course_setup
    with graded(layout, course.id, a, {name: (9.0, 10.0) for name in required}, timestamp=SUBMITTED_AT):
        teacher = _instructor(hub, layout, course)
        rows = _rows_when(teacher, hub, course.id, {a, b})
        assert rows[a]["completion"]["completed"] is True and rows[b]["completion"]["completed"] is False
        page = teacher.get(_url(hub, course.id), timeout=30).text
        assert f'certificate.pdf?user={a}"' in page and f"certificate.pdf?user={b}" not in page
        r = teacher.get(_url(hub, course.id, f"certificate.pdf?user={a}"), timeout=60)
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        assert "修了 太郎" in _pdf_text(r.content)
        assert teacher.get(_url(hub, course.id, f"certificate.pdf?user={b}"), timeout=30).status_code == 403

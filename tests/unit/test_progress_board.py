"""Unit tests of the progress board's pure parts: parsing the exchange, the gradebook, building rows; self-check
marks left by the course's check() helper; deadlines on the board."""

from __future__ import annotations

import json
import os
import pwd
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from classroom import board, console_page, deadlines, marks, page, selfcheck, sources
from classroom.completion import Rule
from classroom.deadlines import JST
from classroom.sources import Facts, Score

pytestmark = pytest.mark.unit

CHECK_INC = Path(__file__).resolve().parents[2] / "courses" / "odtb" / "src" / "_include" / "check.inc"

RULE = Rule(pass_ratio=0.6, key=b"unit-test-key")


def _exchange(tmp_path, released=(), submitted=()):
    ex = tmp_path / "exchange" / "odtb"
    for a in released:
        (ex / "outbound" / a).mkdir(parents=True)
    (ex / "inbound").mkdir(parents=True)
    for name in submitted:
        (ex / "inbound" / name).mkdir()
    return ex


def test_submission_folder_names_parse_with_and_without_random_suffix():
    """Are nbgrader's inbound names (user+assignment+timestamp[+random]) split, and others ignored?"""
    ts = "2026-11-25 15:00:00.000001 JST"
    assert sources.parse_submission(f"alice+kadai01+{ts}") == ("alice", "kadai01", ts)
    assert sources.parse_submission(f"alice+kadai01+{ts}+AbC-dEf_") == ("alice", "kadai01", ts)
    for bad in ("alice", "alice+kadai01", "+kadai01+x", "a+b+c+d+e", ".nfs0001"):
        assert sources.parse_submission(bad) is None


def test_latest_submission_wins_and_released_assignments_are_listed(tmp_path):
    """Does the board keep each trainee's latest submission per assignment, and list released ones in order?"""
    ex = _exchange(
        tmp_path,
        released=["kadai02", "kadai01", ".hidden"],
        submitted=[
            "alice+kadai01+2026-11-25 10:00:00.000000 JST+r1",
            "alice+kadai01+2026-11-25 11:00:00.000000 JST+r2",
            "bob+kadai02+2026-11-25 09:00:00.000000 JST",
            "junk",
        ],
    )
    assert sources.released_assignments(ex) == ["kadai01", "kadai02"]
    assert sources.submissions(ex) == {
        ("alice", "kadai01"): "2026-11-25 11:00:00.000000 JST",
        ("bob", "kadai02"): "2026-11-25 09:00:00.000000 JST",
    }


def test_missing_sources_give_an_empty_board(tmp_path):
    """Does a course with no exchange folder, gradebook or roster yet give empty facts instead of an error?"""
    facts = sources.collect(tmp_path / "none", tmp_path / "gradebook.db", tmp_path / "roster.json")
    assert facts == Facts()
    (tmp_path / "gradebook.db").write_bytes(b"")  # created by nbgrader but without tables yet
    assert sources.gradebook(tmp_path / "gradebook.db") == ([], {})


def _gradebook(path):
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE assignment (id TEXT PRIMARY KEY, name TEXT);
        CREATE TABLE submitted_assignment (id TEXT PRIMARY KEY, assignment_id TEXT, student_id TEXT,
                                           timestamp DATETIME);
        CREATE TABLE submitted_notebook (id TEXT PRIMARY KEY, assignment_id TEXT);
        CREATE TABLE grade_cells (id TEXT PRIMARY KEY, max_score REAL);
        CREATE TABLE grade (id TEXT PRIMARY KEY, notebook_id TEXT, cell_id TEXT, auto_score REAL,
                            manual_score REAL, extra_credit REAL, needs_manual_grade BOOLEAN);
        INSERT INTO assignment VALUES ('A1', 'kadai01'), ('A2', 'kadai02');
        INSERT INTO submitted_assignment VALUES ('S1', 'A1', 'alice', '2026-11-25 02:00:00.000000'),
                                                ('S2', 'A1', 'bob', '2026-11-25 03:00:00.000000');
        INSERT INTO submitted_notebook VALUES ('N1', 'S1'), ('N2', 'S2');
        INSERT INTO grade_cells VALUES ('C1', 2), ('C2', 3);
        INSERT INTO grade VALUES ('G1', 'N1', 'C1', 2, NULL, NULL, 0), ('G2', 'N1', 'C2', 0, 1.5, 0.5, 1),
                                 ('G3', 'N2', 'C1', NULL, NULL, NULL, 1), ('G4', 'N2', 'C2', NULL, NULL, NULL, 1);
        """
    )
    conn.commit()
    conn.close()


def test_gradebook_scores_prefer_manual_scores_and_skip_ungraded(tmp_path):
    """Is a score manual-over-auto plus extra credit out of the cells' maximum, with ungraded ones left out?"""
    db = tmp_path / "gradebook.db"
    _gradebook(db)
    names, scores = sources.gradebook(db)
    assert names == ["kadai01", "kadai02"]
    assert scores == {("alice", "kadai01"): Score(4.0, 5.0, False, "2026-11-25 02:00:00.000000")}


def test_gradebook_flags_answers_waiting_for_manual_grading(tmp_path):
    """Is a graded submission with an unanswered manual-grade cell flagged as waiting for the instructor?"""
    db = tmp_path / "gradebook.db"
    _gradebook(db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE grade SET manual_score = NULL WHERE id = 'G2'")
    conn.commit()
    conn.close()
    score = sources.gradebook(db)[1][("alice", "kadai01")]
    assert (score.score, score.max_score, score.needs_manual) == (2.5, 5.0, True)  # 2 + auto 0 + extra 0.5


def test_roster_export_gives_names_and_tolerates_a_broken_file(tmp_path):
    """Are 氏名/所属 read from the roster export, and is a broken export treated as no names?"""
    path = tmp_path / "roster.json"
    path.write_text(json.dumps([{"username": "alice", "fullname": "山田 花子", "dept": "企画課"}]), encoding="utf-8")
    assert sources.roster_names(path) == {"alice": ("山田 花子", "企画課")}
    path.write_text("{not json", encoding="utf-8")
    assert sources.roster_names(path) == {}


def _facts():
    return Facts(
        released=["kadai01", "kadai02"],
        fetched={("bob", "kadai02")},
        submitted={("alice", "kadai01"): "2026-11-25 11:00:00.000000 JST", ("zed", "kadai03"): "t"},
        scores={("alice", "kadai01"): Score(4, 5, False)},
        graded_assignments=["kadai01"],
        names={"alice": ("山田 花子", "企画課")},
    )


def test_board_rows_cover_the_cohort_and_anyone_who_submitted():
    """Does the board have a row for every cohort member and every submitter, and a cell per assignment?"""
    b = board.build(_facts(), ["alice", "bob"], "odtb", RULE)
    assert b["assignments"] == ["kadai01", "kadai02", "kadai03"]
    assert [r["username"] for r in b["trainees"]] == ["alice", "bob", "zed"]
    alice = b["trainees"][0]
    assert (alice["fullname"], alice["dept"], alice["submitted_count"]) == ("山田 花子", "企画課", 1)
    k1 = alice["assignments"]["kadai01"]
    assert k1["submitted"] and k1["scored"] and (k1["score"], k1["max_score"]) == (4, 5)
    assert k1["fetched"] and k1["validated"] is False  # no self-check mark
    bob = b["trainees"][1]["assignments"]
    assert not bob["kadai01"]["submitted"] and bob["kadai02"]["fetched"] and not bob["kadai02"]["submitted"]


def test_trainee_sees_only_their_row_and_instructor_sees_all():
    """Does a trainee's view hold only their own row, while an instructor's holds everyone?"""
    b = board.build(_facts(), ["alice", "bob"], "odtb", RULE)
    assert [r["username"] for r in board.visible_to(b, "bob", instructor=False)["trainees"]] == ["bob"]
    assert board.visible_to(b, "stranger", instructor=False)["trainees"] == []
    assert len(board.visible_to(b, "instructor", instructor=True)["trainees"]) == 3


def test_page_is_japanese_escaped_and_self_contained():
    """Is the page in Japanese, with names escaped and no script or style fetched from elsewhere?"""
    facts = _facts()
    facts.names["bob"] = ("<script>alert(1)</script>", "")
    view = board.visible_to(board.build(facts, ["alice", "bob"], "odtb", RULE), "instructor", instructor=True)
    html = page.render(view, "2026-11-25 15:00:00")
    assert '<html lang="ja">' in html and "進捗ボード" in html and "自己チェック" in html and "未対応" not in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html
    assert "4 / 5" in html


def test_submissions_and_scores_are_keyed_by_hub_name(tmp_path):
    """Are nbgrader's student ids (Unix accounts ``jupyter-NAME``) shown under the hub user NAME?"""
    ex = _exchange(tmp_path, submitted=["jupyter-alice+kadai01+2026-11-25 10:00:00.000000 JST+r1"])
    facts = sources.collect(ex, tmp_path / "gradebook.db", tmp_path / "roster.json", "jupyter-")
    assert facts.submitted == {("alice", "kadai01"): "2026-11-25 10:00:00.000000 JST"}
    assert sources.hub_name("grader-odtb", "jupyter-") == "grader-odtb"


def test_fetch_mark_counts_only_when_owned_by_the_account_it_names(tmp_path):
    """Is a fetch mark left in the drop box read back, and one named after another account ignored?"""
    ex = tmp_path / "exchange" / "odtb"
    ex.parent.mkdir()
    marks.ensure_dropbox(ex)
    assert (ex / "progress").stat().st_mode & 0o7777 == 0o1733
    me = pwd.getpwuid(os.geteuid()).pw_name
    marks.mark(ex.parent, "odtb", me, "kadai01")
    marks.mark(ex.parent, "odtb", me, "kadai01")  # a second fetch is fine
    marks.mark(ex.parent, "odtb", "someone-else", "kadai01")  # forged: owned by me, not by someone-else
    (ex / "progress" / "junk").write_text("")
    assert marks.read(ex) == {(me, "kadai01")}


def test_a_missing_drop_box_never_breaks_a_fetch(tmp_path):
    """Does leaving a mark without a drop box (course never released) do nothing instead of failing?"""
    marks.mark(tmp_path, "odtb", "alice", "kadai01")
    assert marks.read(tmp_path / "odtb") == set()


def test_error_pages_are_japanese_and_say_what_to_do():
    """Does a refused or failed request get a short Japanese page naming what to do, without details?"""
    assert "ログインしてください" in page.error(403)
    assert "講師に連絡" in page.error(500) and "Traceback" not in page.error(500)


def test_roster_export_gives_cohorts_and_deadlines_and_still_reads_the_older_list(tmp_path):
    """Does the board read 期 and deadlines from the export, skip unreadable deadlines, and read an older export
    (a plain list of members, left until the next ./testbed up) as names only?"""
    path = tmp_path / "roster.json"
    export = {
        "members": [
            {"username": "alice", "fullname": "山田 花子", "dept": "企画課", "cohort": "1期"},
            {"username": "bob", "fullname": "佐藤 一郎", "dept": "", "cohort": ""},
        ],
        "deadlines": [
            {"assignment": "kadai01", "cohort": "", "due": "2026-12-20T23:59:00+09:00"},
            {"assignment": "kadai01", "cohort": "1期", "due": "2026-12-10T17:00:00+09:00"},
            {"assignment": "kadai02", "cohort": "", "due": "not a time"},
        ],
    }
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    r = sources.roster(path)
    assert r.names["alice"] == ("山田 花子", "企画課") and r.cohorts == {"alice": "1期"}
    assert r.deadlines == {
        ("kadai01", ""): datetime(2026, 12, 20, 23, 59, tzinfo=JST),
        ("kadai01", "1期"): datetime(2026, 12, 10, 17, 0, tzinfo=JST),
    }
    path.write_text(json.dumps(export["members"]), encoding="utf-8")
    assert sources.roster(path).names["bob"] == ("佐藤 一郎", "") and sources.roster(path).deadlines == {}


# self-check marks -------------------------------------------------------------------------------------


@pytest.fixture
def course_folder(tmp_path):
    """An exchange with course odtb (drop box, kadai01 released) and a trainee's fetched folder ~/odtb/kadai01."""
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    marks.ensure_dropbox(exchange / "odtb")
    (exchange / "odtb" / "outbound" / "kadai01").mkdir(parents=True)
    folder = tmp_path / "home" / "odtb" / "kadai01"
    folder.mkdir(parents=True)
    return exchange, folder


def test_a_passing_self_check_leaves_a_mark_the_board_shows(course_folder):
    """Does record() in a fetched assignment's folder leave a self-check mark, read back as 自己チェック 済?"""
    exchange, folder = course_folder
    me = pwd.getpwuid(os.geteuid()).pw_name
    assert selfcheck.record(exchange, folder) is True
    assert selfcheck.record(exchange, folder) is True  # every later check: nothing more to do
    assert marks.read(exchange / "odtb", marks.SELFCHECKED) == {(me, "kadai01")}
    assert marks.read(exchange / "odtb") == set()  # not a fetch mark
    facts = sources.collect(exchange / "odtb", exchange / "gradebook.db", exchange / "roster.json")
    row = board.build(facts, [me], "odtb", RULE)["trainees"][0]
    assert row["assignments"]["kadai01"]["validated"] is True
    assert ">済<" in page.render(board.visible_to(board.build(facts, [me], "odtb", RULE), me, instructor=False), "t")


def test_self_check_does_nothing_where_it_cannot_tell_where_it_is(course_folder, tmp_path, monkeypatch):
    """Is nothing recorded, and nothing raised, without the exchange variable, outside a released assignment's
    folder (an instructor's source/, an unreleased one), without a drop box, or with an unusable exchange?"""
    exchange, folder = course_folder
    monkeypatch.delenv(selfcheck.ENV, raising=False)
    monkeypatch.chdir(folder)
    assert selfcheck.record() is False  # the grading sandbox: no variable
    source = tmp_path / "grader" / "odtb" / "source" / "kadai01"
    source.mkdir(parents=True)
    unreleased = tmp_path / "home" / "odtb" / "kadai02"
    unreleased.mkdir()
    assert selfcheck.record(exchange, source) is False
    assert selfcheck.record(exchange, unreleased) is False
    assert selfcheck.record(tmp_path / "no-exchange", folder) is False
    (tmp_path / "file").write_text("")
    assert selfcheck.record(tmp_path / "file", folder) is False
    assert marks.read_all(exchange / "odtb") == {}


def test_the_course_check_helper_records_only_passing_checks(course_folder, monkeypatch):
    """Does the check() cell of the course (check.inc) leave the mark when a check passes, not when it fails, and
    still work where the board's module cannot be imported (the grading sandbox)?"""
    exchange, folder = course_folder
    monkeypatch.chdir(folder)
    monkeypatch.setenv(selfcheck.ENV, str(exchange))
    monkeypatch.syspath_prepend(str(CHECK_INC.parents[2]))  # odtbcheck, installed into the venv by ./testbed up
    ns: dict = {}
    exec(CHECK_INC.read_text(encoding="utf-8"), ns)
    with pytest.raises(AssertionError, match="どこが違うか"):
        ns["check"](False, "値が違います。", "直してください。")
    assert marks.read(exchange / "odtb", marks.SELFCHECKED) == set()
    ns["check"](True, "値が違います。", "直してください。")
    assert len(marks.read(exchange / "odtb", marks.SELFCHECKED)) == 1
    monkeypatch.setitem(__import__("sys").modules, "classroom.selfcheck", None)  # import fails
    sandbox: dict = {}
    exec(CHECK_INC.read_text(encoding="utf-8"), sandbox)
    sandbox["check"](True, "", "")
    with pytest.raises(AssertionError):
        sandbox["check"](False, "", "")


# deadlines on the board -----------------------------------------------------------------------------------


NOW = datetime(2026, 12, 15, 12, 0, tzinfo=JST)


def _deadline_facts():
    return Facts(
        released=["kadai01", "kadai02"],
        submitted={
            ("alice", "kadai01"): "2026-12-10 17:30:00.000000 JST",  # after her cohort's 17:00 deadline
            ("bob", "kadai01"): "2026-12-10 17:30:00.000000 JST",  # before the general one
        },
        selfchecked={("alice", "kadai01")},
        names={"alice": ("山田 花子", "企画課"), "bob": ("佐藤 一郎", "")},
        cohorts={"alice": "2026年度第1期"},
        deadlines={
            ("kadai01", ""): datetime(2026, 12, 20, 23, 59, tzinfo=JST),
            ("kadai01", "2026年度第1期"): datetime(2026, 12, 10, 17, 0, tzinfo=JST),
            ("kadai02", "2026年度第1期"): datetime(2026, 12, 12, 17, 0, tzinfo=JST),
            ("kadai03", ""): datetime(2026, 12, 25, 17, 0, tzinfo=JST),  # not released yet
        },
    )


def test_each_cell_shows_the_deadline_that_applies_and_whether_it_was_missed():
    """Does each trainee's cell carry their own deadline (cohort first), a late submission as late, a missing one
    past the deadline as overdue, and does each row list the trainee's deadlines soonest first?"""
    b = board.build(_deadline_facts(), ["alice", "bob", "carol"], "odtb", RULE, NOW)
    rows = {r["username"]: r for r in b["trainees"]}
    alice, bob, carol = rows["alice"], rows["bob"], rows["carol"]
    assert (alice["cohort"], bob["cohort"]) == ("2026年度第1期", "")
    a1, a2 = alice["assignments"]["kadai01"], alice["assignments"]["kadai02"]
    assert (a1["deadline"], a1["deadline_state"], a1["validated"]) == ("2026-12-10T17:00:00+09:00", "late", True)
    assert (a2["deadline"], a2["deadline_state"]) == ("2026-12-12T17:00:00+09:00", "overdue")
    b1, b2 = bob["assignments"]["kadai01"], bob["assignments"]["kadai02"]
    assert (b1["deadline"], b1["deadline_state"], b1["validated"]) == ("2026-12-20T23:59:00+09:00", "on_time", False)
    assert (b2["deadline"], b2["deadline_state"]) == (None, None)
    assert carol["assignments"]["kadai01"]["deadline_state"] == "open"
    assert [(d["assignment"], d["state"], d["upcoming"]) for d in alice["deadlines"]] == [
        ("kadai01", "late", False),
        ("kadai02", "overdue", False),
        ("kadai03", "open", True),
    ]
    assert [d["assignment"] for d in carol["deadlines"]] == ["kadai01", "kadai03"]


def test_a_graded_submission_without_its_inbound_folder_is_judged_by_its_gradebook_time():
    """Is lateness still judged when only the gradebook knows the submission (its time stored in UTC)?"""
    facts = _deadline_facts()
    facts.submitted.clear()
    facts.scores[("bob", "kadai01")] = Score(5, 5, False, "2026-12-20 15:30:00.000000")  # 00:30 JST on the 21st
    cell = board.build(facts, ["bob"], "odtb", RULE, NOW)["trainees"][0]["assignments"]["kadai01"]
    assert cell["submitted"] and cell["deadline_state"] == deadlines.LATE


def test_instructor_page_shows_the_cohort_column_and_late_and_overdue_cells():
    b = board.build(_deadline_facts(), ["alice", "bob"], "odtb", RULE, NOW)
    html = page.render(board.visible_to(b, "teacher", instructor=True), "2026-12-15 12:00:00", NOW)
    assert '<th rowspan="2">期</th>' in html and "2026年度第1期" in html
    assert "期限後" in html and "期限切れ" in html and "締切 12/10 17:00" in html and "締切 12/20 23:59" in html
    assert 'class="late"' in html and "これからの締切" not in html
    assert "「期限後」" in html and "「期限切れ」" in html  # the note explains both


def test_trainee_page_lists_their_upcoming_and_missed_deadlines():
    """Does a trainee's own page list the deadlines to come (with time left) and the ones missed without a
    submission, in Japanese?"""
    b = board.build(_deadline_facts(), ["alice", "bob"], "odtb", RULE, NOW)
    html = page.render(board.visible_to(b, "alice", instructor=False), "2026-12-15 12:00:00", NOW)
    assert "これからの締切" in html and "kadai03: 2026年12月25日(金) 17:00 まで (あと 10 日)" in html
    assert "まだ提出していない課題: kadai02 (締切 2026年12月12日(土) 17:00)" in html
    assert '<th rowspan="2">期</th>' not in html
    html = page.render(board.visible_to(b, "bob", instructor=False), "2026-12-15 12:00:00", NOW)
    assert "kadai01: 2026年12月20日(日) 23:59 まで (提出済み)" in html and "まだ提出していない課題" not in html


def test_the_console_counts_self_check_attempts_and_hints(course_folder):
    """Do a trainee's tries marks (two kernel sessions, two questions) reach the board's cell as totals, and the
    trainee page as 「N 回 (不合格 F)・ヒント H」 — and does a trainee with none show no such numbers?"""
    exchange, folder = course_folder
    me = pwd.getpwuid(os.geteuid()).pw_name
    assert selfcheck.record_tries("q1", 3, 2, 1, exchange_root=exchange, folder=folder)
    assert selfcheck.record_tries("q1", 4, 2, 2, exchange_root=exchange, folder=folder)  # the same session grows
    assert selfcheck.record_tries("q2", 1, 1, 0, solution=True, exchange_root=exchange, folder=folder)
    marks.mark(exchange, "odtb", me, "kadai01", marks.tries_kind("q1", "other", 2, 1, 0, False))  # a restart
    facts = sources.collect(exchange / "odtb", exchange / "gradebook.db", exchange / "roster.json")
    view = board.visible_to(board.build(facts, [me, "nobody"], "odtb", RULE), "instructor", instructor=True)
    rows = {r["username"]: r for r in view["trainees"]}
    got = rows[me]["assignments"]["kadai01"]
    assert (got["selfcheck_attempts"], got["selfcheck_failures"], got["hints_used"], got["solutions_shown"]) == (
        7,
        4,
        2,
        1,
    )
    html = console_page.trainee(view, rows[me], {})
    assert "7 回 (不合格 4)・ヒント 2・解答例 1" in html
    assert rows["nobody"]["assignments"]["kadai01"]["selfcheck_attempts"] is None
    assert "自己チェック (実行・不合格・ヒント・解答例)" not in console_page.trainee(view, rows["nobody"], {})

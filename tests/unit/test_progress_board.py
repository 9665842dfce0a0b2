"""Unit tests of the progress board's pure parts: parsing the exchange, the gradebook, building rows."""

from __future__ import annotations

import json
import sqlite3

from hub_config.progress import board, marks, page, sources
from hub_config.progress.completion import Rule
from hub_config.progress.sources import Facts, Score

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
    assert k1["fetched"] and k1["validated"] is None  # validation leaves no trace: shown as 未対応
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
    assert '<html lang="ja">' in html and "進捗ボード" in html and "自己チェック" in html and "未対応" in html
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
    import os
    import pwd

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

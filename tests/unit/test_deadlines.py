"""Deadlines (締切) per cohort (期): parsing and validation, which one applies, lateness, the roster database and
its migration and `./testbed cohort deadline` (no services; the grade book's 備考 on lateness: test_grade_export.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest
from click.testing import CliRunner

from classroom import deadlines
from classroom.deadlines import JST, DeadlineError
from testbed_cli import cohort_roster as roster
from testbed_cli.cli import main

pytestmark = pytest.mark.unit


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=JST)


# reading what instructors type ---------------------------------------------------------------------


def test_a_date_alone_means_the_end_of_that_day_in_japan_time():
    """Is `2026-12-20` read as 23:59 of that day, Japan time, whatever the machine's zone?"""
    due = deadlines.parse("2026-12-20")
    assert due == jst(2026, 12, 20, 23, 59) and due.utcoffset().total_seconds() == 9 * 3600


@pytest.mark.parametrize(
    ("day", "at"),
    [
        ("2026-12-20", "17:00"),
        ("2026/12/20", "17:00"),
        ("２０２６－１２－２０", "１７：００"),
        ("2026-12-20 17:00", None),
        ("2026年12月20日", "17時"),
    ],
)
def test_date_and_time_are_read_as_typed(day, at):
    """Are a time, slashes, full-width digits (typed in Japanese input mode), `DATE TIME` in one argument and
    Japanese-style dates and times read?"""
    assert deadlines.parse(day, at) == jst(2026, 12, 20, 17, 0)


@pytest.mark.parametrize(
    ("day", "at", "words"),
    [
        ("2026-13-01", None, ["2026-13-01", "ありません"]),
        ("2026-02-30", None, ["2026-02-30", "ありません"]),
        ("20261220", None, ["20261220", "2026-12-20 のように"]),
        ("来週", None, ["来週", "年-月-日"]),
        ("2026-12-20", "25:00", ["25:00", "17:00 のように"]),
        ("2026-12-20", "5pm", ["5pm", "24 時間制"]),
        ("2026-12-20", "17:60", ["17:60", "00:00〜23:59"]),
    ],
)
def test_a_bad_date_or_time_is_refused_naming_the_problem_and_the_fix(day, at, words):
    with pytest.raises(DeadlineError) as e:
        deadlines.parse(day, at)
    for w in words:
        assert w in str(e.value)


def test_cohort_names_are_normalised_and_checked():
    """Do full-width and half-width spellings of a cohort become one, and is an over-long name refused?"""
    assert deadlines.normalize_cohort(" ２０２６年度第１期　") == "2026年度第1期"
    assert deadlines.cohort_problem("2026年度第1期") is None
    assert "40 文字以内" in deadlines.cohort_problem("期" * 41)


# which deadline applies, and lateness -------------------------------------------------------------------


DUE = {
    ("00_hajimeni", ""): jst(2026, 12, 20, 23, 59),
    ("00_hajimeni", "2026年度第1期"): jst(2026, 12, 10, 17, 0),
    ("01_kokai", "2026年度第1期"): jst(2026, 12, 24, 17, 0),
}


def test_a_cohorts_own_deadline_wins_over_the_one_for_everyone():
    """Does a trainee of a cohort get their cohort's deadline, and others (another cohort, none) the general one?"""
    assert deadlines.applicable(DUE, "00_hajimeni", "2026年度第1期") == jst(2026, 12, 10, 17, 0)
    assert deadlines.applicable(DUE, "00_hajimeni", "2026年度第2期") == jst(2026, 12, 20, 23, 59)
    assert deadlines.applicable(DUE, "00_hajimeni", "") == jst(2026, 12, 20, 23, 59)
    assert deadlines.applicable(DUE, "01_kokai", "2026年度第2期") is None  # only the first cohort has one
    assert deadlines.applicable(DUE, "02_sagasu", "2026年度第1期") is None


def test_a_submission_within_the_deadlines_minute_is_on_time():
    """Is 17:00:59 still on time for a 17:00 deadline, 17:01 late, and a missing submission overdue only after?"""
    due = jst(2026, 12, 20, 17, 0)
    now = jst(2026, 12, 21, 9, 0)
    assert deadlines.state(due, True, jst(2026, 12, 20, 17, 0, 59), now) == deadlines.ON_TIME
    assert deadlines.state(due, True, jst(2026, 12, 20, 17, 1), now) == deadlines.LATE
    assert deadlines.state(due, False, None, jst(2026, 12, 20, 17, 0, 30)) == deadlines.OPEN
    assert deadlines.state(due, False, None, jst(2026, 12, 20, 17, 1)) == deadlines.OVERDUE
    assert deadlines.state(None, False, None, now) is None
    assert deadlines.state(due, True, None, now) is None  # submitted, time unknown: no judgement


def test_submission_times_are_read_in_their_zone():
    """Are nbgrader's timestamps (written in Japan time, `JST`) and UTC ones compared correctly with a deadline?"""
    assert deadlines.parse_submission_time("2026-12-20 17:00:05.123456 JST") == jst(2026, 12, 20, 17, 0, 5, 123456)
    assert deadlines.parse_submission_time("2026-12-20 08:00:00 UTC") == jst(2026, 12, 20, 17, 0)
    assert deadlines.parse_submission_time("2026-12-20 17:00:00") == jst(2026, 12, 20, 17, 0)
    assert deadlines.parse_submission_time("junk") is None


# the roster database -----------------------------------------------------------------------------


def _old_roster(path):
    """A roster file as written before cohorts existed."""
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE roster (username TEXT PRIMARY KEY, fullname TEXT NOT NULL, "
        "dept TEXT NOT NULL, course TEXT NOT NULL, added_at TEXT NOT NULL)"
    )
    conn.execute("INSERT INTO roster VALUES ('yamada', '山田 太郎', '企画課', 'odtb', '2026-04-01T09:00:00+09:00')")
    conn.commit()
    conn.close()


def test_an_existing_roster_gains_the_cohort_column_and_keeps_its_trainees(tmp_path):
    """Is a roster from before cohorts migrated on first use: trainees kept (no cohort), new ones saved with theirs?"""
    db = tmp_path / "roster.sqlite"
    _old_roster(db)
    [m] = roster.load(db)
    assert (m.username, m.fullname, m.dept, m.course, m.cohort) == ("yamada", "山田 太郎", "企画課", "odtb", "")
    roster.save(db, [roster.Entry(2, "sato", "佐藤 花子", "", "2026年度第1期")], "odtb")
    assert {m.username: m.cohort for m in roster.load(db)} == {"yamada": "", "sato": "2026年度第1期"}
    conn = sqlite3.connect(db)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(roster)")]
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert columns.count("cohort") == 1 and {"roster", "deadlines"} <= tables
    assert roster.cohorts(db) == ["2026年度第1期"]


def test_the_roster_csv_may_name_each_trainees_cohort():
    """Is the 期 column (or クラス / cohort) read, normalised, and the import's default used for rows without one?"""
    text = "ユーザー名,氏名,所属,期\nyamada,山田 太郎,企画課,２０２６年度第１期\nsato,佐藤 花子,,\n"
    entries, problems = roster.parse(text.encode("cp932"), max_len=24, cohort="2026年度第2期")
    assert problems == []
    assert [(e.username, e.cohort) for e in entries] == [("yamada", "2026年度第1期"), ("sato", "2026年度第2期")]
    for header in ("クラス", "cohort"):
        entries, _ = roster.parse(f"username,name,{header}\ntaro,Taro,A組\n".encode(), max_len=24)
        assert entries[0].cohort == "A組"
    entries, _ = roster.parse("ユーザー名,氏名\ntaro,太郎\n".encode(), max_len=24)
    assert entries[0].cohort == ""


def test_an_over_long_cohort_is_a_problem_of_its_line():
    entries, problems = roster.parse(f"ユーザー名,氏名,期\ntaro,太郎,{'期' * 41}\n".encode(), max_len=24)
    assert entries == [] and problems[0].line == 2 and "期の名前" in problems[0].message


def test_deadlines_are_stored_one_per_assignment_and_cohort(tmp_path):
    """Does setting a deadline again move it, and does clearing remove only that cohort's?"""
    db = tmp_path / "roster.sqlite"
    for cohort, due in (("", "2026-12-20T23:59:00+09:00"), ("1期", "2026-12-10T17:00:00+09:00")):
        roster.save_deadline(db, roster.Deadline("odtb", "00_hajimeni", cohort, due, "now"))
    roster.save_deadline(db, roster.Deadline("odtb", "00_hajimeni", "", "2026-12-21T23:59:00+09:00", "later"))
    assert [(d.cohort, d.due) for d in roster.load_deadlines(db, "odtb")] == [
        ("", "2026-12-21T23:59:00+09:00"),
        ("1期", "2026-12-10T17:00:00+09:00"),
    ]
    assert roster.load_deadlines(db, "other") == []
    assert roster.delete_deadline(db, "odtb", "00_hajimeni", "1期") == 1
    assert roster.delete_deadline(db, "odtb", "00_hajimeni", "1期") == 0
    assert [d.cohort for d in roster.load_deadlines(db)] == [""]


# ./testbed cohort deadline ----------------------------------------------------------------------------------


@pytest.fixture
def stack(tmp_path, monkeypatch):
    """A stack config in tmp_path whose course odtb has two assignments, and a roster with one cohort."""
    monkeypatch.setattr("testbed_cli.system.is_root", lambda: False)
    config = tmp_path / "testbed.yaml"
    config.write_text(f"state_dir: {tmp_path / 'state'}\nprefix: {tmp_path / 'opt'}\n")
    home = tmp_path / "state" / "courses" / "grader-odtb"
    for name in ("00_hajimeni", "01_kokai"):
        (home / "odtb" / "source" / name).mkdir(parents=True)
    db = tmp_path / "state" / "hub" / "roster.sqlite"
    roster.save(db, [roster.Entry(2, "yamada", "山田 太郎", "企画課", "2026年度第1期")], "odtb")

    def run(*args):
        return CliRunner().invoke(main, ["--config", str(config), *args])

    run.export = home / "progress-roster.json"
    return run


def test_deadline_set_list_and_clear_through_the_cli(stack):
    """Are deadlines set (for everyone and for a cohort), listed in Japanese and JSON, and handed to the board?"""
    r = stack("cohort", "deadline", "set", "00_hajimeni", "2099-12-20")
    assert r.exit_code == 0, r.output
    assert "2099年12月20日(日) 23:59" in r.output and "全員" in r.output
    r = stack("cohort", "deadline", "set", "00_hajimeni", "2099-12-10", "17:00", "--cohort", "２０２６年度第１期")
    assert r.exit_code == 0, r.output
    assert "期「2026年度第1期」" in r.output and "注意" not in r.output
    listed = json.loads(stack("cohort", "deadline", "list", "--json").output)
    assert [(d["assignment"], d["cohort"], d["due"]) for d in listed] == [
        ("00_hajimeni", "", "2099-12-20T23:59:00+09:00"),
        ("00_hajimeni", "2026年度第1期", "2099-12-10T17:00:00+09:00"),
    ]
    assert "2099年12月10日" in stack("cohort", "deadline", "list").output
    export = json.loads(stack.export.read_text(encoding="utf-8"))
    assert export["members"] == [
        {"username": "yamada", "fullname": "山田 太郎", "dept": "企画課", "cohort": "2026年度第1期", "team": ""}
    ]
    assert {(d["cohort"], d["due"]) for d in export["deadlines"]} == {
        ("", "2099-12-20T23:59:00+09:00"),
        ("2026年度第1期", "2099-12-10T17:00:00+09:00"),
    }
    r = stack("cohort", "deadline", "clear", "00_hajimeni", "--cohort", "2026年度第1期")
    assert r.exit_code == 0, r.output
    export = json.loads(stack.export.read_text(encoding="utf-8"))
    assert [d["cohort"] for d in export["deadlines"]] == [""]


def test_deadline_for_an_unknown_assignment_or_a_bad_date_is_refused(stack):
    """Is an unknown assignment refused naming the course's assignments, and a bad date naming the format?"""
    r = stack("cohort", "deadline", "set", "99_nai", "2099-12-20")
    assert r.exit_code == 1
    assert "99_nai" in r.output and "00_hajimeni, 01_kokai" in r.output
    r = stack("cohort", "deadline", "set", "00_hajimeni", "2099-12-32")
    assert r.exit_code == 1 and "2099-12-32" in r.output and "ありません" in r.output
    r = stack("cohort", "deadline", "set", "00_hajimeni", "2099-12-20", "--course", "nai")
    assert r.exit_code == 1 and "odtb" in r.output
    r = stack("cohort", "deadline", "clear", "00_hajimeni")
    assert r.exit_code == 1 and "締切はありません" in r.output
    assert json.loads(stack("cohort", "deadline", "list", "--json").output) == []


def test_a_past_deadline_or_an_unknown_cohort_is_set_with_a_warning(stack):
    """Is a deadline in the past, or for a cohort nobody is in yet (a typo?), set but pointed out?"""
    r = stack("cohort", "deadline", "set", "01_kokai", "2020-04-01", "--cohort", "2026年度第9期")
    assert r.exit_code == 0, r.output
    assert "もう過ぎています" in r.output and "2026年度第9期" in r.output and "2026年度第1期" in r.output

"""The grade book for training records (classroom/export.py): one row per roster trainee, 氏名・所属・期, 完了 by
the course's completion rule, 手採点待ち marked, lateness in 備考, CSV with BOM and xlsx (no services)."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest

from classroom.export import Trainee, header, table, write
from classroom.sources import Score
from testbed_config.japan_time import JST

pytestmark = pytest.mark.unit

A = ["01_kiso", "02_seikei"]
ROSTER = [
    Trainee("yamada", "山田 太郎", "企画課", "1期"),
    Trainee("suzuki", "鈴木 花子", "防災課", "1期"),
    Trainee("tanaka", "田中 一郎", "税務課", "2期"),
    Trainee("sato", "佐藤 次郎", "福祉課", "2期"),
]
SCORES = {  # nbgrader's gradebook times: naive UTC
    ("yamada", "01_kiso"): Score(5, 5, False, "2026-12-06 09:47:00"),
    ("yamada", "02_seikei"): Score(10, 10, False, "2026-12-07 01:00:00"),
    ("suzuki", "01_kiso"): Score(2, 5, False, "2026-12-06 09:50:00"),  # fails: 3 of 5 needed
    ("suzuki", "02_seikei"): Score(10, 10, False, "2026-12-07 01:00:00"),
    ("tanaka", "01_kiso"): Score(5, 5, False, "2026-12-06 09:50:00"),
    ("tanaka", "02_seikei"): Score(7, 10, True, "2026-12-07 01:00:00"),  # waits for manual grading
    ("intruder", "01_kiso"): Score(5, 5, False, "2026-12-06 09:50:00"),  # not on the roster
}
SENT = {k: "2026-12-06 18:47:00.000000 JST" for k in SCORES}


def _rows():
    return {r[0]: r for r in table(ROSTER, A, SCORES, SENT, pass_ratio=0.6)}


def test_is_there_one_row_per_roster_trainee_and_none_for_other_accounts():
    """Do the rows equal the roster (a trainee without submissions included, a non-roster account left out)?"""
    rows = _rows()
    assert sorted(rows) == sorted(t.username for t in ROSTER)
    assert rows["yamada"][:4] == ["yamada", "山田 太郎", "企画課", "1期"]


def test_does_kanryo_follow_the_completion_rule():
    """Is 完了 済 only for a trainee who passed everything, with the date in Japan time, and 未 for a failing 2/5?"""
    rows = _rows()
    h = header(A)
    done, on = h.index("完了"), h.index("修了日")
    assert rows["yamada"][done] == "済" and rows["yamada"][on] == "2026-12-07"  # 01:00 UTC is 10:00 in Japan
    assert rows["suzuki"][done] == "未"
    assert "01_kiso: 2 / 5 点 (合格は 3 点以上)" in rows["suzuki"][-1]


def test_is_manual_grading_pending_marked_and_never_final():
    """Does a score waiting for the instructor read 手採点待ち, and keep the trainee from 完了?"""
    rows = _rows()
    h = header(A)
    assert rows["tanaka"][h.index("02_seikei")] == "7 (手採点待ち)"
    assert rows["tanaka"][h.index("完了")] == "未" and "02_seikei: 手採点待ち" in rows["tanaka"][-1]


def test_does_a_trainee_without_submissions_read_mitenshutsu():
    """Is a roster trainee who submitted nothing shown with 未提出 in every assignment?"""
    rows = _rows()
    h = header(A)
    assert [rows["sato"][h.index(a)] for a in A] == ["未提出", "未提出"]
    assert rows["sato"][h.index("完了")] == "未"


def test_are_late_submissions_noted_in_japan_time():
    """Is a submission after the trainee's cohort deadline noted in 備考, whether nbgrader wrote UTC or JST?"""
    due = {("01_kiso", "1期"): datetime(2026, 12, 6, 18, 0, tzinfo=JST)}
    for stamp in ("2026-12-06 09:47:00.000000 UTC", "2026-12-06 18:47:00.000000 JST"):
        sent = {**SENT, ("yamada", "01_kiso"): stamp}
        rows = {r[0]: r for r in table(ROSTER, A, SCORES, sent, pass_ratio=0.6, deadlines=due)}
        assert "01_kiso: 期限後の提出 (2026年12月6日(日) 18:47、締切 2026年12月6日(日) 18:00)" in rows["yamada"][-1]
    rows = {r[0]: r for r in table(ROSTER, A, SCORES, SENT | {("yamada", "01_kiso"): "2026-12-06 08:59:00 UTC"},
                                   pass_ratio=0.6, deadlines=due)}  # fmt: skip
    assert "期限後" not in rows["yamada"][-1]


def test_are_csv_with_bom_and_xlsx_written_with_the_japanese_header(tmp_path):
    """Does the CSV open in Excel (UTF-8 with BOM) and the xlsx hold the same rows, scores as numbers?"""
    data = table(ROSTER, A, SCORES, SENT, pass_ratio=0.6)
    write(tmp_path / "g.csv", header(A), data, "csv")
    raw = (tmp_path / "g.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    got = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert got[0] == [
        "研修生",
        "氏名",
        "所属",
        "期",
        *A,
        "班",
        "班の成果物",
        "振り返り",
        "合計",
        "満点",
        "完了",
        "修了日",
        "備考",
    ]
    assert len(got) == len(ROSTER) + 1
    write(tmp_path / "g.xlsx", header(A), data, "xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "g.xlsx").active
    assert [c.value for c in ws[1]] == header(A) and ws.max_row == len(ROSTER) + 1
    assert ws.cell(row=2, column=5).value == 5

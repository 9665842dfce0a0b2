"""Roster CSV parsing, the stored roster and the password sheet (no services)."""

from __future__ import annotations

import stat

import pytest

from testbed_cli import cohort_roster as roster
from testbed_cli import cohort_sheet

pytestmark = pytest.mark.unit

ROWS = "ユーザー名,氏名,所属\r\nyamada,山田 太郎,企画課\r\nsato,佐藤 花子,\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_roster_reads_utf8_with_or_without_bom_and_shift_jis(encoding):
    """Do UTF-8 (with or without BOM) and Shift_JIS rosters give the same trainees?"""
    entries, problems = roster.parse(ROWS.encode(encoding), max_len=24)
    assert problems == []
    assert [(e.line, e.username, e.fullname, e.dept) for e in entries] == [
        (2, "yamada", "山田 太郎", "企画課"),
        (3, "sato", "佐藤 花子", ""),
    ]


def test_english_headers_and_any_column_order_are_accepted():
    entries, problems = roster.parse(b"dept,name,username\nIT,Taro,taro\n", max_len=24)
    assert problems == [] and entries[0].username == "taro" and entries[0].dept == "IT"


def test_every_bad_line_is_reported_with_its_line_number():
    """Are a bad name, a duplicate (naming the first line), an empty 氏名 and a too-long name each reported?"""
    text = (
        "ユーザー名,氏名,所属\n"
        "ok1,正しい 人,\n"
        "\n"  # blank lines are skipped but still counted
        "Yamada,山田,\n"
        "ok1,二人目,\n"
        "ok2,,\n"
        "averyveryverylongusername1,長い 名前,\n"
        "山田,山田,\n"
    )
    entries, problems = roster.parse(text.encode(), max_len=24)
    by_line = {p.line: p.message for p in problems}
    assert set(by_line) == {4, 5, 6, 7, 8}
    assert "Y" in by_line[4] and "英小文字" in by_line[4]
    assert "2 行目と重複" in by_line[5]
    assert "氏名が空" in by_line[6]
    assert "24 文字以内" in by_line[7]
    assert "使えません" in by_line[8]
    assert str(problems[0]).startswith("4 行目: ")


def test_missing_header_column_is_a_problem_of_line_one():
    entries, problems = roster.parse("名前だけ,所属\nx,y\n".encode(), max_len=24)
    assert entries == [] and problems[0].line == 1 and "ユーザー名" in problems[0].message


@pytest.mark.parametrize("data", [b"", "ユーザー名,氏名\n".encode(), b"\xff\xfe\xfa\x00\x81"])
def test_empty_header_only_or_undecodable_roster_is_refused(data):
    entries, problems = roster.parse(data, max_len=24)
    assert entries == [] and problems and problems[0].line in (0, 1)


def test_username_length_leaves_room_for_the_unix_prefix():
    """Is a hub name limited so that '<prefix><name>' fits useradd's 32 characters?"""
    assert roster.max_username_length("jupyter-") == 24
    assert roster.username_problem("a" * 24, 24) is None
    assert roster.username_problem("a" * 25, 24)


def test_stored_roster_round_trips_and_is_private(tmp_path):
    db = tmp_path / "roster.sqlite"
    roster.save(db, [roster.Entry(2, "yamada", "山田 太郎", "企画課")], "odtb")
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    [m] = roster.load(db)
    assert (m.username, m.fullname, m.dept, m.course) == ("yamada", "山田 太郎", "企画課", "odtb")
    roster.forget(db, ["yamada"])
    assert roster.load(db) == []


def test_password_sheet_escapes_names_and_is_written_0600(tmp_path):
    """Is a hostile 氏名 escaped on the sheet, and is the file readable by root only?"""
    cards = [{"username": "yamada", "fullname": "<script>x</script>", "dept": "", "password": "abcd2345ef"}]
    text = cohort_sheet.render(cards, hub_url="http://hub.example:8000/", title="テスト")
    assert "<script>x" not in text and "&lt;script&gt;" in text
    assert '<html lang="ja">' in text and "abcd2345ef" in text and "http://hub.example:8000/" in text
    path = cohort_sheet.write(tmp_path / "cohort", text)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_cli_import_of_a_bad_roster_lists_every_problem_and_exits_1(tmp_path):
    """Does `cohort import` report each bad line in Japanese and stop before contacting any service?"""
    from click.testing import CliRunner

    from testbed_cli.cli import main

    bad = tmp_path / "roster.csv"
    bad.write_bytes("ユーザー名,氏名,所属\nok1,正しい 人,\nok1,重複,\nBad,,\n".encode("cp932"))
    config = tmp_path / "testbed.yaml"
    config.write_text(f"state_dir: {tmp_path / 'state'}\nprefix: {tmp_path / 'opt'}\n")
    result = CliRunner().invoke(main, ["--config", str(config), "cohort", "import", str(bad)])
    assert result.exit_code == 1
    assert "3 行目" in result.output and "4 行目" in result.output and "何も登録していません" in result.output
    assert not (tmp_path / "state").exists()


def test_reimport_changes_only_the_columns_the_file_has():
    """Does a re-imported row change 氏名 always but 所属・期・班 only when the file has those columns (or --cohort)?"""
    member = roster.Member("yamada", "山田 太郎", "企画課", "odtb", "2026-12-01T09:00:00+09:00", "第1期", "1班")
    with_team, _ = roster.parse("ユーザー名,氏名,班\nyamada,山田 太朗,2班\n".encode(), max_len=20)
    assert roster.changes(member, with_team[0]) == {"fullname": ("山田 太郎", "山田 太朗"), "team": ("1班", "2班")}
    plain, _ = roster.parse("ユーザー名,氏名\nyamada,山田 太郎\n".encode(), max_len=20)
    assert roster.changes(member, plain[0]) == {}
    cohort, _ = roster.parse("ユーザー名,氏名\nyamada,山田 太郎\n".encode(), max_len=20, cohort="第2期")
    assert roster.changes(member, cohort[0]) == {"cohort": ("第1期", "第2期")}
    assert roster.describe({"team": ("", "2班")}) == "班 (なし) → 2班"

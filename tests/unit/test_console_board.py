"""Unit tests of the console's board at a glance: cell states, submission times in any zone shown in Japan time,
the 期 / 所属 filters, the "most behind" order, escaping, and the trainee and printable pages."""

from __future__ import annotations

from datetime import datetime

import pytest

from classroom import board, console_page, deadlines, glance, sources, stamps
from classroom.completion import Rule
from classroom.deadlines import JST
from classroom.sources import Facts, Score

pytestmark = pytest.mark.unit

RULE = Rule(pass_ratio=0.6, key=b"unit-test-key")
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=JST)
AS = ["kadai01", "kadai02", "kadai03"]


def _facts() -> Facts:
    return Facts(
        required=list(AS),
        released=list(AS),
        fetched={("ueno", "kadai03")},
        selfchecked={("ueno", "kadai03")},
        submitted={
            ("ando", "kadai01"): "2026-12-06 09:47:00.000000 UTC",
            ("ando", "kadai02"): "2026-12-06 09:47:00.000000 UTC",
            ("ando", "kadai03"): "2026-12-06 09:47:00.000000 UTC",
            ("ueno", "kadai01"): "2026-12-06 18:47:00.000000 JST",
            ("ueno", "kadai02"): "2026-12-10 10:00:00.000000 UTC",
        },
        scores={
            ("ando", "kadai01"): Score(5, 5, False, "2026-12-06 09:47:00.000000"),
            ("ando", "kadai02"): Score(5, 5, False, "2026-12-06 09:47:00.000000"),
            ("ando", "kadai03"): Score(7, 10, True, "2026-12-06 09:47:00.000000"),
            ("ueno", "kadai01"): Score(2, 5, False, "2026-12-06 09:47:00.000000"),
        },
        names={
            "ando": ("安藤 一郎", "企画課"),
            "ueno": ("上野 <b>二郎</b>", "税務課"),
            "kato": ("加藤 三郎", "企画課"),
        },
        cohorts={"ando": "第1期", "ueno": "第2期", "kato": "第1期"},
        deadlines={("kadai02", ""): datetime(2026, 12, 8, 17, 0, tzinfo=JST)},
    )


def _view(instructor=True, viewer="teacher"):
    full = board.build(_facts(), ["ando", "ueno", "kato"], "odtb", RULE, NOW)
    return board.visible_to(full, viewer, instructor=instructor)


def test_nbgrader_timestamps_in_any_zone_name_the_same_instant():
    """Do UTC, JST, offsets and IANA names all read as the instant they name (shown in Japan time)?"""
    jst = datetime(2026, 12, 6, 18, 47, tzinfo=JST)
    for text in (
        "2026-12-06 09:47:00.000000 UTC",
        "2026-12-06 18:47:00.000000 JST",
        "2026-12-06 18:47:00.000000",
        "2026-12-06 10:47:00.000000 CET",
        "2026-12-06 10:47:00.000000 Europe/Berlin",
        "2026-12-06 18:47:00 +0900",
    ):
        assert stamps.parse(text) == jst, text
    assert glance.short_time(stamps.parse("2026-12-06 09:47:00.000000 UTC")) == "12/6 18:47"
    assert stamps.parse("2026-12-06 09:47:00 XYZ") is None  # a zone nobody can place gives no time, not a wrong one


def test_the_latest_submission_is_chosen_by_instant_not_by_text(tmp_path):
    """Is a UTC submission made after a JST one the latest, though its text sorts first?"""
    inbound = tmp_path / "inbound"
    inbound.mkdir()
    (inbound / "alice+k1+2026-12-06 18:00:00.000000 JST+r1").mkdir()
    (inbound / "alice+k1+2026-12-06 09:30:00.000000 UTC+r2").mkdir()  # 18:30 Japan time: later
    assert sources.submissions(tmp_path)[("alice", "k1")] == "2026-12-06 09:30:00.000000 UTC"


def test_cells_read_pass_fail_manual_late_waiting_missing_and_todo():
    """Does each cell get the state an instructor expects, including lateness against the deadline?"""
    rows = {r["username"]: r for r in _view()["trainees"]}
    state = {(u, a): glance.state_of(rows[u]["assignments"][a], 0.6) for u in rows for a in AS}
    assert state[("ando", "kadai01")].state == glance.PASS
    assert state[("ando", "kadai02")].state == glance.PASS and not state[("ando", "kadai02")].late
    assert state[("ando", "kadai03")].state == glance.MANUAL
    assert state[("ueno", "kadai01")].state == glance.FAIL
    assert state[("ueno", "kadai02")].state == glance.LATE  # 12/10 19:00 Japan time, after 12/8 17:00
    assert state[("kato", "kadai02")].state == glance.MISSING
    assert state[("ueno", "kadai03")].state == glance.TODO


def test_most_behind_first_and_filters_by_cohort_and_dept():
    """Is the trainee with the fewest passes first, and do the 期 and 所属 filters keep only theirs?"""
    view = _view()
    order = [r["username"] for r in glance.ordered(view["trainees"], AS, 0.6, "behind")]
    assert order == ["kato", "ueno", "ando"]  # 0 passes and a missed deadline, 0 passes, 2 passes
    by_name = [r["username"] for r in glance.ordered(view["trainees"], AS, 0.6, "name")]
    assert by_name == ["ueno", "kato", "ando"]  # 氏名 in character order (上 < 加 < 安); no readings in the roster
    assert {r["username"] for r in glance.filtered(view["trainees"], cohort="第1期")} == {"ando", "kato"}
    assert [r["username"] for r in glance.filtered(view["trainees"], cohort="第1期", dept="税務課")] == []
    assert glance.choices(view["trainees"], "dept") == ["企画課", "税務課"]


def test_board_escapes_names_and_shows_symbols_words_and_japan_time():
    """Are typed names escaped, and does each cell carry a symbol, a word and the score (not only a colour)?"""
    html = console_page.board(_view(), now=NOW)
    assert "<b>二郎</b>" not in html and "上野 &lt;b&gt;二郎&lt;/b&gt;" in html
    assert "○ 5/5" in html and "× 2/5" in html and "△ 7/10" in html and "！未提出" in html
    assert ">合格<" in html and ">不合格<" in html  # the word, for screen readers and without colour
    assert "12/6 18:47" in html and "09:47" not in html  # nbgrader's UTC text, shown in Japan time
    assert 'http-equiv="refresh"' in html and "<script" not in html and "//" not in html.split("<body>")[1]


def test_board_filters_are_applied_and_echoed_escaped():
    """Does a 所属 filter keep only its trainees, and is an odd filter value echoed escaped?"""
    html = console_page.board(_view(), dept="税務課", now=NOW)
    assert 'data-user="ueno"' in html and 'data-user="ando"' not in html
    html = console_page.board(_view(), cohort='"><script>', now=NOW)
    assert "<script>" not in html


def test_trainee_page_lists_every_assignment_in_japan_time():
    """Does a trainee's page list each assignment with its submission time (Japan time), score and deadline state?"""
    view = _view(instructor=False, viewer="ueno")
    html = console_page.trainee(view, view["trainees"][0], {"kadai01": "課題1 <公開>"}, now=NOW)
    assert "課題1 &lt;公開&gt;" in html
    assert "2026年12月6日(日) 18:47" in html and "2026年12月10日(木) 19:00" in html
    assert "期限後に提出" in html and "2 / 5" in html and "上野 &lt;b&gt;二郎&lt;/b&gt;" in html
    assert "size:A4 portrait" in html


def test_a_trainee_sees_only_their_own_row_on_the_board():
    """Does a trainee's board hold their own row only, without the class's filters?"""
    html = console_page.board(_view(instructor=False, viewer="ando"), now=NOW)
    assert 'data-user="ando"' in html and 'data-user="ueno"' not in html and "上野" not in html
    assert '<select name="dept">' not in html


def test_print_view_is_a4_landscape_without_reload_or_links():
    """Is the printable view A4 landscape, never reloading, with the legend for black-and-white printing?"""
    html = console_page.print_view(_view(), now=NOW)
    assert "size:A4 landscape" in html and 'http-equiv="refresh"' not in html
    assert "trainee?user=" not in html and "合格 (得点/満点)" in html
    assert deadlines.japanese(NOW) in html

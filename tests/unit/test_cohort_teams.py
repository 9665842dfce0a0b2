"""Teams (班): the roster's team column, team-name checks, the suggestion of mixed teams, and the console's 班
(no services)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

import pytest

from classroom import board, console_page, glance, sources
from classroom.completion import Rule
from testbed_cli import cohort_roster as roster
from testbed_cli import cohort_teams as teams
from testbed_cli.errors import SetupError

pytestmark = pytest.mark.unit


def _member(user: str, dept: str = "", team: str = "", cohort: str = "") -> roster.Member:
    return roster.Member(user, f"{user} さん", dept, "odtb", "2026-12-01T09:00:00+09:00", cohort, team)


def test_team_column_is_read_under_each_header_name_and_normalised():
    """Are 班, チーム and team headers read, full-width digits made ASCII, and an empty cell no team?"""
    for header in ("班", "チーム", "team"):
        data = f"ユーザー名,氏名,{header}\nyamada,山田 太郎,１班\nsato,佐藤 花子, 1班 \nito,伊藤,\n".encode()
        entries, problems = roster.parse(data, max_len=24)
        assert problems == []
        assert [(e.username, e.team) for e in entries] == [("yamada", "1班"), ("sato", "1班"), ("ito", "")]


@pytest.mark.parametrize(
    ("team", "words"),
    [
        ("<b>A</b>", ("使えない文字", "< >", "1班")),
        ("A&B", ("使えない文字", "&")),
        ("A\x07班", ("制御文字", "1班")),
        ("班" * 41, ("長すぎます", "41 文字", "40 文字以内")),
    ],
)
def test_bad_team_name_is_refused_with_its_line_and_the_fix(team, words):
    """Is a team name with HTML, a control character or over 40 characters a problem of its line, naming the fix?"""
    data = f'ユーザー名,氏名,班\nyamada,山田,1班\nsato,佐藤,"{team}"\n'.encode()
    entries, problems = roster.parse(data, max_len=24)
    assert [p.line for p in problems] == [3]
    assert all(w in problems[0].message for w in words), problems[0].message
    assert roster.team_problem("班" * 40) is None  # the limit itself is fine: the check can pass


def test_trainee_in_two_teams_is_refused_naming_both_lines_and_teams():
    """Does a second row of a trainee with another team name both lines and both teams?"""
    data = "ユーザー名,氏名,班\nyamada,山田,1班\nsato,佐藤,1班\nyamada,山田,2班\n".encode()
    _, problems = roster.parse(data, max_len=24)
    assert len(problems) == 1 and problems[0].line == 4
    message = problems[0].message
    assert "2 行目と 4 行目" in message and "班「1班」" in message and "班「2班」" in message
    assert "どちらかの行を消して" in message
    same = "ユーザー名,氏名,班\nyamada,山田,1班\nyamada,山田,1班\n".encode()
    assert "2 つの班" not in roster.parse(same, max_len=24)[1][0].message  # same team: a plain duplicate


def test_team_of_one_at_import_is_a_warning_naming_the_line_and_counting_stored_members():
    """Is a lone member warned about with its line, unless the team's others are already in the roster?"""
    data = "ユーザー名,氏名,班\nyamada,山田,1班\nsato,佐藤,1班\nito,伊藤,2班\nueno,上野,3班\n".encode()
    entries, problems = roster.parse(data, max_len=24)
    assert problems == []
    warnings = teams.lone_warnings(entries, [_member("kato", team="3班")])
    assert len(warnings) == 1 and "班「2班」" in warnings[0] and "4 行目 ito" in warnings[0]
    assert "team set" in warnings[0]


def test_stored_roster_gains_the_team_column_and_keeps_old_rows(tmp_path):
    """Does a roster written before teams existed gain the column (empty) on first use and store teams after?"""
    db = tmp_path / "roster.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE roster (username TEXT PRIMARY KEY, fullname TEXT NOT NULL, dept TEXT NOT NULL, "
            "course TEXT NOT NULL, added_at TEXT NOT NULL, cohort TEXT NOT NULL DEFAULT '')"
        )
        conn.execute("INSERT INTO roster VALUES ('old', '古い 人', '企画課', 'odtb', '2026-01-01', '第1期')")
    assert roster.load(db)[0].team == ""
    roster.save(db, [roster.Entry(2, "new", "新しい 人", "税務課", "", "1班")], "odtb")
    assert roster.set_teams(db, {"old": "1班", "nobody": "1班"}) == 1
    assert {m.username: m.team for m in roster.load(db)} == {"new": "1班", "old": "1班"}


def _roster(n_depts: dict[str, int]) -> list[roster.Member]:
    out = []
    for k, (dept, n) in enumerate(n_depts.items()):
        out += [_member(f"{chr(ord('a') + k) * 2}{i:02d}", dept) for i in range(n)]
    return out


def test_suggestion_is_deterministic_whatever_the_roster_order():
    """Does the same roster (in any order) give the same proposal?"""
    people = _roster({"企画課": 5, "税務課": 4, "福祉課": 3, "": 2})
    first = teams.suggest(people, 4)
    again = teams.suggest(list(reversed(people)), 4)
    assert [(t.name, [m.username for m in t.members]) for t in first] == [
        (t.name, [m.username for m in t.members]) for t in again
    ]


def test_suggestion_mixes_departments_with_even_sizes_and_no_team_of_one():
    """Are sizes within one of each other, is each department spread evenly, and is nobody left alone?"""
    people = _roster({"企画課": 6, "税務課": 4, "福祉課": 3, "防災課": 1})
    proposal = teams.suggest(people, 4)
    assert [t.name for t in proposal] == ["1班", "2班", "3班", "4班"]  # 14 / 4 = 3.5 -> 4 teams
    sizes = [len(t.members) for t in proposal]
    assert sum(sizes) == 14 and max(sizes) - min(sizes) <= 1
    for dept in ("企画課", "税務課", "福祉課"):
        per_team = [Counter(m.dept for m in t.members)[dept] for t in proposal]
        assert max(per_team) - min(per_team) <= 1, (dept, per_team)
    assert all(len(t.depts) >= 2 for t in proposal)  # every team mixes departments
    assert [len(t.members) for t in teams.suggest(_roster({"企画課": 3}), 2)] == [3]  # 3 people: no team of one


def test_the_mixing_check_can_fail():
    """Would a proposal that keeps a department together be caught by the spread check above?"""
    people = _roster({"企画課": 4, "税務課": 4})
    lumped = [teams.Team("1班", tuple(people[:4])), teams.Team("2班", tuple(people[4:]))]
    per_team = [Counter(m.dept for m in t.members)["企画課"] for t in lumped]
    assert max(per_team) - min(per_team) > 1


@pytest.mark.parametrize(
    ("size", "mix", "n", "words"),
    [(1, "所属", 4, "2 以上"), (4, "年齢", 4, "--mix 所属"), (4, "所属", 1, "2 名以上")],
)
def test_impossible_suggestion_is_refused_in_japanese(size, mix, n, words):
    with pytest.raises(SetupError, match=words):
        teams.suggest(_roster({"企画課": n}), size, mix)


def test_team_name_from_the_command_line_is_checked_and_normalised():
    assert teams.team_name(" Ａ班 ") == "A班"
    for bad, words in (("", "空です"), ("<i>", "使えない文字"), ("x" * 41, "40 文字以内")):
        with pytest.raises(SetupError, match=words):
            teams.team_name(bad)


def test_console_shows_each_trainees_team_escaped_and_filters_by_team(tmp_path):
    """Does the roster export's 班 reach the board (escaped), and does the 班 filter keep only its members?"""
    export = tmp_path / "roster.json"
    members = [
        {"username": "ando", "fullname": "安藤", "dept": "企画課", "team": "1班"},
        {"username": "ueno", "fullname": "上野", "dept": "税務課", "team": "<b>2班</b>"},
        {"username": "kato", "fullname": "加藤", "dept": "企画課"},
    ]
    export.write_text(json.dumps({"members": members, "deadlines": []}), encoding="utf-8")
    facts = sources.Facts(required=["kadai01"], released=["kadai01"], teams=sources.roster(export).teams)
    full = board.build(facts, ["ando", "ueno", "kato"], "odtb", Rule(pass_ratio=0.6, key=b"k"))
    view = board.visible_to(full, "teacher", instructor=True)
    assert {r["username"]: r["team"] for r in view["trainees"]} == {"ando": "1班", "ueno": "<b>2班</b>", "kato": ""}
    html = console_page.board(view)
    assert '<th scope="col">班</th>' in html and "&lt;b&gt;2班&lt;/b&gt;" in html and "<b>2班</b>" not in html
    assert '<select name="team">' in html
    only = console_page.board(view, team="1班")
    assert 'data-user="ando"' in only and 'data-user="ueno"' not in only and 'data-user="kato"' not in only
    assert [r["username"] for r in glance.filtered(view["trainees"], team="1班")] == ["ando"]
    page = console_page.print_view(view, team="1班")
    assert "班: 1班" in page


def _cli(tmp_path, *args: str):
    from click.testing import CliRunner

    from testbed_cli.cli import main

    config = tmp_path / "testbed.yaml"
    config.write_text(f"state_dir: {tmp_path / 'state'}\nprefix: {tmp_path / 'opt'}\n")
    return CliRunner().invoke(main, ["--config", str(config), "cohort", "team", *args])


def test_team_commands_set_list_clear_and_suggest_on_a_stored_roster(tmp_path):
    """Do `cohort team set|list|clear|suggest` work on the roster file alone, in Japanese, warning about a team of
    one, refusing a bad name without changing anything, and storing a suggestion only with --apply?"""
    from testbed_config import StackConfig
    from testbed_config.layout import Layout
    from testbed_config.names import ROSTER_DB

    layout = Layout(StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt"))
    db = layout.hub_dir / ROSTER_DB
    depts = ["企画課", "企画課", "税務課", "税務課", "福祉課", "福祉課"]
    roster.save(db, [roster.Entry(0, f"u{i}", f"研修 {i}", d) for i, d in enumerate(depts)], "odtb")

    r = _cli(tmp_path, "set", "u0", "Ａ班")
    assert r.exit_code == 0, r.output
    assert "班「A班」に入れました" in r.output and "1 人だけです" in r.output
    r = _cli(tmp_path, "set", "u0", "<script>")
    assert r.exit_code != 0 and "使えない文字" in r.output
    r = _cli(tmp_path, "set", "nobody", "A班")
    assert r.exit_code != 0 and "名簿にいません" in r.output
    assert {m.username: m.team for m in roster.load(db)}["u0"] == "A班"  # nothing half-applied
    assert _cli(tmp_path, "set", "u1", "A班").exit_code == 0
    listed = json.loads(_cli(tmp_path, "list", "--json").output)
    assert [(t["team"], [m["username"] for m in t["members"]]) for t in listed["teams"]] == [("A班", ["u0", "u1"])]
    assert len(listed["unassigned"]) == 4

    shown = _cli(tmp_path, "suggest", "--size", "3", "--mix", "所属")
    assert shown.exit_code == 0, shown.output
    assert "班の提案" in shown.output and "--apply" in shown.output
    assert {m.team for m in roster.load(db)} == {"A班", ""}  # a proposal alone changes nothing
    assert _cli(tmp_path, "suggest", "--size", "3", "--mix", "所属").output == shown.output  # deterministic
    applied = _cli(tmp_path, "suggest", "--size", "3", "--apply")
    assert applied.exit_code == 0 and "6 名の班を保存しました" in applied.output
    stored = roster.load(db)
    assert sorted(Counter(m.team for m in stored).values()) == [3, 3]
    assert all(len({m.dept for m in stored if m.team == t}) == 3 for t in ("1班", "2班"))

    r = _cli(tmp_path, "clear")
    assert r.exit_code != 0 and "--all" in r.output
    assert _cli(tmp_path, "clear", "u0").exit_code == 0
    assert "班に入っていませんでした" in _cli(tmp_path, "clear", "u0").output
    assert "5 名" in _cli(tmp_path, "clear", "--all").output
    assert {m.team for m in roster.load(db)} == {""}
    assert "班はまだありません" in _cli(tmp_path, "list").output


def test_applying_a_proposal_for_one_cohort_never_merges_with_another_cohorts_team(tmp_path):
    """Is `suggest --cohort X --apply` refused, with nothing stored, when another 期 already has a 「1班」?"""
    from testbed_config import StackConfig
    from testbed_config.layout import Layout
    from testbed_config.names import ROSTER_DB

    layout = Layout(StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt"))
    db = layout.hub_dir / ROSTER_DB
    rows = [roster.Entry(0, f"a{i}", "一期", "企画課", "第1期", "1班") for i in range(2)]
    rows += [roster.Entry(0, f"b{i}", "二期", d, "第2期") for i, d in enumerate(["企画課", "税務課"])]
    roster.save(db, rows, "odtb")
    r = _cli(tmp_path, "suggest", "--size", "2", "--cohort", "第2期", "--apply")
    assert r.exit_code != 0 and "別の期" in r.output and "何も保存していません" in r.output
    assert {m.username: m.team for m in roster.load(db)} == {"a0": "1班", "a1": "1班", "b0": "", "b1": ""}
    assert _cli(tmp_path, "suggest", "--size", "2", "--cohort", "第3期").exit_code != 0  # no such cohort

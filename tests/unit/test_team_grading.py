"""Team deliverables graded with the workshop's rubric and members' reflections, without a hub: the rubric file and its
validation (broken files explained in Japanese), score computation, the store, the pages (escaped, the same for every
member) and the grade-book export's columns."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classroom import console_teams, rubric
from classroom.console_teams import Team
from classroom.export import TEAM_COLUMNS, Teamwork, Trainee, header, table
from classroom.store import ItemGrade, Store, read_scores
from classroom.team_work import Part, Submission
from testbed_config.japan_time import JST

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
RUBRIC = REPO / "courses" / "workshop" / "rubric.yaml"
T0 = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # 18:30 in Japan
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def the_rubric() -> rubric.Rubric:
    return rubric.load(RUBRIC)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "console.sqlite")


def _broken(text: str) -> str:
    with pytest.raises(rubric.RubricError) as e:
        rubric.parse(text, "rubric.yaml")
    return str(e.value)


def _form(r: rubric.Rubric, key: str = "") -> dict[str, str]:
    return {i.id: key or i.levels[0].key for i in r.items}


# the rubric ----------------------------------------------------------------------------------------------------------


def test_is_the_workshop_rubric_five_japanese_items_of_four_levels(the_rubric):
    """Does the shipped rubric hold about five items following the facilitator guide, each with four levels (best
    first, descriptor and points), and a reflection scale?"""
    names = [i.name for i in the_rubric.items]
    assert names == ["課題の明確さ", "データによる確認", "見える化", "仮説と効果の測り方", "次の一手の具体性"]
    for item in the_rubric.items:
        assert len(item.levels) == 4 and all(lv.descriptor and lv.label for lv in item.levels)
        assert [lv.points for lv in item.levels] == sorted((lv.points for lv in item.levels), reverse=True)
    assert the_rubric.max_points == 20
    assert len(the_rubric.reflection.levels) >= 3 and "振り返り" in the_rubric.reflection.title
    assert the_rubric.reflection.prompt


@pytest.mark.parametrize(
    "text, words",
    [
        ("deliverable: [\n  items: x", ["YAML", "行目", "字下げ"]),
        ("deliverable: {items: []}\nreflection: {levels: []}", ["items", "1 ～ 20"]),
        ("deliverable: {itemz: []}\nreflection: {}", ["知らない項目 itemz", "つづり"]),
    ],
)
def test_is_a_broken_rubric_explained_in_japanese_with_the_fix(text, words):
    """Does an unreadable or misshapen file raise a Japanese message naming the problem and how to fix it?"""
    message = _broken(text)
    assert all(w in message for w in words), message
    assert "./testbed up" in message


def _one_item(levels: str) -> str:
    return (
        "deliverable:\n  items:\n    - id: problem\n      name: 課題の明確さ\n      levels:\n"
        + levels
        + "reflection:\n"
        "  levels:\n    - {points: 2, label: よい, descriptor: よく書けている}\n"
        "    - {points: 1, label: もう一歩, descriptor: 足りない}\n"
    )


def test_are_level_mistakes_named_by_item_and_level():
    """Are a level without a descriptor, two levels with the same points, and levels out of order each reported with
    the item's name?"""
    no_descriptor = _one_item("        - {points: 2, label: よい}\n        - {points: 1, label: 悪い, descriptor: x}\n")
    assert "評価項目「課題の明確さ」の水準 1" in _broken(no_descriptor) and "descriptor" in _broken(no_descriptor)
    same = _one_item("        - {points: 2, label: a, descriptor: x}\n        - {points: 2, label: b, descriptor: y}\n")
    assert "同じ points" in _broken(same)
    upside_down = _one_item(
        "        - {points: 1, label: a, descriptor: x}\n        - {points: 2, label: b, descriptor: y}\n"
    )
    assert "点数の高い順" in _broken(upside_down)
    good = rubric.parse(
        _one_item("        - {points: 2, label: a, descriptor: x}\n        - {points: 0, label: b, descriptor: y}\n")
    )
    assert good.max_points == 2 and good.reflection.title == "振り返り"


def test_is_a_missing_rubric_file_explained(tmp_path):
    """Does a missing copy say that ./testbed up puts it there?"""
    with pytest.raises(rubric.RubricError) as e:
        rubric.load(tmp_path / "none.yaml")
    assert "./testbed up" in str(e.value) and "none.yaml" in str(e.value)


def test_does_up_refuse_a_broken_rubric(tmp_path):
    """Does ``./testbed up`` stop with the rubric's Japanese problem instead of installing a broken file?"""
    from testbed_cli import progress
    from testbed_cli.errors import SetupError

    bad = tmp_path / "rubric.yaml"
    bad.write_text("deliverable: {itemz: []}\nreflection: {}", encoding="utf-8")
    with pytest.raises(SetupError) as e:
        progress.export_rubric(None, bad)  # raises before it looks at any course
    assert "itemz" in str(e.value)


# grading and scores --------------------------------------------------------------------------------------------------


def test_is_the_score_the_sum_of_the_chosen_levels(the_rubric):
    """Is a deliverable graded at the best level everywhere 20 / 20, and one level lower on every item 15 / 20?"""
    best, _ = rubric.grade(the_rubric, _form(the_rubric), {}, "")
    assert rubric.score(best) == (20, 20)
    lower = {i.id: i.levels[1].key for i in the_rubric.items}
    chosen, overall = rubric.grade(the_rubric, lower, {"visual": f"  凡例 {SCRIPT}  "}, " よくできました ")
    assert rubric.score(chosen) == (15, 20)
    assert overall == "よくできました" and chosen[2].comment == f"凡例 {SCRIPT}"
    assert chosen[2].label == the_rubric.items[2].levels[1].label  # the rubric's words kept with the grade


def test_is_every_problem_of_a_grading_form_listed_and_nothing_returned(the_rubric):
    """Are an item without a level, a level not in the rubric and a too-long comment all reported in Japanese?"""
    levels = _form(the_rubric)
    levels["problem"] = ""
    levels["visual"] = "7"
    with pytest.raises(rubric.GradeError) as e:
        rubric.grade(the_rubric, levels, {"evidence": "あ" * (rubric.MAX_COMMENT + 1)}, "")
    problems = e.value.problems
    assert "「課題の明確さ」の水準を選んでください。" in problems
    assert any("「見える化」に「7」という水準はありません" in p for p in problems)
    assert any("「データによる確認」のコメントが長すぎます" in p for p in problems)
    with pytest.raises(rubric.GradeError):
        rubric.grade_reflection(the_rubric.reflection, "", "")
    level, comment = rubric.grade_reflection(the_rubric.reflection, "2", "具体的です")
    assert level.points == 2 and comment == "具体的です"


# the store -----------------------------------------------------------------------------------------------------------


def _items(r: rubric.Rubric, index: int = 0) -> list[ItemGrade]:
    chosen, _ = rubric.grade(r, {i.id: i.levels[index].key for i in r.items}, {"problem": SCRIPT}, "")
    return chosen


def test_does_a_team_grade_round_trip_and_a_regrade_replace_it(store, the_rubric, tmp_path):
    """Is a grade stored per submission with its items in order, replaced by a regrade, and the team's latest grade
    the one graded last?"""
    g = store.save_team_grade("team-aaaa0001", "1班", "sub1", _items(the_rubric), "全体", "teacher", at=T0)
    assert (g.score, g.max_score, g.team, g.comment) == (20, 20, "1班", "全体")
    assert [i.item for i in g.items] == [i.id for i in the_rubric.items] and g.items[0].comment == SCRIPT
    again = store.save_team_grade("team-aaaa0001", "1班", "sub1", _items(the_rubric, 1), "", "teacher", at=T0)
    assert again.score == 15 and len(again.items) == 5
    store.save_team_grade("team-aaaa0001", "1班", "sub2", _items(the_rubric, 3), "", "t2", at=T0 + timedelta(hours=1))
    assert store.latest_team_grade("team-aaaa0001").submission == "sub2"
    assert set(store.latest_team_grades()) == {"team-aaaa0001"}
    raw = sqlite3.connect(tmp_path / "console.sqlite").execute("SELECT graded_at FROM team_grades").fetchone()[0]
    assert raw.endswith("+00:00")
    assert store.forget_team("team-aaaa0001") == 2 and store.latest_team_grade("team-aaaa0001") is None


def test_can_a_reflection_be_rewritten_only_until_it_is_graded(store):
    """Does a resubmitted reflection replace the earlier one, and is it frozen once graded (and gone with the user)?"""
    assert store.grade_reflection("yamada", 2, 3, "よい", "d", "", "teacher") is None  # nothing to grade yet
    store.submit_reflection("yamada", "一回目", at=T0)
    assert store.submit_reflection("yamada", "二回目", at=T0 + timedelta(minutes=5)).body == "二回目"
    g = store.grade_reflection("yamada", 2, 3, "振り返っている", "d", "具体的に", "teacher", at=T0)
    assert (g.points, g.max_points, g.comment) == (2, 3, "具体的に")
    assert store.submit_reflection("yamada", "三回目") is None and store.reflection("yamada").body == "二回目"
    assert store.reflection_grade("suzuki") is None
    store.forget_user("yamada")
    assert store.reflection("yamada") is None and store.reflection_grade("yamada") is None


def test_does_the_export_read_scores_without_creating_or_writing_the_store(store, the_rubric, tmp_path):
    """Does the grade export's read-only reader see the grades, and leave a missing or older store alone?"""
    store.save_team_grade("team-aaaa0001", "1班", "s", _items(the_rubric, 1), "", "t", at=T0)
    store.submit_reflection("yamada", "本文")
    store.submit_reflection("suzuki", "本文")
    store.grade_reflection("yamada", 3, 3, "a", "d", "", "t")
    teams, reflections, written = read_scores(tmp_path / "console.sqlite")
    assert teams["team-aaaa0001"].score == 15 and reflections["yamada"].points == 3
    assert written == {"yamada", "suzuki"}
    assert read_scores(tmp_path / "missing.sqlite") == ({}, {}, set()) and not (tmp_path / "missing.sqlite").exists()
    old = tmp_path / "old.sqlite"
    sqlite3.connect(old).execute("CREATE TABLE help_requests (id INTEGER)").connection.commit()
    assert read_scores(old) == ({}, {}, set())


# pages ---------------------------------------------------------------------------------------------------------------

TEAM = Team("1班", "team-aaaa0001", ("suzuki", "yamada"))
NAMES = {"yamada": ("山田 太郎", "企画課"), "suzuki": ("鈴木 花子", "防災課")}


def _sub(name: str, at: datetime) -> Submission:
    return Submission("team-aaaa0001", "1班", name, Path("/nowhere") / name, at, "yamada", ("第1回.ipynb",))


def test_is_the_team_section_the_same_for_every_member_and_escaped(store, the_rubric):
    """Do both members' records show the identical 班の成果物 section: score, each item's level with its descriptor,
    the comments as text (a <script> shown, never run)?"""
    g = store.save_team_grade(TEAM.team_user, "1班", "s1", _items(the_rubric, 1), f"全体 {SCRIPT}", "t", at=T0)
    sub = _sub("s1", T0 - timedelta(hours=1))
    html = console_teams.record_team_section(TEAM, sub, g, NAMES)
    assert html == console_teams.record_team_section(TEAM, sub, g, NAMES)  # nothing in it depends on the member
    assert "15 / 20 点" in html and the_rubric.items[0].levels[1].descriptor in html
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "2026年12月7日(月) 17:30" in html and "山田 太郎 (yamada)" in html  # Japan time, who submitted
    newer = _sub("s2", T0 + timedelta(hours=1))
    assert "再提出" in console_teams.record_team_section(TEAM, newer, g, NAMES)
    assert "班に入っていません" in console_teams.record_team_section(None, None, None, NAMES)


def test_does_the_grading_page_escape_the_deliverable_and_show_charts_inline(the_rubric):
    """Is a submitted cell shown as escaped text, a chart as a data: image, every level as a radio button with its
    descriptor, and a resubmission after grading flagged 再提出あり?"""
    from classroom.store import TeamGrade

    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    parts = [Part("第1回.ipynb", "markdown", text=f"# 問い {SCRIPT}"), Part("第1回.ipynb", "image", png=png)]
    old, new = _sub("s1", T0), _sub("s2", T0 + timedelta(hours=2))
    graded = TeamGrade(TEAM.team_user, "1班", "s1", (), "", 12, 20, "t", T0 + timedelta(hours=1))
    problem = "「見える化」の水準を選んでください。"
    html = console_teams.grading_page(
        course="odtb", team=TEAM, subs=[old, new], shown=new, parts=parts, rubric=the_rubric, rubric_error="",
        grade=None, latest_grade=graded, form={"comment-visual": SCRIPT}, problems=[problem],
        info="", names=NAMES, reflections={}, reflection_form=None, xsrf="<input name=_xsrf>", grading_url="/fg",
    )  # fmt: skip
    assert SCRIPT not in html and html.count("&lt;script&gt;") == 2
    assert 'src="data:image/png;base64,' in html
    assert html.count('type="radio"') == 20 + 0  # no reflection submitted: no reflection form
    assert all(lv.descriptor in html for i in the_rubric.items for lv in i.levels)
    assert "再提出あり" in html and "「見える化」の水準を選んでください。" in html
    assert f'value="{new.name}"' in html  # the form grades the submission shown


def test_can_a_member_write_a_reflection_until_it_is_graded(store, the_rubric):
    """Does a member's own record offer the reflection form until it is graded, then show the grade instead; and does
    an instructor see the text without the form?"""
    kw = {"user": "yamada", "in_team": True, "scale": the_rubric.reflection, "xsrf": ""}
    form = console_teams.record_reflection_section(own=True, reflection=None, graded=None, **kw)
    assert 'name="body"' in form and "振り返りを提出する" in form and the_rubric.reflection.prompt in form
    r = store.submit_reflection("yamada", f"学んだこと {SCRIPT}", at=T0)
    teacher = console_teams.record_reflection_section(own=False, reflection=r, graded=None, team_user="team-x", **kw)
    assert 'name="body"' not in teacher and "&lt;script&gt;" in teacher and "まだ評価していません" in teacher
    g = store.grade_reflection("yamada", 3, 3, "深く振り返っている", "具体的", "とても良い", "t")
    done = console_teams.record_reflection_section(own=True, reflection=r, graded=g, **kw)
    assert 'name="body"' not in done and "深く振り返っている" in done and "3 / 3 点" in done


# the grade-book export -----------------------------------------------------------------------------------------------


def test_does_the_export_carry_team_and_reflection_columns_per_member():
    """Do both members of a graded team get the same 班の成果物 score, each their own 振り返り (or 未採点/未提出), and a
    trainee without a team empty cells, with every earlier column unchanged?"""
    roster = [
        Trainee("yamada", "山田 太郎", "企画課", "1期", "1班"),
        Trainee("suzuki", "鈴木 花子", "防災課", "1期", "1班"),
        Trainee("tanaka", "田中 一郎", "税務課", "1期", "2班"),
        Trainee("sato", "佐藤 次郎", "福祉課", "1期"),
    ]
    work = Teamwork(
        team_scores={"1班": 15.0},
        submitted_teams=frozenset({"1班"}),
        reflection_scores={"yamada": 3.0},
        reflections=frozenset({"yamada", "suzuki"}),
    )
    h = header(["a1"])
    assert h == ["研修生", "氏名", "所属", "期", "a1", *TEAM_COLUMNS, "合計", "満点", "完了", "修了日", "備考"]
    rows = {r[0]: dict(zip(h, r, strict=True)) for r in table(roster, ["a1"], {}, {}, pass_ratio=0.6, teamwork=work)}
    cols = [[rows[u][c] for c in TEAM_COLUMNS] for u in ("yamada", "suzuki", "tanaka", "sato")]
    assert cols == [["1班", 15.0, 3.0], ["1班", 15.0, "未採点"], ["2班", "未提出", "未提出"], ["", "", ""]]
    assert rows["yamada"]["a1"] == "未提出" and rows["yamada"]["完了"] == "未"


def test_are_japan_times_used_for_the_team_list(the_rubric, store):
    """Does the instructors' list show each team's latest submission in Japan time, its state and score?"""
    g = store.save_team_grade(TEAM.team_user, "1班", "s1", _items(the_rubric), "", "t", at=T0)
    html = console_teams.team_list(
        course="odtb", teams=[TEAM, Team("2班", "team-bbbb0002", ("tanaka",))],
        latest={TEAM.team_user: _sub("s1", datetime(2026, 12, 7, 18, 30, tzinfo=JST))},
        grades={TEAM.team_user: g}, names=NAMES, rubric_error="", grading_url="/fg",
    )  # fmt: skip
    assert "2026年12月7日(月) 18:30" in html and "採点済み" in html and "20 / 20" in html and "未提出" in html

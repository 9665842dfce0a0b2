"""Teams (班) against the real stack: a roster imported with a 班 column, `./testbed cohort team set|list|clear`, a
bad team refused with nothing registered, and the instructor's console showing each trainee's team."""

from __future__ import annotations

import json
import time

import pytest
import requests
from helpers import cohort
from helpers.progress import login

from hub_config.teams import team_user_name
from testbed_cli import progress, team_workspaces

pytestmark = pytest.mark.integration

FRESH_SECONDS = 30


def _write(path, rows: list[tuple[str, ...]]):
    path.write_bytes(("ユーザー名,氏名,所属,班\n" + "".join(",".join(r) + "\n" for r in rows)).encode("utf-8-sig"))
    return path


def _teams(output: str) -> dict[str, list[str]]:
    return {t["team"]: [m["username"] for m in t["members"]] for t in json.loads(output)["teams"]}


def _board_rows(session: requests.Session, hub, course: str) -> dict[str, dict]:
    r = session.get(f"{hub.public}/services/progress-{course}/api/progress", timeout=30)
    assert r.status_code == 200, r.text[:300]
    return {row["username"]: row for row in r.json()["trainees"]}


def test_a_roster_with_a_bad_team_registers_nobody(hub, tmp_path, unique):
    """Is a roster with an HTML team name and a trainee in two teams refused, naming the lines, with nobody made?"""
    a, b = f"tx{unique()}", f"ty{unique()}"
    csv = _write(
        tmp_path / "bad.csv",
        [(a, "班 太郎", "企画課", "<b>1班</b>"), (b, "班 花子", "税務課", "1班"), (b, "班 花子", "税務課", "2班")],
    )
    result = cohort.cli("cohort", "import", str(csv))
    assert result.exit_code == 1
    assert "2 行目" in result.output and "使えない文字" in result.output
    assert "3 行目と 4 行目" in result.output and "何も登録していません" in result.output
    assert [hub.request("GET", f"/users/{u}").status_code for u in (a, b)] == [404, 404]


def test_teams_from_the_roster_are_set_listed_cleared_and_shown_on_the_console(
    hub, layout, stack_config, tmp_path, unique
):
    """Does a roster's 班 column reach `team list --json` and the console (with a warning for a team of one), and do
    `team set` and `team clear` change what the console shows?"""
    course = stack_config.courses[0].id
    a, b, c = f"ta{unique()}", f"tb{unique()}", f"tc{unique()}"
    one, two = f"A班{unique()}", f"B班{unique()}"
    csv = _write(
        tmp_path / "roster.csv",
        [(a, "班 一郎", "企画課", one), (b, "班 二郎", "税務課", one), (c, "班 三郎", "福祉課", two)],
    )
    try:
        result = cohort.cli("cohort", "import", str(csv))
        assert result.exit_code == 0, result.output
        if "配布用紙" in result.output:
            cohort.sheet_path(result.output).unlink()
        assert f"班「{two}」は 4 行目 {c} の 1 人だけです" in result.output
        teams = _teams(cohort.cli("cohort", "team", "list", "--json").output)
        assert teams[one] == sorted([a, b]) and teams[two] == [c]
        export = json.loads(progress.roster_export(layout, course).read_text(encoding="utf-8"))
        assert {m["username"]: m["team"] for m in export["members"] if m["username"] in (a, b, c)} == {
            a: one,
            b: one,
            c: two,
        }

        instructor = login(
            hub, stack_config.courses[0].instructors[0], (layout.secrets / "instructor-password").read_text().strip()
        )
        deadline = time.monotonic() + FRESH_SECONDS
        while (rows := _board_rows(instructor, hub, course)).get(c, {}).get("team") != two:
            assert time.monotonic() < deadline, f"the console did not show {c}'s team within {FRESH_SECONDS}s"
            time.sleep(1)
        assert rows[a]["team"] == one and rows[b]["team"] == one
        page = instructor.get(f"{hub.public}/services/progress-{course}/", params={"team": one}, timeout=30).text
        assert f'data-user="{a}"' in page and f'data-user="{b}"' in page and f'data-user="{c}"' not in page

        moved = cohort.cli("cohort", "team", "set", c, one)
        assert moved.exit_code == 0 and f"班「{two}」から班「{one}」に移しました" in moved.output
        bad = cohort.cli("cohort", "team", "set", a, "<script>")
        assert bad.exit_code != 0 and "使えない文字" in bad.output
        cleared = cohort.cli("cohort", "team", "clear", a)
        assert cleared.exit_code == 0 and "1 名" in cleared.output
        teams = _teams(cohort.cli("cohort", "team", "list", "--json").output)
        assert teams[one] == sorted([b, c]) and two not in teams
        deadline = time.monotonic() + FRESH_SECONDS
        while (rows := _board_rows(instructor, hub, course))[a].get("team") != "":
            assert time.monotonic() < deadline, f"the console still shows {a}'s old team after {FRESH_SECONDS}s"
            time.sleep(1)
        assert rows[c]["team"] == one
    finally:
        cohort.remove(a, b, c)
        for team in (one, two):  # the team workspaces `team set` and the import made (testbed_cli/team_workspaces.py)
            team_workspaces.delete(layout, team)
            for archive in (layout.state / "archive").glob(f"{layout.cfg.unix_user_prefix}{team_user_name(team)}-*"):
                archive.unlink()

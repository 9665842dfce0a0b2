"""Unit tests of the team workspaces' pure parts: names, labels, shares, the 研修 menu entry, which servers load
real-time collaboration, the spawner's choice, and the roster-to-workspace plan."""

from __future__ import annotations

import pytest
from traitlets.config import Config

from hub_config import configurer, console_links, teams
from testbed_cli import cohort_roster, hub, team_workspaces
from testbed_cli.layout import Layout
from testbed_config import Course, StackConfig, names

pytestmark = pytest.mark.unit


def _cfg(tmp_path) -> StackConfig:
    return StackConfig(
        state_dir=tmp_path / "state",
        prefix=tmp_path / "opt",
        courses=[Course(id="odtb", instructors=["sensei", "kyoshi"])],
    )


def test_a_team_user_name_is_ascii_short_and_stable():
    """Is the team's hub user the same for the same 班, different for another, and a valid short ASCII name?"""
    one = teams.team_user_name("1班")
    assert one == teams.team_user_name("1班") != teams.team_user_name("2班")
    assert one.startswith("team-") and len(one) == 13 and one.isascii() and one == one.lower()
    assert cohort_roster.reserved_problem(one, frozenset()) is not None  # no trainee can take a team's name


def test_labels_name_the_team_and_its_cohorts():
    """Is a team labelled with its 班 and 期 (several 期 joined, none when unknown)?"""
    assert teams.team_label("1班", ["2026年度第1期"]) == "1班 (2026年度第1期)"
    assert teams.team_label("1班", ["第1期", "第2期", "第1期"]) == "1班 (第1期・第2期)"
    assert teams.team_label("1班", ["", ""]) == "1班"


def test_the_share_opens_and_starts_only_that_server():
    """Does a team's share grant access to and start of that one server, and nothing wider?"""
    scopes = teams.share_scopes("team-0123abcd")
    assert scopes == ["access:servers!server=team-0123abcd/", "servers!server=team-0123abcd/"]


def test_user_info_gives_the_name_collaborators_see():
    """Does a 氏名 become JupyterHub's user_info (name, display name, initials), and no name none?"""
    assert teams.user_info("山田 太郎") == {"name": "山田 太郎", "display_name": "山田 太郎", "initials": "山"}
    assert teams.user_info("") is None


def test_the_kenshu_menu_gets_one_entry_to_the_team_workspaces(tmp_path):
    """Does the 研修 menu get one 「班の作業場所を開く」 entry (idempotent) opening the hub home's team buttons?"""
    overrides: dict = {}
    console_links.add_console_menu(overrides, _cfg(tmp_path))
    teams.add_team_menu(overrides, console_links.MAINMENU, console_links.MENU_ID)
    teams.add_team_menu(overrides, console_links.MAINMENU, console_links.MENU_ID)
    (menu,) = overrides[console_links.MAINMENU]["menus"]
    entries = [i for i in menu["items"] if i["args"]["text"] == "班の作業場所を開く"]
    assert len(entries) == 1 and entries[0]["args"]["url"] == "/hub/home#team-workspaces"


def test_collaboration_is_off_for_trainees_and_on_in_team_workspaces():
    """Do trainees' servers leave jupyter-collaboration's server and JupyterLab extensions off, and does the team
    workspaces' own config directory turn exactly those on (without the share-link dialog)?"""
    for name in teams.RTC_SERVER_EXTENSIONS:
        assert hub.TRAINEE_SERVER_EXTENSIONS[name] is False
    assert set(teams.RTC_LAB_EXTENSIONS) <= set(hub.DISABLED_LAB_PLUGINS)
    assert teams.team_server_config() == {
        "ServerApp": {"jpserver_extensions": {"jupyter_server_ydoc": True, "jupyter_server_fileid": True}}
    }
    assert teams.team_page_config()["disabledExtensions"] == {
        **{name: False for name in teams.RTC_LAB_EXTENSIONS},
        "@jupyter/collaboration-extension:shared-link": True,  # access follows the roster, not a member's link
    }


def test_the_spawner_knows_team_workspaces_and_the_operator_may_share(tmp_path):
    """Does the hub config name the team group and config directory for the spawner, pass the home page the team
    groups' kind, and let the operator's token share servers?"""
    c = Config()
    cfg = _cfg(tmp_path)
    layout = Layout(cfg)
    configurer.update_testbed_spawner(c, cfg, layout, is_root=True)
    configurer.update_pages(c, cfg)
    assert c.TestbedSpawner.team_group == teams.TEAMS_GROUP
    assert c.TestbedSpawner.team_config_dir == str(layout.hub_venv / "etc/jupyter-team")
    assert c.JupyterHub.template_vars["team_kind"] == teams.GROUP_KIND
    layout.secrets.mkdir(parents=True)
    (layout.secrets / names.HUB_ADMIN_TOKEN).write_text("t")
    (role,) = configurer.operator_service(layout)[1]
    assert "shares" in role["scopes"]


def test_the_roster_teams_become_workspaces_with_members_and_instructors(tmp_path):
    """Does each 班 of the roster become one workspace with its members, the course's instructors and a label?"""
    cfg = _cfg(tmp_path)
    layout = Layout(cfg)
    layout.hub_dir.mkdir(parents=True)
    db = layout.hub_dir / names.ROSTER_DB
    cohort_roster.save(
        db,
        [
            cohort_roster.Entry(0, "sato", "佐藤 一", "企画課", "第1期", "1班"),
            cohort_roster.Entry(0, "ito", "伊藤 二", "税務課", "第1期", "1班"),
            cohort_roster.Entry(0, "kato", "加藤 三", "福祉課", "第1期", "2班"),
            cohort_roster.Entry(0, "solo", "単独 四", "福祉課", "第1期", ""),
        ],
        "odtb",
    )
    plan = team_workspaces.wanted(layout)
    assert [(w.team, w.members, w.staff, w.label) for w in plan] == [
        ("1班", ("ito", "sato"), ("kyoshi", "sensei"), "1班 (第1期)"),
        ("2班", ("kato",), ("kyoshi", "sensei"), "2班 (第1期)"),
    ]
    assert [w.user for w in plan] == [teams.team_user_name("1班"), teams.team_user_name("2班")]


def test_the_collaboration_panel_reads_japanese():
    """Has every string of the collaboration panel a member reads (side panel headings) a Japanese translation?"""
    from testbed_cli import lab_collaboration_ja

    for key in ("Collaboration", "User info", "Online Collaborators"):
        assert lab_collaboration_ja.TABLE[key] and lab_collaboration_ja.TABLE[key].isascii() is False

"""Unit tests of what sets up 班の成果物の提出 without a hub: the team's course read from the roster for its server, the
page enabled for team servers only, the team drop box among the exchange folders."""

from __future__ import annotations

import json

import pytest

from hub_config import teams
from testbed_cli import cohort_roster, hub
from testbed_config import names

pytestmark = pytest.mark.unit


def test_a_team_server_learns_its_team_and_its_members_course_from_the_roster(tmp_path):
    """Does ``roster_team`` give the 班 and the course most of its members are in, and ("", "") for an unknown team
    user, a missing roster or one without teams?"""
    db = tmp_path / names.ROSTER_DB
    cohort_roster.save(db, [cohort_roster.Entry(0, "a1", "一", team="1班"), cohort_roster.Entry(0, "a2", "二")], "odtb")
    cohort_roster.save(db, [cohort_roster.Entry(0, "b1", "三", team="2班")], "other")
    cohort_roster.set_teams(db, {"a2": "1班"})
    assert teams.roster_team(str(db), teams.team_user_name("1班")) == ("1班", "odtb")
    assert teams.roster_team(str(db), teams.team_user_name("2班")) == ("2班", "other")
    assert teams.roster_team(str(db), teams.team_user_name("3班")) == ("", "")
    assert teams.roster_team(str(tmp_path / "missing.sqlite"), teams.team_user_name("1班")) == ("", "")
    assert teams.roster_team("", teams.team_user_name("1班")) == ("", "")


def test_the_submission_page_is_on_in_team_servers_only():
    """Is the page's extension enabled by the team config directory's entry, and never by the trainees' one?"""
    assert teams.team_submit_config() == {"ServerApp": {"jpserver_extensions": {"hub_config.team_submit": True}}}
    assert teams.SUBMIT_EXTENSION not in hub.TRAINEE_SERVER_EXTENSIONS
    assert teams.SUBMIT_EXTENSION not in json.dumps(teams.team_server_config())  # the RTC entry stays as it was


def test_the_team_drop_box_is_write_only_and_sticky_like_inbound():
    """Is team_inbound made by ``up`` with inbound's mode (anyone adds, only the grader lists, nobody removes
    another's entry)?"""
    assert hub.EXCHANGE_COURSE_MODES[names.TEAM_INBOUND] == 0o3733 == hub.EXCHANGE_COURSE_MODES["inbound"]


def test_team_user_name_lives_in_testbed_config_and_hub_config_re_exports_it():
    """Is the one spelling of a team's hub user shared by hub_config and classroom?"""
    assert teams.team_user_name is names.team_user_name
    assert names.team_user_name("1班").startswith(names.TEAM_USER_PREFIX)

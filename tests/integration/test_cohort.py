"""`./testbed cohort` against the real hub and CKAN: import, sign-in, all-or-nothing, removal."""

from __future__ import annotations

import json
import os
import pwd
import stat
from urllib.parse import urljoin

import pytest
from helpers import cohort

from testbed_config.names import ROSTER_DB, ROSTER_EXPORT, ckan_user_name, sandbox_org_name

pytestmark = pytest.mark.integration


@pytest.fixture
def cohort_of_two(tmp_path, unique):
    a, b = f"ca{unique()}", f"cb{unique()}"
    passwords = cohort.import_roster(tmp_path, [(a, "山田 太郎", "企画課"), (b, "佐藤 花子", "")])
    yield a, b, passwords
    cohort.remove(a, b)


def test_each_imported_trainee_signs_in_with_their_own_initial_password(hub, cohort_of_two):
    """Does each trainee sign in with the password on their card, and is another trainee's password refused?"""
    a, b, pw = cohort_of_two
    assert set(pw) == {a, b} and pw[a] != pw[b]
    assert cohort.login(hub.public, a, pw[a]).status_code == 302
    assert cohort.login(hub.public, b, pw[b]).status_code == 302
    assert cohort.login(hub.public, a, pw[b]).status_code == 403


def test_imported_trainees_are_in_the_course_group_and_the_roster(hub, cohort_of_two, stack_config):
    """Are imported trainees nbgrader students of the course, listed with 氏名 and 所属 by `cohort list --json`?"""
    a, b, _ = cohort_of_two
    group = hub.request("GET", f"/groups/nbgrader-{stack_config.courses[0].id}").json()
    assert {a, b} <= set(group["users"])
    rows = {r["username"]: r for r in json.loads(cohort.cli("cohort", "list", "--json").output)}
    assert rows[a]["fullname"] == "山田 太郎" and rows[a]["dept"] == "企画課" and rows[a]["in_hub"]
    assert rows[b]["fullname"] == "佐藤 花子"


def test_a_trainees_cohort_is_listed_and_handed_to_the_progress_board(unique, layout, stack_config):
    """Does `cohort add --cohort` store the trainee's 期 (typed with full-width digits) in one spelling, list it in
    `cohort list --json`, and export it for the course's progress board?"""
    from testbed_cli import progress

    name = f"ck{unique()}"
    result = cohort.cli("cohort", "add", name, "--name", "期 太郎", "--cohort", "２０２６年度第１期")
    try:
        assert result.exit_code == 0, result.output
        if "配布用紙" in result.output:  # on-site mode
            cohort.sheet_path(result.output).unlink()
        rows = {r["username"]: r for r in json.loads(cohort.cli("cohort", "list", "--json").output)}
        assert rows[name]["cohort"] == "2026年度第1期"
        export = progress.roster_export(layout, stack_config.courses[0].id).read_text(encoding="utf-8")
        members = {m["username"]: m for m in json.loads(export)["members"]}
        assert members[name]["cohort"] == "2026年度第1期" and members[name]["fullname"] == "期 太郎"
    finally:
        cohort.remove(name)


def test_import_gives_each_trainee_a_ckan_sandbox_named_after_them(ckan_admin, cohort_of_two):
    """Does each trainee get a CKAN user and a sandbox titled 「<氏名> のサンドボックス」 where they are editor?"""
    a, _, _ = cohort_of_two
    org = ckan_admin.action.organization_show(id=sandbox_org_name(a), include_users=True)
    assert org["title"] == "山田 太郎 のサンドボックス"
    roles = {u["name"]: u["capacity"] for u in org["users"]}
    assert roles[ckan_user_name(a)] == "editor"
    assert ckan_admin.action.user_show(id=ckan_user_name(a))["sysadmin"] is False


def test_password_sheet_is_private_japanese_and_printable(tmp_path, unique, layout):
    """Is the password sheet written 0600 into the state dir, in Japanese, one card per trainee, with print CSS?"""
    a = f"cs{unique()}"
    result = cohort.cli("cohort", "add", a, "--name", "鈴木 一郎", "--dept", "税務課")
    try:
        assert result.exit_code == 0, result.output
        path = cohort.sheet_path(result.output)
        assert path.is_relative_to(layout.state)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = path.read_text(encoding="utf-8")
        assert '<html lang="ja">' in text and "@page" in text and "鈴木 一郎" in text
        assert layout.cfg.hub_url in text and list(cohort.passwords_from_sheet(path)) == [a]
        path.unlink()
    finally:
        cohort.remove(a)


def test_roster_with_bad_lines_imports_nothing_and_names_every_line(tmp_path, unique, hub, ckan_admin):
    """Does a roster with a duplicate, bad characters and an empty name import nobody and report each line?"""
    good, dup = f"cg{unique()}", f"cd{unique()}"
    rows = [
        (good, "正しい 人", ""),
        (dup, "一人目", ""),
        (dup, "二人目", ""),
        ("Bad.Name", "記号 入り", ""),
        ("cx1", "", ""),
    ]
    result = cohort.cli("cohort", "import", str(cohort.write_roster(tmp_path / "bad.csv", rows)))
    assert result.exit_code == 1
    for line in ("4 行目", "5 行目", "6 行目"):
        assert line in result.output, result.output
    assert "重複" in result.output and "氏名が空" in result.output and "何も登録していません" in result.output
    for name in (good, dup):
        assert hub.request("GET", f"/users/{name}").status_code == 404
        assert ckan_admin.action.user_list(q=ckan_user_name(name)) == []


def test_reimport_skips_existing_trainees_and_keeps_their_password(tmp_path, hub, cohort_of_two, unique):
    """Does importing the same roster again skip existing trainees (reported) and leave their password valid?"""
    a, b, pw = cohort_of_two
    c = f"cc{unique()}"
    path = cohort.write_roster(tmp_path / "again.csv", [(a, "山田 太郎", "企画課"), (c, "新しい 人", "")], "cp932")
    try:
        result = cohort.cli("cohort", "import", str(path))
        assert result.exit_code == 0, result.output
        assert f"スキップ: 2 行目: {a}" in result.output and "1 名を登録しました" in result.output
        cohort.sheet_path(result.output).unlink()
        assert cohort.login(hub.public, a, pw[a]).status_code == 302
    finally:
        cohort.remove(c)


def test_reimport_updates_what_the_roster_gives_and_leaves_the_rest(tmp_path, cohort_of_two, layout, stack_config):
    """A corrected roster imported again: does it change 所属 and 班 of a registered trainee (reported, on the board's
    roster), keep their password, and does a later file without a 班 column leave the team alone?"""
    from testbed_cli import cohort_roster

    a, b, pw = cohort_of_two
    with_team = tmp_path / "teams.csv"
    with_team.write_bytes(f"ユーザー名,氏名,所属,班\n{a},山田 太郎,防災課,2班\n{b},佐藤 花子,,\n".encode("utf-8-sig"))
    result = cohort.cli("cohort", "import", str(with_team))
    assert result.exit_code == 0, result.output
    assert f"更新: {a} (山田 太郎) — 所属 企画課 → 防災課、班 (なし) → 2班" in result.output, result.output
    assert f"スキップ: 3 行目: {b}" in result.output and "更新 1 名" in result.output
    row = {m.username: m for m in cohort_roster.load(layout.hub_dir / ROSTER_DB)}[a]
    assert (row.dept, row.team) == ("防災課", "2班")
    exported = json.loads((layout.course_home(stack_config.courses[0].id) / ROSTER_EXPORT).read_text())
    assert any(m.get("username") == a and m.get("team") == "2班" for m in exported["members"]), exported
    without_team = cohort.write_roster(tmp_path / "names.csv", [(a, "山田 太郎", "防災課")])
    result = cohort.cli("cohort", "import", str(without_team))
    assert result.exit_code == 0 and "更新:" not in result.output, result.output
    row = {m.username: m for m in cohort_roster.load(layout.hub_dir / ROSTER_DB)}[a]
    assert row.team == "2班"


def test_remove_deletes_hub_user_and_ckan_side_and_archives_the_home(tmp_path, unique, hub, ckan_admin, layout):
    """Does `cohort remove` delete the hub user, archive and delete the Unix account, soft-delete the CKAN side?"""
    name = f"cr{unique()}"
    pw = cohort.import_roster(tmp_path, [(name, "削除 予定", "")])
    hub.start_server(name)
    ds = ckan_admin.action.package_create(name=f"{name}-work", owner_org=sandbox_org_name(name), private=True)
    unix = layout.cfg.unix_user_prefix + name
    assert pwd.getpwnam(unix)
    result = cohort.cli("cohort", "remove", "--yes", name)
    assert result.exit_code == 0, result.output
    assert hub.request("GET", f"/users/{name}").status_code == 404
    assert cohort.login(hub.public, name, pw[name]).status_code == 403
    with pytest.raises(KeyError):
        pwd.getpwnam(unix)
    archives = list((layout.state / "archive").glob(f"{unix}-*.tar.gz"))
    assert archives and all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in archives)
    assert ckan_admin.action.user_show(id=ckan_user_name(name))["state"] == "deleted"
    assert ckan_admin.action.organization_show(id=sandbox_org_name(name))["state"] == "deleted"
    assert ckan_admin.action.package_show(id=ds["id"])["state"] == "deleted"
    assert ckan_admin.action.api_token_list(user_id=ckan_user_name(name)) == []
    assert name not in {r["username"] for r in json.loads(cohort.cli("cohort", "list", "--json").output)}
    for p in archives:
        p.unlink()


def test_hub_pages_are_in_japanese(hub, cohort_of_two):
    """Are the sign-in, home, spawn-pending, server-stopped and not-found pages of the hub in Japanese?"""
    a, _, pw = cohort_of_two
    page = cohort.login(hub.public, a, "wrong").content.decode()  # the page shown again after a failed sign-in
    for words in (
        "<title>オープンデータ・テストベッド</title>",
        "ユーザー名",
        "パスワード",
        'value="サインイン"',
        "違います",
    ):
        assert words in page
    s = cohort.login(hub.public, a, pw[a]).session
    home = s.get(f"{hub.public}/hub/home", timeout=30).content.decode()
    assert "作業環境を起動" in home and "サインアウト" in home and "Start My Server" not in home
    spawn = s.get(f"{hub.public}/hub/spawn", timeout=60, allow_redirects=False)
    assert spawn.status_code == 302 and "/hub/spawn-pending/" in spawn.headers["Location"]
    pending = s.get(urljoin(hub.public, spawn.headers["Location"]), timeout=60, allow_redirects=False)
    if pending.status_code == 200:  # still starting: the progress page
        assert "起動しています" in pending.content.decode()
    else:  # a start takes about a second: the server may be ready before its progress page is asked for
        assert pending.status_code == 302 and f"/user/{a}/" in pending.headers["Location"]
    hub.request("DELETE", f"/users/{a}/server")
    stopped = s.get(f"{hub.public}/hub/spawn-pending/{a}", timeout=60, allow_redirects=False)
    assert stopped.status_code == 200 and "作業環境は停止しています" in stopped.content.decode()
    missing = s.get(f"{hub.public}/hub/no-such-page", timeout=30)
    assert missing.status_code == 404 and "ページが見つかりません" in missing.content.decode()


def test_removed_trainee_can_be_added_again_with_a_fresh_start(tmp_path, unique, hub, ckan_admin):
    """Can a removed user name be registered again: new password works, the old one does not, CKAN is active?"""
    name = f"ca{unique()}"
    old = cohort.import_roster(tmp_path, [(name, "前の 人", "")])[name]
    cohort.remove(name)
    try:
        new = cohort.import_roster(tmp_path, [(name, "次の 人", "")])[name]
        assert cohort.login(hub.public, name, new).status_code == 302
        assert new == old or cohort.login(hub.public, name, old).status_code == 403
        assert ckan_admin.action.user_show(id=ckan_user_name(name))["state"] == "active"
        org = ckan_admin.action.organization_show(id=sandbox_org_name(name))
        assert org["state"] == "active" and org["title"] == "次の 人 のサンドボックス"
    finally:
        cohort.remove(name)

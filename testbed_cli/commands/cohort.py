"""`./testbed cohort ...`: register trainees (one, or a roster CSV), list them, remove one, set deadlines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from classroom import deadlines as rules
from testbed_cli import cohort as ops
from testbed_cli import cohort_accounts, cohort_deadlines, cohort_teams, usage_ja
from testbed_cli import cohort_roster as roster
from testbed_cli.errors import SetupError


def _layout():
    return click.get_current_context().find_root().obj.layout


def _report(result: ops.AddResult, mode: str) -> None:
    for entry, reason in result.skipped:
        where = f"{entry.line} 行目: " if entry.line else ""
        click.secho(f"スキップ: {where}{entry.username} ({entry.fullname}) — {reason}", fg="yellow")
    for entry, changed in result.updated:
        click.echo(f"更新: {entry.username} ({entry.fullname}) — {roster.describe(changed)}")
    updated = f"、更新 {len(result.updated)} 名" if result.updated else ""
    click.secho(f"{len(result.added)} 名を登録しました (スキップ {len(result.skipped)} 名{updated})。", fg="green")
    if result.sheet:
        click.echo(f"初期パスワードの配布用紙: {result.sheet}")
        click.echo("  ブラウザで開いて印刷し、切り分けて手渡してください。配り終えたらファイルを削除してください。")
    elif result.added and mode != "onsite":
        click.echo("遠隔研修モードのため、初期パスワードは作っていません。")


def _course_option(f):
    return click.option("--course", default=None, help="nbgrader のコース (既定: 設定の最初のコース)")(f)


@click.group()
def cohort():
    """研修生 (コホート) の登録・一覧・削除と、課題の締切・班。"""


@cohort.command()
@click.argument("username")
@click.option("--name", "fullname", required=True, help="氏名 (配布用紙とサンドボックスの名前に使います)")
@click.option("--dept", default="", help="所属 (例: 企画課)")
@click.option("--cohort", "group", default="", help="期 (例: 2026年度第1期)。期ごとの締切に使います")
@_course_option
def add(username: str, fullname: str, dept: str, group: str, course: str | None):
    """研修生 USERNAME を 1 名登録します (実地研修モードでは初期パスワードを作ります)。"""
    layout = _layout()
    bad = roster.username_problem(username, ops.max_username_length(layout)) or roster.reserved_problem(username)
    if bad:
        raise SetupError(bad)
    if not fullname.strip():
        raise SetupError("氏名が空です。--name で氏名を指定してください。")
    entry = roster.Entry(0, username, fullname.strip(), dept.strip(), cohort_deadlines.cohort_name(group))
    result = ops.add(layout, [entry], course=course, log=lambda m: click.echo(f"・{m}", err=True))
    if result.skipped:
        raise SetupError(f"{username} はすでに登録されています (一覧は ./testbed cohort list)。")
    _report(result, layout.cfg.mode)


@cohort.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cohort", "group", default="", help="期の列がない (空の) 行の期 (例: 2026年度第1期)")
@_course_option
def import_(csv_file: Path, group: str, course: str | None):
    """名簿 CSV (ユーザー名,氏名,所属[,期][,班]) から研修生をまとめて登録します。誤りが 1 つでもあれば何も登録しません。

    班が 1 人だけの班は登録したうえで注意を表示します (残りの人は後から team set で加えられます)。"""
    layout = _layout()
    max_len = ops.max_username_length(layout)
    entries, problems = roster.parse(csv_file.read_bytes(), max_len=max_len, cohort=cohort_deadlines.cohort_name(group))
    if problems:
        click.secho(f"名簿 {csv_file} に誤りがあるため、何も登録していません:", fg="red", err=True)
        for p in problems:
            click.echo(f"  - {p}", err=True)
        click.echo("名簿を直してから、もう一度実行してください。", err=True)
        sys.exit(1)
    lone = cohort_teams.lone_warnings(entries, roster.load(ops.roster_db(layout)))
    result = ops.add(layout, entries, course=course, log=lambda m: click.echo(f"・{m}", err=True), update=True)
    _report(result, layout.cfg.mode)
    for w in lone:
        click.secho(f"注意: {w}", fg="yellow")


@cohort.command("list")
@click.option("--json", "as_json", is_flag=True, help="機械可読な JSON で出力します")
def list_(as_json: bool):
    """登録した研修生の一覧 (氏名・所属・期・コース・サーバーの状態)。"""
    rows = ops.members(_layout())
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("登録された研修生はいません (./testbed cohort add / import で登録します)。")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"研修生 {len(rows)} 名")
    for col in ("ユーザー名", "氏名", "所属", "期", "コース", "サーバー", "最終操作"):
        table.add_column(col)
    for r in rows:
        state = "起動中" if r["server"] else ("停止" if r["in_hub"] else "hub に未登録")
        if r.get("disabled"):
            state = f"アカウント停止中 ({state})"
        last = (r["last_activity"] or "-")[:16]
        table.add_row(r["username"], r["fullname"], r["dept"], r["cohort"] or "-", r["course"], state, last)
    Console().print(table)


@cohort.command()
@click.argument("username")
@click.option("--yes", is_flag=True, help="確認せずに削除します")
def remove(username: str, yes: bool):
    """研修生 USERNAME を削除します (作業フォルダは保存してから Unix アカウントを消します)。"""
    if not yes:
        usage_ja.confirm(f"研修生 {username} を削除します。よろしいですか?")
    r = ops.remove(_layout(), username)
    click.secho(f"研修生 {username} を削除しました。", fg="green")
    click.echo(f"  JupyterHub のユーザー: {'削除しました' if r.hub_user else 'ありませんでした'}")
    click.echo(
        f"  CKAN: ユーザー {r.ckan.user_name} とサンドボックス {r.ckan.org_name} を削除状態にしました "
        f"(データセット {r.ckan.datasets_deleted} 件を削除、API トークン {r.ckan.tokens_revoked} 個を無効化。"
        "CKAN 管理画面のごみ箱から復元・完全削除できます)"
    )
    if r.unix_removed:
        where = f"作業フォルダを {r.unix_archive} に保存し、" if r.unix_archive else ""
        click.echo(f"  Unix アカウント: {where}アカウントを削除しました")


@cohort.command("reset-password")
@click.argument("username")
def reset_password(username: str):
    """研修生 USERNAME のパスワードを再発行し、配布用紙を作ります (前のパスワードはすぐに使えなくなります)。"""
    sheet = cohort_accounts.reset_password(_layout(), username)
    click.secho(f"研修生 {username} のパスワードを再発行しました。前のパスワードはもう使えません。", fg="green")
    click.echo(f"新しいパスワードの配布用紙: {sheet}")
    click.echo("  ブラウザで開いて印刷し、本人に手渡してください。渡したらファイルを削除してください。")
    if cohort_accounts.is_disabled(_layout(), username):
        click.secho(
            f"注意: {username} のアカウントは停止中です (./testbed cohort enable {username} で再開)。", fg="yellow"
        )


@cohort.command()
@click.argument("username")
def disable(username: str):
    """研修生 USERNAME のアカウントを停止します (サインイン・作業環境・CKAN を止め、ファイルと成績は残します)。"""
    r = cohort_accounts.disable(_layout(), username)
    click.secho(f"研修生 {username} のアカウントを停止しました。", fg="green")
    click.echo(f"  作業環境: {'止めました' if r.server_stopped else '起動していませんでした'}")
    click.echo(f"  JupyterHub のトークン: {r.tokens_revoked} 個を無効にしました (開いている画面は 30 秒以内に切れます)")
    ckan = "ユーザーを停止しました (API トークンもサインインも使えません)" if r.ckan_user else "ユーザーなし"
    click.echo(f"  CKAN: {ckan}")
    click.echo(f"  ファイルと成績は残っています。再開するには ./testbed cohort enable {username}")


@cohort.command()
@click.argument("username")
def enable(username: str):
    """停止した研修生 USERNAME のアカウントを再開します (前と同じパスワードでサインインできます)。"""
    r = cohort_accounts.enable(_layout(), username)
    click.secho(f"研修生 {username} のアカウントを再開しました。前と同じパスワードでサインインできます。", fg="green")
    if r.ckan_user:
        click.echo("  CKAN: ユーザーを元に戻しました")


@cohort.group()
def deadline():
    """課題の締切: 期ごと、または全員 (期の指定なし) に設定します。進捗ボードと成績表に表示されます。"""


@deadline.command("set")
@click.argument("assignment")
@click.argument("day", metavar="DATE")
@click.argument("at", metavar="[TIME]", required=False)
@click.option("--cohort", "group", default="", help="この期の研修生だけの締切 (省略すると、期ごとの締切がない全員)")
@_course_option
def deadline_set(assignment: str, day: str, at: str | None, group: str, course: str | None):
    """課題 ASSIGNMENT の締切を DATE (2026-12-20) [TIME (17:00)] にします。時刻を省くとその日の 23:59 です。"""
    d, warnings = cohort_deadlines.set_deadline(_layout(), assignment, day, at, cohort=group, course=course)
    who = f"期「{d.cohort}」の研修生" if d.cohort else "期ごとの締切がない研修生全員"
    click.secho(
        f"課題 {d.assignment} の締切を {rules.japanese(d.due_at)} にしました ({who}、コース {d.course})。", fg="green"
    )
    for w in warnings:
        click.secho(f"注意: {w}", fg="yellow")


@deadline.command("clear")
@click.argument("assignment")
@click.option("--cohort", "group", default="", help="この期の締切を消します (省略すると、全員向けの締切)")
@_course_option
def deadline_clear(assignment: str, group: str, course: str | None):
    """課題 ASSIGNMENT の締切を消します。"""
    cohort_deadlines.clear_deadline(_layout(), assignment, cohort=group, course=course)
    who = f"期「{rules.normalize_cohort(group)}」" if group.strip() else "全員向け"
    click.secho(f"課題 {assignment} の{who}の締切を消しました。", fg="green")


@deadline.command("list")
@click.option("--json", "as_json", is_flag=True, help="機械可読な JSON で出力します")
@click.option("--course", default=None, help="このコースの締切だけを表示します")
def deadline_list(as_json: bool, course: str | None):
    """設定した締切の一覧。"""
    rows = cohort_deadlines.list_deadlines(_layout(), course)
    if as_json:
        click.echo(json.dumps([roster.as_dict(d) for d in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(
            "締切はまだ設定されていません (./testbed cohort deadline set 課題名 2026-12-20 [17:00] で設定します)。"
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"締切 {len(rows)} 件")
    for col in ("コース", "課題", "期", "締切"):
        table.add_column(col)
    for d in rows:
        table.add_row(d.course, d.assignment, d.cohort or "全員 (期ごとの締切がない研修生)", rules.japanese(d.due_at))
    Console().print(table)


@cohort.group()
def team():
    """班 (チーム): 研修生を班に分けます。所属が混ざる班の提案 (suggest) もできます。研修コンソールに表示されます。"""


def _team_table(title: str, teams: list[cohort_teams.Team]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in ("班", "人数", "所属の内訳", "メンバー"):
        table.add_column(col)
    for t in teams:
        depts = "、".join(f"{d} {n}" for d, n in t.depts.items())
        people = "、".join(f"{m.fullname} ({m.username})" for m in t.members)
        table.add_row(t.name, f"{len(t.members)} 名", depts, people)
    Console().print(table)


@team.command("set")
@click.argument("username")
@click.argument("team_name", metavar="TEAM")
def team_set(username: str, team_name: str):
    """研修生 USERNAME を班 TEAM (例: 1班) に入れます (ほかの班にいれば移します)。"""
    member, warnings = cohort_teams.set_team(_layout(), username, team_name)
    click.secho(f"{member.username} ({member.fullname}) を班「{member.team}」に入れました。", fg="green")
    for w in warnings:
        click.secho(f"注意: {w}", fg="yellow")


@team.command("list")
@click.option("--json", "as_json", is_flag=True, help="機械可読な JSON で出力します")
def team_list(as_json: bool):
    """班の一覧 (人数・所属の内訳・メンバー) と、班のない研修生。"""
    teams, alone = cohort_teams.list_teams(_layout())
    if as_json:
        data = {
            "teams": [
                {"team": t.name, "depts": t.depts, "members": [roster.as_dict(m) for m in t.members]} for t in teams
            ],
            "unassigned": [roster.as_dict(m) for m in alone],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not teams:
        click.echo("班はまだありません (./testbed cohort team set ユーザー名 1班、または team suggest で作ります)。")
    else:
        _team_table(f"班 {len(teams)} 個", teams)
    for t in teams:
        if len(t.members) == 1:
            click.secho(f"注意: {cohort_teams.lone_warning(t.name, t.members[0].username)}", fg="yellow")
    if alone:
        click.echo(f"班のない研修生 {len(alone)} 名: " + "、".join(m.username for m in alone))


@team.command("clear")
@click.argument("username", required=False)
@click.option("--all", "everyone", is_flag=True, help="全員を班から外します")
def team_clear(username: str | None, everyone: bool):
    """研修生 USERNAME を班から外します (--all で全員)。"""
    n = cohort_teams.clear(_layout(), username, everyone=everyone)
    who = "全員" if everyone else username
    if n:
        click.secho(f"{who}を班から外しました ({n} 名)。", fg="green")
    else:
        click.echo(f"{who}は班に入っていませんでした。何も変えていません。")


@team.command("suggest")
@click.option("--size", type=int, default=4, show_default=True, help="1 班の人数の目安")
@click.option("--mix", default="所属", show_default=True, help="班の中で混ぜる列 (所属)")
@click.option("--cohort", "group", default="", help="この期の研修生だけで班を作ります")
@click.option(
    "--apply", "do_apply", is_flag=True, help="提案どおりに班を保存します (提案に入る研修生の今の班は置き換わります)"
)
def team_suggest(size: int, mix: str, group: str, do_apply: bool):
    """所属が混ざる班を提案します (同じ名簿なら毎回同じ提案)。--apply で保存します。"""
    layout = _layout()
    teams = cohort_teams.proposal(layout, size, mix, cohort_deadlines.cohort_name(group))
    total = sum(len(t.members) for t in teams)
    _team_table(f"班の提案: {total} 名を {len(teams)} 班に (1 班 {size} 名前後、所属が混ざるように)", teams)
    if not do_apply:
        click.echo("この提案で良ければ、同じオプションに --apply を付けて実行すると保存します。")
        return
    n = cohort_teams.apply(layout, teams)
    click.secho(f"{n} 名の班を保存しました (./testbed cohort team list で確かめられます)。", fg="green")

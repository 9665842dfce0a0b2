"""`./testbed class start|stop`: trainees' servers started before class and stopped after it."""

from __future__ import annotations

import click

from testbed_cli import classroom
from testbed_cli.errors import SetupError


def _course(layout, course_id: str | None) -> str:
    ids = [c.id for c in layout.cfg.courses]
    if course_id is None:
        return ids[0]
    if course_id not in ids:
        raise SetupError(f"コース {course_id!r} はありません。次のどれかを指定してください: {', '.join(ids)}")
    return course_id


@click.group("class")
def class_():
    """授業の前後: 研修生全員のサーバーを前もって起動する / 授業のあとで止める。"""


@class_.command()
@click.option("--course", "course_id", help="コース ID (既定: 設定の最初のコース)")
@click.option("--parallel", type=click.IntRange(1, 32), default=4, show_default=True, help="同時に頼む起動の数")
@click.pass_obj
def start(obj, course_id: str | None, parallel: int):
    """コースの研修生全員と班の作業場所のサーバーを起動しておきます (ログインしてすぐ JupyterLab が開きます)。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    layout = obj.layout
    course = _course(layout, course_id)
    names, disabled = classroom.without_disabled(layout, classroom.trainees(layout, course))
    if disabled:
        shown = "、".join(disabled[:10]) + (f" ほか {len(disabled) - 10} 名" if len(disabled) > 10 else "")
        click.echo(
            f"停止中のアカウント {len(disabled)} 名 ({shown}) のサーバーは起動しません "
            "(再開するには ./testbed cohort enable ユーザー名)。"
        )
    if not names:
        click.echo(f"コース {course} に起動できる研修生がいません (./testbed cohort import で登録します)。")
        return
    if layout.cfg.mode == "remote":
        click.secho(
            "遠隔研修モードでは、使われないサーバーは "
            f"{layout.cfg.remote.idle_timeout_minutes} 分で自動的に止まります。",
            fg="yellow",
        )
    teams = classroom.team_workspaces(layout, course)  # started with the class: a team opens its workspace at once
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as progress:
        task = progress.add_task("サーバーを起動中", total=len(names) + len(teams))
        result = classroom.start_all(
            layout, names + teams, parallel=parallel, on_ready=lambda *_: progress.advance(task)
        )
    ready = [n for n in result.ready if n not in teams]
    already = [n for n in result.already if n not in teams]
    click.secho(f"起動しました: {len(ready)} 名 (起動済み {len(already)} 名、{result.seconds:g} 秒)", fg="green")
    if teams:
        up = sum(1 for n in teams if n in result.ready or n in result.already)
        click.secho(f"班の作業場所: {up} / {len(teams)} 班が開ける状態です", fg="green" if up == len(teams) else "red")
    if result.failed:
        for name, why in sorted(result.failed.items()):
            click.secho(f"  {name}: {why}", fg="red", err=True)
        click.echo("もう一度 ./testbed class start を実行すると、残りだけを起動します。", err=True)
        raise SystemExit(1)


@class_.command()
@click.option("--course", "course_id", help="コース ID (既定: 設定の最初のコース)")
@click.pass_obj
def stop(obj, course_id: str | None):
    """コースの研修生全員と班の作業場所のサーバーを止めます (作業中のファイルはそのまま残ります)。"""
    layout = obj.layout
    course = _course(layout, course_id)
    n = classroom.stop_all(layout, classroom.trainees(layout, course))
    teams = classroom.stop_all(layout, classroom.team_workspaces(layout, course))
    shown = f"と班の作業場所 {teams} 班" if teams else ""
    click.echo(f"{n} 名{shown}のサーバーを止めました。ファイルはそのまま残っています。")


@class_.command("fresh-copy")
@click.argument("user")
@click.argument("assignment")
@click.option("--course", "course_id", help="コース ID (既定: 設定の最初のコース)")
@click.pass_obj
def fresh_copy(obj, user: str, assignment: str, course_id: str | None):
    """研修生の課題を配布時の状態に戻します (元のファイルは日時つきの名前で同じフォルダーに残ります)。"""
    from classroom.fresh_copy import summary

    layout = obj.layout
    result = classroom.fresh_copy(layout, _course(layout, course_id), user, assignment)
    click.echo(summary(result))
    for old, aside in result.kept:
        click.echo(f"  {old} → {aside}")

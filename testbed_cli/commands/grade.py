"""`./testbed grade ...`: sandboxed parallel autograding, feedback release and grade-book export."""

from __future__ import annotations

import os
from pathlib import Path

import click

from testbed_cli.errors import SetupError


class GradeGroup(click.Group):
    """`grade ASSIGNMENT` grades; `grade export` exports (an assignment may not be named 'export')."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=GradeGroup, invoke_without_command=False)
def grade():
    """採点: ./testbed grade 課題名 で自動採点とフィードバック返却、./testbed grade export で成績表。"""


@grade.command("run", hidden=True)
@click.argument("assignment")
@click.option("--course", "course_id", help="コース ID (一つしかなければ省略可)")
@click.option("--workers", type=click.IntRange(1, 64), help="並列数 (既定: CPU コア数)")
@click.option("--force", is_flag=True, help="採点済みの提出も採点し直します")
@click.pass_obj
def run(obj, assignment: str, course_id: str | None, workers: int | None, force: bool):
    """提出を回収し、サンドボックスで並列に自動採点して、フィードバックを返却します。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from grader.courses import CourseError, find_course
    from grader.pipeline import grade_and_release, log_path

    lay = obj.layout
    try:
        c = find_course(lay, course_id)
        with Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        ) as progress:
            task = progress.add_task(f"{assignment} を採点中", total=None)
            result = grade_and_release(
                lay,
                c.id,
                assignment,
                workers=workers or os.cpu_count(),
                force=force,
                on_todo=lambda n: progress.update(task, total=n),
                on_done=lambda r: progress.advance(task),
                on_wait=lambda: progress.console.print("別の採点 (自動採点など) が終わるのを待っています…"),
            )
    except CourseError as e:
        raise SetupError(str(e)) from None
    grading_log = log_path(lay, c.id)
    click.echo(f"採点しました: {len(result.graded)} 件 (採点済みのため省略: {result.skipped} 件)")
    for student, r in sorted(result.graded.items()):
        click.echo(f"  {student:<24} {r['score']:g} / {r['max_score']:g}")
    if result.failed:
        click.secho(f"採点できなかった提出: {len(result.failed)} 件 (ログ: {grading_log})", fg="red", err=True)
        for student, err in sorted(result.failed.items()):
            click.echo(f"  {student}: {err}", err=True)
        click.echo("もう一度 ./testbed grade を実行すると、残りだけを採点します。", err=True)
        raise SystemExit(1)


@grade.command()
@click.option("--course", "course_id", help="コース ID (一つしかなければ省略可)")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="出力ファイル (既定: grades-コース.csv|xlsx)")
@click.pass_obj
def export(obj, course_id: str | None, fmt: str, output: str | None):
    """成績表 (研修記録用) を書き出します。CSV は Excel で開ける UTF-8 (BOM 付き) です。"""
    from classroom.export import gradebook_rows, table, write
    from grader.courses import CourseError, course_root, find_course

    try:
        c = find_course(obj.layout, course_id)
    except CourseError as e:
        raise SetupError(str(e)) from None
    path = Path(output or f"grades-{c.id}.{fmt}")
    from testbed_cli import cohort_roster

    rows = gradebook_rows(obj.layout.hub_venv / "bin" / "python", course_root(obj.layout, c.id))
    # nbgrader knows trainees by Unix account (jupyter-NAME); the roster by hub name
    prefix = obj.layout.cfg.unix_user_prefix
    db = obj.layout.hub_dir / "roster.sqlite"
    depts, cohorts = {}, {}
    for m in cohort_roster.load(db):
        depts[m.username] = depts[prefix + m.username] = m.dept
        cohorts[m.username] = cohorts[prefix + m.username] = m.cohort
    due = {(d.assignment, d.cohort): d.due_at for d in cohort_roster.load_deadlines(db, c.id) if d.due_at}
    write(path, table(rows, depts, cohorts=cohorts, deadlines=due), fmt)
    click.echo(f"成績表を書き出しました: {path} ({len(rows)} 行)")

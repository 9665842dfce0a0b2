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
    """提出を回収し、サンドボックスで並列に自動採点して、フィードバックを返却します。

    ファイルが壊れた提出は採点せずに一覧に示し、本人にはフィードバックで伝えます (ほかの提出は採点します)。
    終了コード: 0 = 採点できる提出はすべて採点した (壊れた提出があっても 0)、1 = 採点に失敗した提出がある
    (もう一度実行すると残りだけ採点します)。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from grader.courses import CourseError, find_course
    from grader.feedback_text import MANUAL_PENDING
    from grader.pipeline import grade_and_release, log_path
    from testbed_config.names import formgrader_path

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
    waiting = set(result.waiting)
    for student, r in sorted(result.graded.items()):
        pending = student in waiting or r.get("needs_manual")
        note = f"  {MANUAL_PENDING} (自動採点分のみ。確定ではありません)" if pending else ""
        click.echo(f"  {student:<24} {r['score']:g} / {r['max_score']:g}{note}")
    if result.refreshed:
        click.echo(f"講師の採点に合わせてフィードバックを作り直し、返却しました: {len(result.refreshed)} 件")
        for student in sorted(result.refreshed):
            click.echo(f"  {student}")
    if waiting:
        click.secho(
            f"{MANUAL_PENDING}の提出: {len(waiting)} 件 (得点はまだ確定していません)。"
            f"採点画面 {lay.cfg.hub_url.rstrip('/')}{formgrader_path(c.id)}/ で手採点してください。"
            "採点後、フィードバックは自動で作り直されて返却されます。",
            fg="yellow",
        )
        for student in sorted(waiting):
            click.echo(f"  {student}")
    else:
        click.echo(f"{MANUAL_PENDING}の提出はありません。")
    if result.broken:
        click.secho(
            f"ファイルが壊れていて採点できない提出: {len(result.broken)} 件 "
            "(本人にはフィードバックで伝えました。提出し直せば、次の採点で採点されます)",
            fg="yellow",
        )
        for student, why in sorted(result.broken.items()):
            click.echo(f"  {student}: {why}")
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
    """成績表 (研修記録用) を書き出します: 名簿の研修生ごとに 1 行 (氏名・所属・期、課題ごとの得点、班・班の成果物・
    振り返りの得点、完了)。CSV は Excel で開ける UTF-8 (BOM 付き) です。"""
    from classroom import sources
    from classroom.export import Trainee, header, table, write
    from grader.broken import mark_in_export
    from grader.courses import CourseError, course_root, find_course
    from grader.layout import broken_students
    from testbed_cli import cohort_roster
    from testbed_config.names import GRADEBOOK, ROSTER_DB

    lay = obj.layout
    try:
        c = find_course(lay, course_id)
    except CourseError as e:
        raise SetupError(str(e)) from None
    path = Path(output or f"grades-{c.id}.{fmt}")
    root = course_root(lay, c.id)
    db = lay.hub_dir / ROSTER_DB
    members = [m for m in cohort_roster.load(db) if m.course == c.id]
    trainees = [Trainee(m.username, m.fullname, m.dept, m.cohort, m.team or "") for m in members]
    assignments = sources.course_assignments(root / "source")
    # nbgrader knows trainees by Unix account (jupyter-NAME); the roster by hub name
    prefix = lay.cfg.unix_user_prefix
    _, graded = sources.gradebook(root / GRADEBOOK)
    # a submission whose current version cannot be read has no score (an older one's would not be its own)
    broken = {(sources.hub_name(u, prefix), a) for a in assignments for u in broken_students(root, a)}
    scores = {(sources.hub_name(u, prefix), a): s for (u, a), s in graded.items()}
    scores = {k: s for k, s in scores.items() if k not in broken}
    sent = {(sources.hub_name(u, prefix), a): t for (u, a), t in sources.submissions(lay.exchange / c.id).items()}
    due = {(d.assignment, d.cohort): d.due_at for d in cohort_roster.load_deadlines(db, c.id) if d.due_at}
    rows = table(
        trainees, assignments, scores, sent, pass_ratio=c.pass_ratio, deadlines=due,
        teamwork=_teamwork(lay, c.id, {t.team for t in trainees if t.team}),
    )  # fmt: skip
    mark_in_export(header(assignments), rows, broken)
    write(path, header(assignments), rows, fmt)
    done = sum(1 for r in rows if r[-3] == "済")
    click.echo(f"成績表を書き出しました: {path} (研修生 {len(rows)} 人、完了 {done} 人)")
    if not trainees:
        click.echo(f"コース {c.id} の名簿に研修生がいません。./testbed cohort add で登録してください。", err=True)


def _teamwork(lay, course: str, teams: set[str]):
    """The workshop's grades of ``course`` from its console's store (read-only: the CLI runs as root and must not
    create or take over the grader's file) and which teams submitted (the team drop box)."""
    import pwd

    from classroom import store, team_work
    from classroom.export import Teamwork
    from testbed_config.names import classroom_store_file, team_user_name

    team_grades, reflection_grades, written = store.read_scores(lay.course_home(course) / classroom_store_file(course))

    def owner(team_user: str) -> int | None:
        try:
            return pwd.getpwnam(lay.cfg.unix_user_prefix + team_user).pw_uid
        except KeyError:
            return None

    sent = team_work.submissions(lay.exchange / course, owner)
    by_user = {team_user_name(t): t for t in teams}
    return Teamwork(
        team_scores={by_user[u]: g.score for u, g in team_grades.items() if u in by_user},
        submitted_teams=frozenset(by_user[u] for u, subs in sent.items() if subs and u in by_user),
        reflection_scores={u: g.points for u, g in reflection_grades.items()},
        reflections=frozenset(written),
    )

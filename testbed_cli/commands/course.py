"""`./testbed course ...`: list courses and release assignments."""

from __future__ import annotations

import json

import click

from testbed_cli.errors import SetupError


@click.group()
def course():
    """nbgrader のコースと課題 (一覧・配布)。"""


@course.command("list")
@click.option("--json", "as_json", is_flag=True, help="機械可読な JSON で出力します")
@click.pass_obj
def list_(obj, as_json: bool):
    """コースと課題、配布済みかどうかを表示します。"""
    from grader.courses import list_courses

    data = list_courses(obj.layout)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for c in data:
        click.echo(f"コース {c['course']}")
        for a in c["assignments"]:
            click.echo(f"  {a['name']:<30} {'配布済み' if a['released'] else '未配布'}")
        if not c["assignments"]:
            click.echo("  (課題はまだありません)")


@course.command()
@click.argument("assignment")
@click.option("--course", "course_id", help="コース ID (一つしかなければ省略可)")
@click.pass_obj
def release(obj, assignment: str, course_id: str | None):
    """課題 ASSIGNMENT を生成して研修生に配布します。"""
    from grader.courses import CourseError, find_course
    from grader.courses import release as do_release

    try:
        c = find_course(obj.layout, course_id)
        do_release(obj.layout, c.id, assignment)
    except CourseError as e:
        raise SetupError(str(e)) from None
    click.echo(f"課題 {assignment} をコース {c.id} で配布しました。")

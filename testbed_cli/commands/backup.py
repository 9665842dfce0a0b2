"""`./testbed backup [--to DIR]` and `./testbed restore BACKUP [--force] [--yes]` (logic: ``testbed_cli/backup.py``,
``testbed_cli/backup_restore.py``)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from testbed_cli import backup as ops
from testbed_cli import backup_restore, backup_schedule, usage_ja
from testbed_cli.errors import SetupError
from testbed_config import japan_time


def _log(msg: str) -> None:
    click.echo(f"・{msg}", err=True)


def _size(n: int) -> str:
    for unit in ("バイト", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "バイト" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


@click.command("backup")
@click.option(
    "--to",
    "dest",
    type=click.Path(file_okay=False, path_type=Path),
    help="保存先のフォルダ (既定: 設定の backup.dir、なければ <状態ディレクトリ>/backups)。"
    "ここに作ったバックアップは、古くなっても消しません",
)
@click.pass_obj
def backup(obj, dest: Path | None):
    """動いたままの研修環境をバックアップします (データベース・ハブ・提出物・ホーム・秘密情報、root 専用)。"""
    layout = obj.layout
    try:
        m = ops.create(layout, dest, log=_log)
    except (SetupError, OSError) as e:
        if os.geteuid() == 0 and layout.state.is_dir():
            backup_schedule.record_quietly(layout, _log, trigger="manual", error=str(e))
        raise
    backup_schedule.record_quietly(layout, _log, trigger="manual", manifest=m)
    if dest is None or dest.resolve() == ops.default_dir(layout).resolve():
        backup_schedule.prune(ops.default_dir(layout), layout.cfg.backup.keep, log=_log)
    click.secho(f"バックアップを作りました ({m['total_seconds']} 秒、{_size(m['size'])}): {m['path']}", fg="green")
    click.echo(f"  データベース: {', '.join(d['name'] for d in m['databases'])} (pg_dump)")
    files = m["files"]
    sqlite = len(files[ops.STATE_TAR]["sqlite"]) + len(files[ops.HOMES_TAR]["sqlite"])
    click.echo(
        f"  ファイル: 状態ディレクトリ {files[ops.STATE_TAR]['files']} 個、"
        f"ホーム {len(files[ops.HOMES_TAR]['homes'])} 人分 {files[ops.HOMES_TAR]['files']} 個 "
        f"(うち SQLite {sqlite} 個はオンラインバックアップ)"
    )
    click.echo(f"  Unix アカウント: {len(m['accounts'])} 件")
    if m["skipped"]:
        click.secho(f"  読めずに飛ばしたファイル: {', '.join(m['skipped'])}", fg="yellow")
    if m["sqlite_unreadable"]:
        click.secho(
            "  SQLite として読めない (壊れている) ため、そのままの中身で保存したファイル: "
            + ", ".join(m["sqlite_unreadable"]),
            fg="yellow",
        )
    click.echo("  秘密情報とパスワードのハッシュを含みます。root 以外が読めない場所に保管してください。")
    click.echo(f"  復元: ./testbed restore {m['path']}")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="状態ディレクトリの配置や版が違うバックアップでも復元します")
@click.option("--yes", is_flag=True, help="確認せずに復元します")
@click.pass_obj
def restore(obj, path: Path, force: bool, yes: bool):
    """指定したバックアップのフォルダ (パス) から研修環境を復元します (今のデータは置き換わります、root 専用)。"""
    layout = obj.layout
    manifest = backup_restore.check(layout, path, force=force)
    click.echo(f"チェックサムはすべて正しいです ({len(manifest['members'])} 個)。")
    for problem in manifest["problems"]:
        click.secho(f"  注意 (--force): {problem}", fg="yellow")
    from datetime import datetime

    made = japan_time.japanese(datetime.fromisoformat(manifest["created_at"]))
    if not yes:
        usage_ja.confirm(
            f"{made} のバックアップで、今のデータベース・ハブ・提出物・ホームを置き換えます。"
            "途中でサービスを止めます。よろしいですか?"
        )
    r = backup_restore.restore(layout, path, manifest, log=_log)
    click.secho(f"{made} のバックアップから復元しました ({r['seconds']} 秒)。", fg="green")
    click.echo(f"  データベース: {', '.join(r['databases'])}")
    click.echo(
        f"  ファイル: 状態ディレクトリ {r['files']['state']} 個、ホーム {r['files']['home_dirs']} 人分 "
        f"{r['files']['homes']} 個"
    )
    made_now = f" (作り直したもの: {', '.join(r['accounts_made'])})" if r["accounts_made"] else ""
    click.echo(f"  Unix アカウント: {r['accounts']} 件{made_now}")
    if r["servers_stopped"]:
        started = r["servers_stopped"] - len(r["servers_not_started"])
        click.echo(f"  研修生などのサーバー: 止めた {r['servers_stopped']} 台のうち {started} 台を起動し直しました")
    for user, why in sorted(r["servers_not_started"].items()):
        click.secho(f"  {user} のサーバーは起動できませんでした ({why})。本人がハブから起動できます。", fg="yellow")
    parts = {"first_up": "先に起動", "stop": "停止", "databases": "データベース", "files": "ファイル", "up": "起動"}
    parts["servers"] = "サーバーの再起動"
    click.echo("  かかった時間: " + "、".join(f"{parts[k]} {v} 秒" for k, v in r["parts"].items()))
    click.echo("  研修生は以前のパスワードでサインインできます。すべてのサービスが正常です (./testbed status)。")

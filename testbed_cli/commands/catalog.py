"""`./testbed catalog seed|status`: publish datasets/manifest.yaml to CKAN and show the drift; `./testbed catalog
purge-orphan-files`: CKAN's `ckan testbed purge-orphan-files` (ckanext-testbed) run as CKAN's service user."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from testbed_cli.errors import SetupError
from testbed_config import names

MANIFEST_HELP = "マニフェストのファイル (既定: datasets/manifest.yaml)"


def _connection(obj) -> tuple[str, str]:
    """CKAN's URL and the sysadmin token from the state directory."""
    path = obj.layout.secrets / names.CKAN_ADMIN_TOKEN
    try:
        token = path.read_text().strip()
    except PermissionError:
        raise SetupError(f"{path} を読む権限がありません。root (sudo) で実行してください。") from None
    except FileNotFoundError:
        raise SetupError("CKAN の管理者トークンがまだありません。先に ./testbed up を実行してください。") from None
    return obj.layout.cfg.ckan_internal_url, token


def _manifest(path: str | None) -> Path:
    from ckan_seed.seed import MANIFEST

    return Path(path) if path else MANIFEST


def _fail(exc: Exception) -> None:
    click.secho(f"エラー: {exc}", fg="red", err=True)
    sys.exit(1)


@click.group()
def catalog():
    """サンプルカタログ (datasets/manifest.yaml) を CKAN に公開・確認します。"""


@catalog.command()
@click.option("--dry-run", is_flag=True, help="何も書き込まず、変わる予定のものだけを表示します")
@click.option("--manifest", "manifest_path", type=click.Path(dir_okay=False), help=MANIFEST_HELP)
@click.pass_obj
def seed(obj, dry_run: bool, manifest_path: str | None):
    """マニフェストのとおりに組織・グループ・データセット・DataStore を CKAN に公開します (何度実行しても安全です)。"""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ckan_seed.problem import SeedError
    from ckan_seed.seed import seed_catalog

    url, token = _connection(obj)
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("データセット", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=f"データセット {name}")

        def log(message: str) -> None:
            bar.console.print(f"・{message}", soft_wrap=True, markup=False, highlight=False)

        try:
            report = seed_catalog(url, token, _manifest(manifest_path), dry_run=dry_run, log=log, progress=progress)
        except SeedError as exc:
            bar.stop()
            _fail(exc)
    if dry_run:
        click.echo("ドライラン: CKAN には何も書き込んでいません。")
    for line in report.lines():
        click.echo(line)
    click.echo(f"所要時間: {report.seconds} 秒")
    sys.exit(1 if report.failures else 0)


@catalog.command()
@click.option("--manifest", "manifest_path", type=click.Path(dir_okay=False), help=MANIFEST_HELP)
@click.option("--json", "as_json", is_flag=True, help="機械可読な JSON で出力します")
@click.pass_obj
def status(obj, manifest_path: str | None, as_json: bool):
    """マニフェストと CKAN の差分 (未登録・差分あり・マニフェストにない) を表示します (一致なら終了コード 0)。"""
    from ckan_seed.problem import SeedError
    from ckan_seed.seed import catalog_status

    url, token = _connection(obj)
    try:
        report = catalog_status(url, token, _manifest(manifest_path))
    except SeedError as exc:
        _fail(exc)
    if as_json:
        data = {
            "in_sync": report.in_sync,
            "missing": report.created,
            "changed": report.updated,
            "extra": report.extra,
            "organizations": report.organizations,
            "groups": report.groups,
            "warnings": report.warnings,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in report.lines(status=True):
            click.echo(line)
        if report.in_sync:
            click.secho("CKAN のカタログはマニフェストと一致しています。", fg="green")
        else:
            click.secho(
                "CKAN のカタログはマニフェストと一致していません。./testbed catalog seed で揃えられます。", fg="yellow"
            )
    sys.exit(0 if report.in_sync else 1)


@catalog.command("purge-orphan-files")
@click.option("--dry-run", is_flag=True, help="何も削除せず、削除の対象になるファイルを一覧します")
@click.pass_obj
def purge_orphan_files(obj, dry_run: bool):
    """どのリソースにも属さないアップロードファイル (以前に完全削除されたデータセットのもの) を CKAN から削除します。"""
    from testbed_cli import ckan, system

    layout = obj.layout
    cmd = [*ckan.ckan_cmd(layout), "testbed", "purge-orphan-files", *(["--dry-run"] if dry_run else [])]
    proc = system.run(cmd, user=ckan.service_user(), cwd=layout.ckan_dir, check=False, capture=False)
    sys.exit(proc.returncode)

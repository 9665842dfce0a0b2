"""The extension's ``ckan`` commands (``IClick``): ``ckan -c ckan.ini testbed purge-orphan-files [--dry-run]``.

Messages are for the city's CKAN administrator, so in Japanese; times in Japan time.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from . import orphan_files

JST = ZoneInfo("Asia/Tokyo")


@click.group(short_help="Open Data Testbed の管理コマンド")
def testbed() -> None:
    """Open Data Testbed (ckanext-testbed) の管理コマンドです。"""


def human_size(size: int) -> str:
    """``1,234 バイト`` below 1 KB, else with a binary unit (``12.3 MB``) after the exact count."""
    exact = f"{size:,} バイト"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return exact if size < 1024 else f"{exact} ({value:.1f} {unit})"
    return exact


def report_lines(sweep: orphan_files.Sweep, *, dry_run: bool, min_age: float) -> list[str]:
    """The Japanese report of a run."""
    lines = []
    count, size = len(sweep.orphans), human_size(sweep.size)
    if dry_run:
        lines.append("ドライラン: ファイルは何も削除していません。")
    if not sweep.orphans:
        lines.append(f"どのリソースにも属さないファイルはありませんでした (保存先: {sweep.root})。")
    elif dry_run:
        lines.append(f"どのリソースにも属さないファイルが {count} 件、合計 {size} あります (保存先: {sweep.root})。")
        for found in sweep.orphans:
            when = datetime.fromtimestamp(found.mtime, JST).strftime("%Y-%m-%d %H:%M")
            lines.append(f"  {os.path.relpath(found.path, sweep.root)}  {found.size:,} バイト  最終更新 {when}")
        lines.append("削除するには --dry-run を付けずに実行してください。")
    else:
        lines.append(
            f"どのリソースにも属さないファイル {count} 件、合計 {size} を削除しました (保存先: {sweep.root})。"
            "空になったフォルダも削除しました。"
        )
    if sweep.recent:
        minutes = round(min_age / 60)
        lines.append(
            f"作成から {minutes} 分以内のファイル {len(sweep.recent)} 件は、"
            "登録中のリソースのものかもしれないため残しました。"
        )
    if sweep.skipped:
        lines.append(f"リソースのファイルの並びに合わないもの {sweep.skipped} 件には触れていません。")
    if sweep.failed:
        lines.append(f"{len(sweep.failed)} 件のファイルは削除できませんでした (理由は CKAN のログにあります):")
        lines.extend(f"  {os.path.relpath(found.path, sweep.root)}" for found in sweep.failed)
    return lines


@testbed.command("purge-orphan-files")
@click.option("--dry-run", is_flag=True, help="何も削除せず、削除の対象になるファイルを一覧します")
def purge_orphan_files(dry_run: bool) -> None:
    """どのリソースにも属さなくなったアップロードファイル (以前に完全削除されたデータセットのもの) を削除します。

    削除済み (ゴミ箱にある) データセットのリソースのファイルは、復元できるように残します。
    """
    sweep = orphan_files.purge_orphan_files(dry_run=dry_run)
    if sweep is None:
        click.echo(
            "リソースのファイルを置くフォルダがこのマシンにありません "
            "(ckan.storage_path が未設定か、別のストレージです)。"
        )
        return
    for line in report_lines(sweep, dry_run=dry_run, min_age=orphan_files.MIN_AGE):
        click.echo(line)
    if sweep.failed:
        sys.exit(1)


def get_commands() -> list[click.Command]:
    return [testbed]

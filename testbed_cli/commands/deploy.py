"""`./testbed deploy compose|helm`: the container deployments, rendered from the one stack config."""

from __future__ import annotations

from pathlib import Path

import click

from testbed_cli.layout import REPO
from testbed_config import load_config


@click.group()
def deploy():
    """docker-compose や Kubernetes で動かすための設定を、スタック設定から作ります。"""


@deploy.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=str(REPO),
    show_default="リポジトリの最上位 (docker-compose.yml の隣)",
    help="書き出すフォルダ",
)
@click.pass_obj
def compose(obj, out_dir: str):
    """docker-compose 用の .env (設定と秘密情報) と testbed.compose.yaml を書き出します。"""
    from deploy import compose as deploy_compose

    cfg = load_config(obj.config_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for path in deploy_compose.write(cfg, out):
        click.echo(f"書き出しました: {path}")
    host = deploy_compose.public_host(cfg)
    click.echo("")
    click.echo("次に、docker-compose.yml のあるフォルダで:")
    click.echo("  docker compose build && docker compose up -d")
    click.echo(f"JupyterHub: https://{host}:{cfg.ports.hub}/   CKAN: https://{host}:{cfg.ports.ckan}/")
    click.echo(".env には秘密情報が入っています。他の人に見せたり、git に入れたりしないでください。")
    if cfg.deploy.search == "solr":
        click.secho(
            "注意: deploy.search が solr です。"
            "日本語の語の一部 (例:「避難」で「指定避難所一覧」) は検索で見つかりません。",
            fg="yellow",
        )


@deploy.command()
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="書き出すファイル (省略すると標準出力)")
@click.pass_obj
def helm(obj, out_file: str | None):
    """Zero to JupyterHub (Helm チャート) の values.yaml を書き出します。"""
    from deploy.chart_keys import check_values
    from deploy.helm_values import render_values, render_yaml
    from testbed_cli.errors import SetupError

    cfg = load_config(obj.config_path)
    problems = check_values(render_values(cfg))
    if problems:
        raise SetupError("Helm の values がチャートの形に合いません:\n" + "\n".join(f"  - {p}" for p in problems))
    text = render_yaml(cfg)
    if out_file:
        Path(out_file).write_text(text, encoding="utf-8")
        click.echo(f"書き出しました: {out_file} (使い方は docs/kubernetes.md)", err=True)
    else:
        click.echo(text, nl=False)

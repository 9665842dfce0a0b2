"""The thin command-line layer: parse arguments, call plain functions, print results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click

from testbed_cli import install, stack, system
from testbed_cli.errors import SetupError
from testbed_cli.help_ja import japanese_help
from testbed_cli.layout import REPO, Layout
from testbed_cli.usage_ja import japanese_errors
from testbed_config import ConfigError, load_config, names


class Ctx:
    def __init__(self, config_path: str | None):
        self.config_path = config_path
        self._layout: Layout | None = None

    @property
    def layout(self) -> Layout:
        if self._layout is None:
            self._layout = Layout(load_config(self.config_path))
        return self._layout


def _log(msg: str) -> None:
    click.echo(f"・{msg}", err=True)


class Group(click.Group):
    """Turns the project's own errors into a clear message and exit code 1 (no traceback), and click's own errors
    (an unknown option or command, a missing argument, a bad value) into Japanese (``usage_ja``)."""

    def make_context(self, info_name, args, parent=None, **extra):
        with japanese_errors():  # the top level's own options and arguments
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx):
        try:
            with japanese_errors():  # the sub-commands: their names, options, arguments and bodies
                return super().invoke(ctx)
        except (SetupError, ConfigError) as e:
            click.secho(f"エラー: {e}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    envvar="TESTBED_CONFIG",
    type=click.Path(dir_okay=False),
    help="スタック設定ファイル (既定: root なら /etc/testbed/testbed.yaml)",
)
@click.pass_context
def main(ctx, config_path):
    """オープンデータ・テストベッド: 研修環境 (JupyterHub + CKAN + nbgrader) を管理します。"""
    ctx.obj = Ctx(config_path)


def _demo_warning() -> None:
    if os.geteuid() != 0:
        click.secho(
            "警告: root ではないため「一人用デモモード」で動いています。研修生ごとの Unix アカウントは作られず、"
            "サインインできるのは最初の管理者 1 名だけです。教室で使うときは root (sudo) で実行してください。",
            fg="yellow",
            err=True,
        )


@main.command()
@click.pass_obj
def up(obj: Ctx):
    """環境を用意して、すべてのサービスを起動します (何度実行しても安全です)。"""
    _demo_warning()
    result = stack.up(obj.layout, log=_log)
    lay = obj.layout
    click.echo("")
    click.secho(f"研修環境が起動しました ({result['seconds']} 秒)。", fg="green")
    click.echo(f"  JupyterHub (研修生はこちら): {result['urls']['hub']}")
    click.echo(f"  CKAN カタログ:               {result['urls']['ckan']}")
    click.echo(f"  講師のユーザー名: {', '.join(lay.cfg.admins)}")
    click.echo(f"  講師の初期パスワード:   {lay.secrets / names.INSTRUCTOR_PASSWORD} (root だけが読めます)")
    click.echo(f"  CKAN 管理者 (testbed-admin) のパスワード: {lay.secrets / names.CKAN_ADMIN_PASSWORD}")
    click.echo("  API トークン (スクリプト用): ./testbed admin-token hub|ckan")


@main.command()
@click.pass_obj
def down(obj: Ctx):
    """すべてのサービスを止めます (データはすべて残ります)。止められないものがあれば終了コード 1。"""
    report = stack.down(obj.layout)
    if report["supervised"]:
        click.echo(f"止めたサービス: {', '.join(report['supervised'])}")
    if report["orphaned"]:
        click.echo(f"監視されずに動いていたので止めたサービス: {', '.join(report['orphaned'])}")
    if report["supervised"] or report["orphaned"]:
        click.echo("すべてのサービスを止めました。データは残っています。再開は ./testbed up です。")
    else:
        click.echo("動いているサービスはありませんでした。再開は ./testbed up です。")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="機械可読な JSON で出力します")
@click.pass_obj
def status(obj: Ctx, as_json: bool):
    """各サービスの状態を表示します (すべて正常なら終了コード 0)。"""
    result = stack.status(obj.layout)
    ok = result["supervisor"]["running"] and all(s["healthy"] for s in result["services"].values())
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        if result["demo_mode"]:
            _demo_warning()
        click.echo(f"モード: {result['mode']}   状態ディレクトリ: {result['state_dir']}")
        click.echo(f"JupyterHub: {result['urls']['hub']}   CKAN: {result['urls']['ckan']}")
        if not result["supervisor"]["running"]:
            click.secho(
                "  supervisord が動いていません: 止まったサービスを再起動するものがありません。"
                "./testbed up で監視を再開してください。",
                fg="red",
            )
        for name, s in result["services"].items():
            mark = click.style("正常", fg="green") if s["healthy"] else click.style("異常", fg="red")
            click.echo(f"  {name:<22} {mark}  ({s['state']}{', pid ' + str(s['pid']) if s['pid'] else ''})")
    sys.exit(0 if ok else 3)


@main.command()
@click.argument("name")
@click.option("-n", "--lines", default=80, show_default=True, help="表示する行数")
@click.pass_obj
def logs(obj: Ctx, name: str, lines: int):
    """サービス NAME のログの最後を表示します (名前は ./testbed status の一覧のとおり。supervisord も可)。"""
    known = [p.name for p in stack.programs(obj.layout)] + ["supervisord"]
    if name not in known:
        raise SetupError(f"サービス {name!r} はありません。次のどれかを指定してください: {', '.join(known)}")
    click.echo(stack.tail_log(obj.layout, name, lines))


@main.command("admin-token")
@click.argument("which", type=click.Choice(["hub", "ckan"]))
@click.pass_obj
def admin_token(obj: Ctx, which: str):
    """スクリプト用の管理者 API トークンを表示します (運用者専用)。"""
    name = {"hub": names.HUB_ADMIN_TOKEN, "ckan": names.CKAN_ADMIN_TOKEN}[which]
    path = obj.layout.secrets / name
    try:
        click.echo(path.read_text().strip())
    except PermissionError:
        raise SetupError(f"{path} を読む権限がありません。root (sudo) で実行してください。") from None
    except FileNotFoundError:
        raise SetupError("まだトークンがありません。先に ./testbed up を実行してください。") from None


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--unit", "tier", flag_value="unit", help="単体テストだけ (スタック不要)")
@click.option(
    "--ckanext",
    "tier",
    flag_value="ckanext",
    help="ckanext-testbed を本物の CKAN の中でテストします (CKAN の pytest、テスト用 DB。ハブ不要)",
)
@click.option("--no-up", is_flag=True, help="スタックを起動しない (すでに起動している前提)")
@click.option(
    "--target",
    type=click.Choice(["local", "compose"]),
    default="local",
    show_default=True,
    help="compose: docker compose で動いているスタックを HTTP で受け入れテストします (docs/deploy-compose.md)",
)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def test(obj: Ctx, tier: str | None, no_up: bool, target: str, pytest_args: tuple[str, ...]):
    """テストを実行します (必要ならテスト用の依存を入れて、スタックを起動します)。"""
    if tier == "ckanext":  # CKAN's venv and pytest plugin, test databases, no hub (testbed_cli/ckanext_tests.py)
        from testbed_cli import ckanext_tests

        sys.exit(ckanext_tests.run(obj.layout, list(pytest_args), log=_log))
    venv_python = Path(sys.executable)
    req = REPO / "testbed_cli" / "requirements" / "test.txt"
    stamp = venv_python.parent.parent / ".test-requirements.sha256"
    digest = install.tree_hash(req)
    if not stamp.exists() or stamp.read_text() != digest:
        subprocess.run(
            [str(venv_python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(req)], check=True
        )
        stamp.write_text(digest)
    if target == "compose":  # acceptance test of a docker-compose stack, by HTTP only (tests/remote/)
        from testbed_cli.remote_test import compose_pytest_args

        args, env = compose_pytest_args(REPO, list(pytest_args), dict(os.environ))
        sys.exit(subprocess.run([str(venv_python), *args], cwd=REPO, env=env).returncode)
    if tier != "unit":
        # the browser tier drives Debian's Chromium (Playwright's own browser download cannot work offline)
        system.ensure_debs(["chromium", "fonts-noto-cjk", "fonts-noto-color-emoji"], log=_log)
    args = ["-m", "pytest", "-c", str(REPO / "pytest.ini"), "--rootdir", str(REPO)]
    from testbed_cli.ckanext_tests import names_test_paths

    if not names_test_paths(list(pytest_args)):
        args += [str(REPO / "tests"), str(REPO / "ckanext-testbed" / "ckanext" / "testbed" / "tests")]
    # tiers by marker (pytest.ini; tests/README.md): the compose tier runs only with --target compose
    markers = ["-m", "unit" if tier == "unit" else "unit or integration or browser"]
    if tier != "unit" and not no_up:
        _demo_warning()
        stack.up(obj.layout, log=_log)
    env = {**os.environ}
    if obj.config_path:
        env["TESTBED_CONFIG"] = obj.config_path
    if tier is None and not pytest_args and os.geteuid() == 0:
        # the whole suite includes the extension's tests inside real CKAN (their own databases), run beside the
        # main run (testbed_cli/suite_run.py)
        from testbed_cli import suite_run

        code, ckanext_failed, unit_failed = suite_run.whole_suite(obj.layout, [str(venv_python), *args], env, log=_log)
        if ckanext_failed:
            _log("ckanext-testbed の CKAN 内テストが失敗しました (上の出力、または ./testbed test --ckanext)")
        if unit_failed:
            _log("単体テストが失敗しました (上の出力、または ./testbed test --unit)")
        sys.exit(code or int(ckanext_failed or unit_failed))
    proc = subprocess.run([str(venv_python), *args, *markers, *pytest_args], cwd=REPO, env=env)
    sys.exit(proc.returncode)


@main.command("config-reference")
def config_reference():
    """設定キーの一覧 (Markdown) を表示します (docs/config-reference.md の元です)。"""
    from testbed_config import reference_markdown

    click.echo(reference_markdown(), nl=False)


def _register() -> None:
    from testbed_cli.commands import catalog, classroom, cohort, course, grade

    for group in (catalog.catalog, classroom.class_, cohort.cohort, course.course, grade.grade):
        main.add_command(group)
    from testbed_cli.commands import deploy, signin

    main.add_command(deploy.deploy)
    main.add_command(signin.signin)
    from testbed_cli.commands import backup

    main.add_command(backup.backup)
    main.add_command(backup.restore)


_register()
japanese_help(main)  # click's "Usage:", "Options:" … in Japanese, on every command (testbed_cli/help_ja.py)

"""`./testbed signin locks|unlock`: the sign-in locks of the hub and of CKAN's own form, and lifting one.

Both go through the hub's API ``/hub/api/testbed/signin-locks`` (``hub_config/throttle_api.py``) with the
operator's token: the hub reads and lifts its own locks in the running process (so an unlock holds at once)
and CKAN's through CKAN's sysadmin-only actions. The instructor's console shows the same list.
"""

from __future__ import annotations

import json
from datetime import datetime

import click

from testbed_cli.cohort_hub import HubAPI
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config.japan_time import JST

API = "/testbed/signin-locks"
SYSTEMS = {"hub": "JupyterHub", "ckan": "CKAN"}
SCOPES = {"user": "アカウント", "address": "端末", "signup": "登録の受け付け (端末)"}


def _answer(r) -> dict:
    try:
        data = r.json()
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def list_locks(layout: Layout) -> dict:
    """The hub's answer: ``{"hub", "ckan_error", "locks": [...]}`` (see hub_config/throttle_api.py)."""
    r = HubAPI(layout)._req("GET", API, ok=(200, 404))
    if r.status_code == 404:
        raise SetupError(
            "この研修環境の JupyterHub はサインインのロックの一覧を出せません (遠隔研修の自己登録などのサインイン方法、"
            "または古い設定)。./testbed up で設定を更新してください。"
        )
    return _answer(r)


def unlock(layout: Layout, *, name: str, system: str | None = None) -> dict:
    """Lift every lock of ``name`` (user name or address) in ``system`` (hub, ckan; None: both).

    Raises SetupError (Japanese) when nothing of that name was locked, or CKAN alone was asked and is down."""
    r = HubAPI(layout)._req("POST", API, ok=(200, 400, 404, 502), json={"name": name, "system": system or ""})
    data = _answer(r)
    if r.status_code != 200:
        raise SetupError(data.get("message") or f"ロックを解除できませんでした (HTTP {r.status_code})。")
    return data


def _until(lock: dict) -> str:
    try:
        at = datetime.fromisoformat(lock["until"]).astimezone(JST)
    except (KeyError, ValueError):
        return ""
    return f"{at:%m月%d日 %H:%M}"


def _line(lock: dict) -> str:
    minutes = -(-int(lock.get("seconds_left") or 0) // 60)
    who = lock.get("hub_user", "")
    extra = f" (研修環境のユーザー {who})" if who and who != lock["key"] else ""
    since = int(lock.get("failures") or 0)
    failures = f"{lock.get('limit', '?')} 回の失敗でロック" + (f"、その後 {since} 回" if since else "")
    return (
        f"  {SYSTEMS.get(lock['system'], lock['system'])}  {SCOPES.get(lock['scope'], lock['scope'])} "
        f"{lock['key']}{extra}  {failures}  あと約 {minutes} 分 ({_until(lock)} まで、日本時間)"
    )


@click.group("signin")
def signin():
    """サインインのロック (JupyterHub と CKAN): 一覧 / 解除。"""


@signin.command("locks")
@click.option("--json", "as_json", is_flag=True, help="機械可読な JSON で出力します")
@click.pass_obj
def locks(obj, as_json: bool):
    """いまサインインがロックされているアカウントと端末を表示します。"""
    data = list_locks(obj.layout)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if data.get("ckan_error"):
        click.secho(data["ckan_error"], fg="yellow", err=True)
    items = data.get("locks") or []
    if not items:
        click.echo("いまロックされているアカウントや端末はありません。")
        return
    click.echo(f"ロックされているもの: {len(items)} 件")
    for lock in items:
        click.echo(_line(lock))
    click.echo("解除するには: ./testbed signin unlock 名前またはアドレス [--system hub|ckan]")


@signin.command("unlock")
@click.argument("name")
@click.option("--system", type=click.Choice(sorted(SYSTEMS)), help="どちらか一方だけ (既定: 両方)")
@click.pass_obj
def unlock_cmd(obj, name: str, system: str | None):
    """NAME (ユーザー名またはアドレス) のサインインのロックを解除します (研修生の名前なら CKAN の tb-名前 も)。"""
    data = unlock(obj.layout, name=name, system=system)
    for lock in data.get("unlocked") or []:
        key = lock["key"]
        click.secho(
            f"解除しました: {SYSTEMS.get(lock['system'], lock['system'])} の"
            f"{SCOPES.get(lock['scope'], lock['scope'])} {key}",
            fg="green",
        )
    if data.get("ckan_error"):
        click.secho(data["ckan_error"], fg="yellow", err=True)

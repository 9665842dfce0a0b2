"""The console's 「サインインのロック」: the sign-in locks of the hub and of CKAN, each with 「解除」 (instructors).
The page and the hub call here (pure but for the call); the handlers in ``console_locks_web.py``.

How it reaches them: through the hub's API ``/hub/api/testbed/signin-locks`` (``hub_config/throttle_api.py``),
which reads and lifts the hub's locks in the running hub (memory + its SQLite file, so an unlock holds at once)
and CKAN's through CKAN's sysadmin-only actions. The console sends the token the hub issued to the person asking:
its OAuth client may ask for ``custom:testbed:signin-locks``, which the hub grants only to instructors and
admins, so the console itself holds no right to unlock anything (its own token stays read-only), and a trainee
is refused twice (here, 403, and by the hub). Form POSTs carry the service's xsrf token. Names and addresses are
what people typed at a sign-in form: every value is escaped.

| path | what |
|---|---|
| ``signin-locks`` | GET: the list (JupyterHub and CKAN, account or address, failures, time left in Japan time) |
| ``signin-locks`` | POST ``name``, ``system`` (hub, ckan; empty: both): lift it, then the list with what was done |
| ``api/signin-locks`` | GET: the same list as JSON |
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from classroom import console_html
from testbed_config.japan_time import JST
from testbed_config.japan_time import now as japan_now
from testbed_config.names import formgrader_path

PATH = "signin-locks"
API_PATH = "api/signin-locks"
HUB_API = "/testbed/signin-locks"  # under the hub's API URL (hub_config/throttle_api.PATH)
SYSTEM_LABELS = {"hub": "JupyterHub", "ckan": "CKAN (データカタログ)"}
SCOPE_LABELS = {"user": "アカウント", "address": "端末 (アドレス)", "signup": "登録の受け付け (端末)"}
NOT_INSTRUCTOR = "サインインのロックを見たり解除したりできるのは講師だけです。"
NO_RIGHT = (
    "JupyterHub がロックの一覧を見せてくれませんでした (権限がありません)。研修コンソールのタブを閉じ、"
    "JupyterHub からサインアウトしてもう一度サインインしてから開き直してください。"
)
HUB_DOWN = "JupyterHub に問い合わせられませんでした ({why})。少し待ってから再読み込みしてください。"
NO_HUB_LOCKS = "この研修環境の JupyterHub のサインイン方法では、ここにロックを表示できません。"


async def hub_call(api_url: str, token: str, method: str = "GET", body: dict | None = None) -> tuple[int, dict]:
    """The hub API's status and JSON answer (``status`` 599: the hub could not be reached)."""
    req = HTTPRequest(
        f"{api_url.rstrip('/')}{HUB_API}",
        method=method,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        body=json.dumps(body) if body is not None else None,
        request_timeout=30,
    )
    resp = await AsyncHTTPClient().fetch(req, raise_error=False)
    try:
        data = json.loads(resp.body or b"{}")
    except ValueError:
        data = {}
    if resp.code == 599:
        data = {"message": str(resp.error)}
    return resp.code, data if isinstance(data, dict) else {}


def _until(lock: dict) -> str:
    try:
        at = datetime.fromisoformat(lock.get("until", "")).astimezone(JST)
    except ValueError:
        return ""
    return f"{at.month}月{at.day}日 {at:%H:%M}"


def _name_cell(lock: dict) -> str:
    key, who = lock.get("key", ""), lock.get("hub_user", "")
    extra = f'<br><span class="note">研修環境のユーザー {escape(who)}</span>' if who and who != key else ""
    return f"<code>{escape(key)}</code>{extra}"


def _failures(lock: dict) -> str:
    limit, since = int(lock.get("limit") or 0), int(lock.get("failures") or 0)
    text = f"{limit} 回でロック"
    return text + (f" (ロック後にさらに {since} 回)" if since else "")


def _row(lock: dict, xsrf: str) -> str:
    minutes = -(-int(lock.get("seconds_left") or 0) // 60)
    system = lock.get("system", "")
    return (
        f'<tr data-system="{escape(system)}" data-key="{escape(lock.get("key", ""))}">'
        f"<td>{escape(SYSTEM_LABELS.get(system, system))}</td>"
        f"<td>{escape(SCOPE_LABELS.get(lock.get('scope', ''), ''))}</td>"
        f"<td>{_name_cell(lock)}</td><td>{escape(_failures(lock))}</td>"
        f"<td>約 {minutes} 分 ({escape(_until(lock))} まで)</td>"
        f'<td><form class="inline" method="post" action="{PATH}">{xsrf}'
        f'<input type="hidden" name="name" value="{escape(lock.get("key", ""))}">'
        f'<input type="hidden" name="system" value="{escape(system)}">'
        f'<button type="submit">解除</button></form></td></tr>'
    )


def page(course: str, answer: dict, *, xsrf: str, info: str = "", error: str = "") -> str:
    """The whole page: what a lock is, the list (or that there is none), and any message."""
    locks = answer.get("locks") or []
    notes = []
    if answer.get("ckan_error"):
        notes.append(console_html.message(answer["ckan_error"], error=True))
    if answer and answer.get("hub") is False:
        notes.append(f'<p class="note">{escape(NO_HUB_LOCKS)}</p>')
    if locks:
        rows = "".join(_row(lock, xsrf) for lock in locks)
        table = (
            '<table id="signin-locks"><thead><tr><th>システム</th><th>種類</th><th>アカウント・端末</th>'
            "<th>失敗の回数</th><th>ロックが解けるまで (日本時間)</th><th></th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    elif not error:
        table = '<p id="signin-locks-empty">いまロックされているアカウントや端末はありません。</p>'
    else:
        table = ""
    body = (
        f"<h1>サインインのロック: コース {escape(course)}</h1>"
        f"{console_html.nav('./', formgrader_path(course))}"
        f"{console_html.message(info) if info else ''}{console_html.message(error, error=True) if error else ''}"
        "<p>パスワードを続けて間違えたアカウントや端末は、しばらくサインインできなくなります (JupyterHub と CKAN の"
        "それぞれで数えます)。ロックは時間が経つと自動で解けます。本人であることを確かめてから「解除」を押すと、"
        "すぐにサインインできるようになります。</p>"
        f"{''.join(notes)}{table}"
        f'<p class="note">{escape(console_html.japan_time(japan_now()))} 現在。'
        "新しいロックを見るには再読み込みしてください。</p>"
    )
    return console_html.shell("サインインのロック", body)


def unlocked_text(name: str, unlocked: list[dict]) -> str:
    short = {"hub": "JupyterHub", "ckan": "CKAN"}
    systems = "・".join(dict.fromkeys(short.get(u.get("system", ""), "") for u in unlocked))
    return f"「{name}」のサインインのロックを解除しました ({systems})。すぐにサインインできます。"

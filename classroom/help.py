"""The help queue (手を挙げる): rules for a request and its pages (pure: unit-tested without a hub).

A trainee raises a hand with an optional note and the notebook they are in (a path relative to their home);
the instructor sees the queue with each request's waiting time, opens the trainee's notebook in JupyterLab
(``/user/<name>/lab/tree/<path>``, with the instructor's own admin rights) and marks it done. A trainee sees
and cancels only their own requests.
"""

from __future__ import annotations

import posixpath
from datetime import datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

from classroom.console_html import japan_time, message, nav, shell, waiting_text
from classroom.store import CANCELLED, DONE, OPEN, HelpRequest

REFRESH_SECONDS = 3  # the instructor's queue reloads itself: a new hand shows within this (+ one request)
MAX_NOTE = 1000
MAX_PATH = 400
STATES = {OPEN: "待っています", DONE: "対応済み", CANCELLED: "取り消し"}

BAD_PATH = (
    "ノートブックの場所が正しくありません。ホームフォルダーの中の場所を、ホームからの相対パス"
    "(例: odtb/01_kadai/01_kadai.ipynb) で指定してください。「/」や「~」で始まるパス、「..」を含むパスは使えません。"
)
TOO_LONG = f"メモが長すぎます ({MAX_NOTE} 文字まで)。短くして、もう一度送ってください。"


class BadRequest(ValueError):
    """Input a person must fix; the message is the Japanese text to show them."""


def check_notebook(text: str) -> str:
    """The notebook path as stored: relative to the trainee's home, inside it, normalised; '' when none given.

    Raises BadRequest for anything that could point outside the home (absolute, ``~``, ``..``, control
    characters, backslashes)."""
    path = (text or "").strip()
    if not path:
        return ""
    if (
        len(path) > MAX_PATH
        or path.startswith(("/", "~"))
        or "\\" in path
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in path)
        or ".." in path.split("/")
    ):
        raise BadRequest(BAD_PATH)
    norm = posixpath.normpath(path)
    if norm in (".", "") or norm.startswith(("/", "..")):
        raise BadRequest(BAD_PATH)
    return norm


def check_note(text: str) -> str:
    note = (text or "").strip()
    if len(note) > MAX_NOTE:
        raise BadRequest(TOO_LONG)
    return note


def released_notebooks(course_exchange: Path, course: str) -> list[str]:
    """Where fetched assignment notebooks sit in a trainee's home (``<course>/<assignment>/<file>.ipynb``): the
    choices offered when raising a hand (nbgrader's exchange with ``path_includes_course``)."""
    out = []
    try:
        folders = sorted(p for p in (course_exchange / "outbound").iterdir() if p.is_dir())
    except OSError:
        return []
    for folder in folders:
        if folder.name.startswith("."):
            continue
        try:
            out += [f"{course}/{folder.name}/{nb.name}" for nb in sorted(folder.glob("*.ipynb"))]
        except OSError:
            continue
    return out


def notebook_url(base_url: str, username: str, notebook: str) -> str:
    """The trainee's notebook in their JupyterLab (the instructor opens it with their own hub rights)."""
    base = base_url.rstrip("/")
    tree = f"/tree/{quote(notebook)}" if notebook else ""
    return f"{base}/user/{quote(username, safe='')}/lab{tree}"


def _request_form(xsrf: str, notebooks: list[str], chosen: str, note: str) -> str:
    options = ['<option value="">(選ばない)</option>']
    for nb in notebooks:
        sel = " selected" if nb == chosen else ""
        options.append(f'<option value="{escape(nb)}"{sel}>{escape(nb)}</option>')
    other = "" if not chosen or chosen in notebooks else chosen
    return f"""<form method="post" action="help" class="raise">{xsrf}
<p><label>いま開いているノートブック<br><select name="notebook_choice">{"".join(options)}</select></label></p>
<p><label>一覧にないときは、ホームからの場所を入力 (任意)<br>
<input type="text" name="notebook" value="{escape(other)}" placeholder="例: odtb/01_kadai/01_kadai.ipynb"></label></p>
<p><label>困っていること (任意)<br><textarea name="note" rows="3" maxlength="{MAX_NOTE}"
placeholder="例: 3 番目のセルでエラーが出ます">{escape(note)}</textarea></label></p>
<p><button type="submit" class="big" name="action" value="raise">手を挙げる</button></p></form>"""


def _cancel_button(xsrf: str, r: HelpRequest) -> str:
    return (
        f'<form method="post" action="help/{r.id}/cancel" class="inline">{xsrf}'
        f'<button type="submit">取り消す</button></form>'
    )


def trainee_page(
    *,
    course: str,
    viewer: str,
    mine: list[HelpRequest],
    notebooks: list[str],
    xsrf: str,
    now: datetime,
    chosen: str = "",
    note: str = "",
    info: str = "",
    error: str = "",
) -> str:
    """The trainee's own view: the raise-hand form and their own requests (open ones can be cancelled)."""
    open_ = [r for r in mine if r.state == OPEN]
    rows = []
    for r in mine[:20]:
        waited = f'<span class="waiting">{waiting_text((now - r.raised_at).total_seconds())} 待ち</span>'
        state = waited if r.state == OPEN else escape(STATES.get(r.state, r.state))
        action = _cancel_button(xsrf, r) if r.state == OPEN else ""
        rows.append(
            f'<tr data-request="{r.id}"><td>{japan_time(r.raised_at)}</td><td>{escape(r.notebook) or "—"}</td>'
            f"<td>{escape(r.note) or '—'}</td><td>{state}</td><td>{action}</td></tr>"
        )
    # one banner: what just happened (``info``) and, while a hand is up, that the instructor is on the way
    waiting = f"講師が来るまで、そのままお待ちください (受付 {len(open_)} 件)。" if open_ else ""
    if waiting and not info.startswith("手を挙げました"):
        waiting = "手を挙げています。" + waiting
    status = " ".join(t for t in (info, waiting) if t)
    body = (
        f"<h1>手を挙げる (ヘルプ): コース {escape(course)}</h1>{nav()}"
        f"{message(error, error=True) if error else ''}{message(status) if status else ''}"
        f"<p>{escape(viewer)} さん、困ったときはここから講師を呼べます。遠隔研修でも同じように届きます。</p>"
        f"{_request_form(xsrf, notebooks, chosen, note)}"
        "<h2>あなたの依頼</h2>"
        + (
            "<table><thead><tr><th>受付 (日本時間)</th><th>ノートブック</th><th>メモ</th><th>状態</th><th></th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>"
            if rows
            else "<p>まだ依頼はありません。</p>"
        )
    )
    return shell(f"手を挙げる ({course})", body)


def instructor_page(
    *,
    course: str,
    queue: list[HelpRequest],
    recent: list[HelpRequest],
    names: dict[str, tuple[str, str]],
    base_url: str,
    xsrf: str,
    now: datetime,
    info: str = "",
) -> str:
    """The instructor's queue (oldest first, with waiting time), reloaded every few seconds, and recent ones done."""
    rows = []
    for r in queue:
        fullname, dept = names.get(r.username, ("", ""))
        who = escape(r.username) + (f"<br>{escape(fullname)}" if fullname else "")
        link = notebook_url(base_url, r.username, r.notebook)
        label = "ノートブックを開く" if r.notebook else "JupyterLab を開く"
        rows.append(
            f'<tr data-request="{r.id}" data-user="{escape(r.username)}"><td>{who}</td><td>{escape(dept) or "—"}</td>'
            f'<td class="waiting">{waiting_text((now - r.raised_at).total_seconds())}</td>'
            f"<td>{japan_time(r.raised_at)}</td><td>{escape(r.notebook) or '—'}</td><td>{escape(r.note) or '—'}</td>"
            f'<td><a class="open" href="{escape(link)}" target="_blank" rel="noopener">{label}</a></td>'
            f'<td><form method="post" action="help/{r.id}/done" class="inline">{xsrf}'
            '<button type="submit">対応済みにする</button></form></td></tr>'
        )
    table = (
        "<table><thead><tr><th>研修生</th><th>所属</th><th>待ち時間</th><th>受付 (日本時間)</th>"
        f"<th>ノートブック</th><th>メモ</th><th></th><th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="empty">いま手を挙げている研修生はいません。</p>'
    )
    done = [
        f"<li>{japan_time(r.closed_at or r.raised_at)} {escape(r.username)} "
        f"({escape(STATES.get(r.state, r.state))}{', ' + escape(r.closed_by) if r.closed_by else ''})</li>"
        for r in recent
        if r.state != OPEN
    ][:10]
    body = (
        f"<h1>ヘルプの依頼: コース {escape(course)}</h1>{nav()}{message(info) if info else ''}"
        f"<p>待っている研修生: <strong>{len(queue)}</strong> 人 ・ 更新: {japan_time(now)}:{now:%S} "
        f"({REFRESH_SECONDS} 秒ごとに自動更新)。「ノートブックを開く」は研修生の作業環境を新しいタブで開きます"
        "(講師自身の権限で開きます)。</p>"
        f"{table}" + (f"<h2>最近の対応</h2><ul>{''.join(done)}</ul>" if done else "")
    )
    return shell(f"ヘルプの依頼 ({course})", body, refresh=REFRESH_SECONDS)

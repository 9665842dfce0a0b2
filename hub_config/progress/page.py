"""The board as one server-rendered Japanese HTML page (no scripts from elsewhere; reloads itself)."""

from __future__ import annotations

from html import escape

REFRESH_SECONDS = 15

_CSS = """
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:14px}th,td{border:1px solid #bbb;padding:4px 8px;text-align:center}
th{background:#eef3f8}td.name{text-align:left}.ok{background:#dff3e3}.wait{background:#fff6d5}
.na{color:#888}.note{color:#555;font-size:13px}
"""


def _mark(value: bool | None, ok: str = "済") -> str:
    if value is None:
        return '<span class="na">未対応</span>'
    return ok if value else "—"


def _cell(c: dict) -> str:
    if c["scored"]:
        pending = " (手動採点待ち)" if c["needs_manual"] else ""
        scored = f"{c['score']:g} / {c['max_score']:g}{pending}"
    else:
        scored = "未採点" if c["submitted"] else "—"
    submitted = escape(c["submitted_at"][:16]) if c["submitted_at"] else ("済" if c["submitted"] else "—")
    css = "ok" if c["scored"] and not c["needs_manual"] else ("wait" if c["submitted"] else "")
    return "".join(
        f'<td class="{css}">{v}</td>' for v in (_mark(c["fetched"]), _mark(c["validated"]), submitted, escape(scored))
    )


def render(board: dict, generated_at: str) -> str:
    """The page for one viewer (``board`` already filtered by ``board.visible_to``)."""
    course = escape(board["course"])
    names = board["assignments"]
    head1 = '<th rowspan="2">ユーザー名</th><th rowspan="2">氏名</th><th rowspan="2">所属</th>'
    head1 += "".join(f'<th colspan="4">{escape(a)}</th>' for a in names)
    head2 = "".join(f"<th>{escape(t)}</th>" for _ in names for t in board["columns"].values())
    rows = []
    for r in board["trainees"]:
        cells = "".join(_cell(r["assignments"][a]) for a in names)
        rows.append(
            f'<tr data-user="{escape(r["username"])}"><td class="name">{escape(r["username"])}</td>'
            f'<td class="name">{escape(r["fullname"])}</td><td class="name">{escape(r["dept"])}</td>{cells}</tr>'
        )
    if not rows:
        span = 3 + 4 * len(names)
        who = "このコースの研修生はまだいません" if board["instructor"] else "あなたの記録はまだありません"
        rows.append(f'<tr><td colspan="{span}">{who}。</td></tr>')
    if not names:
        rows.append('<tr><td colspan="3">配布済みの課題はまだありません。</td></tr>')
    scope = "コース全員" if board["instructor"] else f"{escape(board['viewer'])} さん"
    return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<title>進捗ボード ({course})</title><style>{_CSS}</style></head>
<body><h1>進捗ボード: コース {course}</h1>
<p>表示: {scope} ・ 更新: {escape(generated_at)} ({REFRESH_SECONDS} 秒ごとに自動更新)</p>
<table><thead><tr>{head1}</tr><tr>{head2}</tr></thead><tbody>
{"".join(rows)}
</tbody></table>
<p class="note">「取得」は課題を取得 (または提出) 済みか、「提出」は最新の提出日時、「採点」は得点 / 満点です。
「自己チェック」(Validate) は nbgrader が記録を残さないため、この画面では「未対応」と表示します。</p>
</body></html>
"""


def error(status_code: int) -> str:
    """A short Japanese error page (the board never shows tracebacks)."""
    if status_code == 403:
        text = "この進捗ボードを見る権限がありません。コースの研修生または講師のアカウントでログインしてください。"
    else:
        text = "進捗ボードを表示できませんでした。しばらく待ってから再読み込みし、続く場合は講師に連絡してください。"
    return (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>進捗ボード</title>'
        f"<style>{_CSS}</style></head><body><h1>進捗ボード</h1><p>{text}</p>"
        f'<p class="note">(エラー {status_code})</p></body></html>'
    )

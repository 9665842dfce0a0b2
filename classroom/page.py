"""The board as one server-rendered Japanese HTML page (no scripts from elsewhere; reloads itself)."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from urllib.parse import quote

from classroom import completion, deadlines

REFRESH_SECONDS = 15
CERTIFICATE_PATH = "certificate.pdf"  # relative to the board's own URL

_CSS = """
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:14px}th,td{border:1px solid #bbb;padding:4px 8px;text-align:center}
th{background:#eef3f8}td.name{text-align:left}.ok{background:#dff3e3}.wait{background:#fff6d5}
.note{color:#555;font-size:13px}.late{background:#fde2e1}.due{color:#555;font-size:12px}
.deadlines{border:2px solid #3a6ea5;background:#f2f7fc;padding:.6em 1.2em;margin:1em 0;max-width:60em}
.cert{border:2px solid #2a7a3b;background:#f1faf3;padding:.8em 1.2em;margin:1em 0;max-width:60em}
.cert.todo{border-color:#c9a227;background:#fffbea}
a.button{display:inline-block;background:#2a7a3b;color:#fff;font-size:18px;font-weight:bold;
padding:.5em 1.2em;border-radius:6px;text-decoration:none}
"""


def japanese_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def pending_text(p: dict) -> str:
    """Why one assignment is not passed yet, in a few Japanese words."""
    reason = p["reason"]
    if reason == completion.NOT_SUBMITTED:
        why = "未提出"
    elif reason == completion.NOT_GRADED:
        why = "提出済み・採点待ち"
    elif reason == completion.NEEDS_MANUAL:
        why = "講師の採点待ち"
    elif reason == completion.BELOW_PASS:
        why = f"{p['score']:g} / {p['max_score']:g} 点、合格は {p['needed']:g} 点以上"
    else:
        why = "提出日時の記録がありません。講師に連絡してください"
    return f"{escape(p['assignment'])} ({escape(why)})"


def certificate_url(user: str | None = None) -> str:
    return CERTIFICATE_PATH + (f"?user={quote(user)}" if user else "")


def completion_block(board: dict, row: dict | None) -> str:
    """A trainee's own completion: the download button, or what is still left."""
    if row is None:
        return ""
    done = row["completion"]
    pct = f"{board['pass_ratio'] * 100:g}%"
    if done["completed"]:
        return (
            '<div class="cert"><p><strong>おめでとうございます。'
            "すべての課題に合格し、このコースを修了しました。</strong>"
            f"<br>修了日: {japanese_date(done['completed_on'])} ・ "
            f"修了証番号: {escape(done['certificate_number'])}</p>"
            f'<p><a class="button" href="{certificate_url()}">修了証をダウンロード (PDF)</a></p></div>'
        )
    if not board["required"]:
        return '<div class="cert todo"><p>このコースには、修了の判定に使う課題がまだありません。</p></div>'
    left = "、".join(pending_text(p) for p in done["pending"])
    return (
        f'<div class="cert todo"><p>修了証まで、あと {len(done["pending"])} 課題です'
        f" (全 {len(board['required'])} 課題)。まだ合格していない課題: {left}</p>"
        f'<p class="note">各課題で満点の {pct} 以上を取ると合格です。すべての課題に合格すると、'
        "ここから修了証 (PDF) をダウンロードできます。</p></div>"
    )


def completion_cell(row: dict) -> str:
    """The instructor's view of one trainee's completion: date, certificate number and link, or what is left."""
    done = row["completion"]
    if done["completed"]:
        return (
            f'<td class="ok">修了 {japanese_date(done["completed_on"])}<br>'
            f'<span class="note">{escape(done["certificate_number"])}</span><br>'
            f'<a href="{escape(certificate_url(row["username"]))}">修了証 (PDF)</a></td>'
        )
    if not done["pending"]:
        return "<td>—</td>"
    left = "、".join(pending_text(p) for p in done["pending"])
    return f'<td title="{left}">あと {len(done["pending"])} 課題</td>'


STATES = {deadlines.LATE: "期限後", deadlines.OVERDUE: "期限切れ"}  # how a cell's deadline state reads


def _mark(value: bool) -> str:
    return "済" if value else "—"


def _short(due: datetime) -> str:
    d = due.astimezone(deadlines.JST)
    return f"{d.month}/{d.day} {d:%H:%M}"


def _submitted(c: dict) -> str:
    """The 提出 cell's text: the latest submission, then the deadline that applies and 期限後 / 期限切れ."""
    text = escape(c["submitted_at"][:16]) if c["submitted_at"] else ("済" if c["submitted"] else "—")
    due = deadlines.from_iso(c.get("deadline"))
    if due is None:
        return text
    text += f'<br><span class="due" title="締切 {escape(deadlines.japanese(due))}">締切 {_short(due)}</span>'
    label = STATES.get(c.get("deadline_state"))
    return text + (f"<br><strong>{label}</strong>" if label else "")


def _cell(c: dict) -> str:
    if c["scored"]:
        pending = " (手動採点待ち)" if c["needs_manual"] else ""
        scored = f"{c['score']:g} / {c['max_score']:g}{pending}"
    else:
        scored = "未採点" if c["submitted"] else "—"
    css = "ok" if c["scored"] and not c["needs_manual"] else ("wait" if c["submitted"] else "")
    late = "late" if c.get("deadline_state") in STATES else css
    cells = ((css, _mark(c["fetched"])), (css, _mark(c["validated"])), (late, _submitted(c)), (css, escape(scored)))
    return "".join(f'<td class="{k}">{v}</td>' for k, v in cells)


def deadline_block(row: dict | None, now: datetime) -> str:
    """A trainee's own deadlines: the ones to come, and any passed with nothing submitted."""
    if row is None:
        return ""
    upcoming, missed = [], []
    for d in row.get("deadlines", []):
        due = deadlines.from_iso(d["due"])
        if due is None:
            continue
        name = escape(d["assignment"])
        if d["upcoming"]:
            done = "提出済み" if d["state"] == deadlines.ON_TIME else deadlines.until(due, now)
            upcoming.append(f"<li>{name}: {deadlines.japanese(due)} まで ({done})</li>")
        elif d["state"] == deadlines.OVERDUE:
            missed.append(f"{name} (締切 {deadlines.japanese(due)})")
    if not upcoming and not missed:
        return ""
    text = f"<p><strong>これからの締切</strong></p><ul>{''.join(upcoming)}</ul>" if upcoming else ""
    if missed:
        text += (
            f"<p>締切を過ぎて、まだ提出していない課題: {'、'.join(missed)}。"
            "今から提出すると「期限後」の提出として記録されます。</p>"
        )
    return f'<div class="deadlines">{text}</div>'


def render(board: dict, generated_at: str, now: datetime | None = None) -> str:
    """The page for one viewer (``board`` already filtered by ``board.visible_to``); ``now`` counts the days left."""
    now = now or datetime.now(deadlines.JST)
    course = escape(board["course"])
    names = board["assignments"]
    instructor = board["instructor"]
    head1 = '<th rowspan="2">ユーザー名</th><th rowspan="2">氏名</th><th rowspan="2">所属</th>'
    head1 += '<th rowspan="2">期</th><th rowspan="2">修了</th>' if instructor else ""
    head1 += "".join(f'<th colspan="4">{escape(a)}</th>' for a in names)
    head2 = "".join(f"<th>{escape(t)}</th>" for _ in names for t in board["columns"].values())
    rows = []
    for r in board["trainees"]:
        extra = f'<td class="name">{escape(r.get("cohort", ""))}</td>{completion_cell(r)}' if instructor else ""
        cells = extra + "".join(_cell(r["assignments"][a]) for a in names)
        rows.append(
            f'<tr data-user="{escape(r["username"])}"><td class="name">{escape(r["username"])}</td>'
            f'<td class="name">{escape(r["fullname"])}</td><td class="name">{escape(r["dept"])}</td>{cells}</tr>'
        )
    mine = None if instructor or not board["trainees"] else board["trainees"][0]
    own = "" if instructor else deadline_block(mine, now) + completion_block(board, mine)
    if not rows:
        span = 3 + (2 if instructor else 0) + 4 * len(names)
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
{own}<table><thead><tr>{head1}</tr><tr>{head2}</tr></thead><tbody>
{"".join(rows)}
</tbody></table>
<p class="note">「取得」は課題を取得 (または提出) 済みか、「自己チェック」は研修生が自分の作業環境で
課題の自己チェックを実行して合格したものがあるか、「提出」は最新の提出日時、「採点」は得点 / 満点です。
締切のある課題は「提出」の欄に締切を表示し、締切の後に提出したものは「期限後」、
提出しないまま締切を過ぎたものは「期限切れ」と表示します。
すべての課題 (全 {len(board["required"])} 課題) で満点の {board["pass_ratio"] * 100:g}% 以上を取ると修了となり、
修了証 (PDF) をダウンロードできます。</p>
</body></html>
"""


def error(status_code: int, text: str | None = None) -> str:
    """A short Japanese error page (the board never shows tracebacks); ``text`` says what happened."""
    if text:
        text = escape(text)
    elif status_code == 403:
        text = "この進捗ボードを見る権限がありません。コースの研修生または講師のアカウントでログインしてください。"
    else:
        text = "進捗ボードを表示できませんでした。しばらく待ってから再読み込みし、続く場合は講師に連絡してください。"
    return (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>進捗ボード</title>'
        f"<style>{_CSS}</style></head><body><h1>進捗ボード</h1><p>{text}</p>"
        f'<p class="note">(エラー {status_code})</p></body></html>'
    )

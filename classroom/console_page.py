"""The console's pages in Japanese (server-rendered, no scripts, nothing from elsewhere): the board (one compact
cell per assignment, readable without colour), a trainee's page (every assignment in detail) and a printable
view for training records (A4). Everything a user typed (names, 所属, 期, titles) is escaped; every time is
Japan time."""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import urlencode

from classroom import console_html, deadlines, glance, page
from testbed_config.names import formgrader_path

REFRESH_SECONDS = page.REFRESH_SECONDS
TRAINEE_PATH = "trainee"  # relative to the console's own URL
PRINT_PATH = "print"
FRESH_PATH = "fresh"  # 配布時の状態に戻す (classroom/fresh_web.py)
TEAMS_PATH = "teams"  # 班の成果物 (classroom/console_teams.py)

# state -> (symbol, word): the symbol is what the cell shows, the word is read out and printed in the legend
MARKS = {
    glance.PASS: ("○", "合格"),
    glance.FAIL: ("×", "不合格"),
    glance.MANUAL: ("△", "講師の採点待ち"),
    glance.LATE: ("遅", "期限後に提出・採点前"),
    glance.WAITING: ("□", "提出済み・採点前"),
    glance.MISSING: ("！", "未提出 (期限切れ)"),
    glance.TODO: ("", "未提出"),
}
SORT_LABELS = {"behind": "遅れている順", "name": "氏名順"}
DEADLINE_WORDS = {
    deadlines.OPEN: "受付中",
    deadlines.ON_TIME: "期限内に提出",
    deadlines.LATE: "期限後に提出",
    deadlines.OVERDUE: "期限切れ (未提出)",
}

_CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:.6em 1em;color:#1a1a1a;
font-size:13px}
h1{font-size:18px;margin:.2em 0 .3em}h2{font-size:15px;margin:1em 0 .4em}
a{color:#1d4f91}
nav a{margin-right:1.2em}
.bar{display:flex;flex-wrap:wrap;gap:.3em 1.2em;align-items:center;margin:.3em 0}
.bar form{display:flex;gap:.5em;align-items:center;flex-wrap:wrap}
.bar select,.bar button{font:inherit;padding:1px 4px}
.note{color:#555;font-size:12px}
.backup{font-size:12px;color:#555}.backup-warn{color:#8a4b00;font-weight:600}
.backup-error{color:#b00020;font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:.2em .9em;font-size:12px;margin:.3em 0}
.legend span.c{display:inline-block;min-width:2.2em;text-align:center;border:1px solid #999;padding:0 3px}
.scroll{overflow:auto;max-height:calc(100vh - 9.5em);border:1px solid #999}
table.board{border-collapse:separate;border-spacing:0;font-size:12px;line-height:18px}
table.board th,table.board td{border-right:1px solid #c8c8c8;border-bottom:1px solid #c8c8c8;padding:2px 4px;
white-space:nowrap;text-align:center;background:#fff}
table.board thead th{position:sticky;top:0;z-index:2;background:#e8eef5;font-weight:600}
table.board th.nm,table.board td.nm{position:sticky;left:0;z-index:1;width:118px;min-width:118px;max-width:118px;
text-align:left;overflow:hidden;text-overflow:ellipsis}
table.board th.dp,table.board td.dp{position:sticky;left:118px;z-index:1;width:96px;min-width:96px;max-width:96px;
text-align:left;overflow:hidden;text-overflow:ellipsis;border-right:2px solid #888}
table.board thead th.nm,table.board thead th.dp{z-index:3}
table.board th.a{max-width:74px;overflow:hidden;text-overflow:ellipsis;font-weight:500}
table.board td.c{min-width:58px}
table.board td.ki{max-width:100px;overflow:hidden;text-overflow:ellipsis}
td.sum{font-weight:600}
table.board td.pass{background:#d5efd9}table.board td.fail{background:#f8d3d1;font-weight:600}
table.board td.manual{background:#ffeeb8}table.board td.late{background:#ffd9b3}
table.board td.waiting{background:#dde9f8}table.board td.todo{color:#666}
table.board td.missing{background:#b3261e;color:#fff;font-weight:700}
.legend span.pass{background:#d5efd9}.legend span.fail{background:#f8d3d1}.legend span.manual{background:#ffeeb8}
.legend span.late{background:#ffd9b3}.legend span.waiting{background:#dde9f8}
.legend span.missing{background:#b3261e;color:#fff}
b.lt{font-size:10px;font-weight:700;color:#8a3b00;margin-left:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
table.detail{border-collapse:collapse;font-size:13px}
table.detail th,table.detail td{border:1px solid #bbb;padding:3px 7px;text-align:left;vertical-align:top}
table.detail th{background:#e8eef5}
.deadlines,.cert{border:2px solid #3a6ea5;background:#f2f7fc;padding:.4em 1em;margin:.6em 0;max-width:60em}
.cert{border-color:#2a7a3b;background:#f1faf3}.cert.todo{border-color:#c9a227;background:#fffbea}
a.button{display:inline-block;background:#2a7a3b;color:#fff;font-weight:bold;padding:.4em 1em;border-radius:6px;
text-decoration:none}
@page{size:A4 landscape;margin:10mm}
@media print{
  body{margin:0;font-size:10px}.noprint{display:none}
  .scroll{overflow:visible;max-height:none;border:0}
  table.board{font-size:9.5px;line-height:13px}
  table.board thead th,table.board th.nm,table.board td.nm,table.board th.dp,table.board td.dp{position:static}
  table.board th,table.board td{border-color:#777}
  tr{break-inside:avoid}
  table.board td.missing{background:#fff;color:#000;outline:2px solid #000;outline-offset:-2px}
}
"""
_PORTRAIT = "@page{size:A4 portrait;margin:12mm}"


def _state_cell(cell: dict, pass_ratio: float) -> str:
    """One board cell: symbol + score (or a short word), its state as hidden text and tooltip, late marked."""
    g = glance.state_of(cell, pass_ratio)
    symbol, word = MARKS[g.state]
    if g.state in (glance.PASS, glance.FAIL, glance.MANUAL):
        text = f"{symbol} {g.score:g}/{g.max_score:g}"
    elif g.state == glance.TODO:
        text = "自己✓" if cell.get("validated") else ("取得" if cell.get("fetched") else "—")
        word = "自己チェック合格あり" if cell.get("validated") else ("取得済み" if cell.get("fetched") else "未取得")
    elif g.state == glance.MISSING:
        text = f"{symbol}未提出"
    else:
        text = f"{symbol} 提出"
    tip = word
    at = glance.when(cell)
    if at:
        tip += f" ・ 提出 {glance.short_time(at)}"
    due = deadlines.from_iso(cell.get("deadline"))
    if due:
        tip += f" ・ 締切 {glance.short_time(due)}"
    late = '<b class="lt" aria-hidden="true">遅</b>' if g.late and g.state != glance.LATE else ""
    late_word = " (期限後)" if late else ""
    return (
        f'<td class="c {g.state}" title="{escape(tip + late_word)}">{escape(text)}{late}'
        f'<span class="sr">{escape(word + late_word)}</span></td>'
    )


def legend() -> str:
    items = [
        (glance.PASS, "○ 5/5", "合格 (得点/満点)"),
        (glance.FAIL, "× 2/5", "不合格"),
        (glance.MANUAL, "△ 7/10", "講師の採点待ち"),
        (glance.WAITING, "□ 提出", "提出済み・採点前"),
        (glance.LATE, "遅 提出", "期限後に提出・採点前"),
        (glance.MISSING, "！未提出", "期限切れ"),
        (glance.TODO, "自己✓ / 取得 / —", "未提出 (自己チェック合格あり / 取得済み / 未取得)"),
    ]
    spans = "".join(f'<span><span class="c {k}">{escape(t)}</span> {escape(w)}</span>' for k, t, w in items)
    return f'<div class="legend">{spans}<span><b class="lt">遅</b> 期限後の提出</span></div>'


def trainee_url(user: str) -> str:
    return f"{TRAINEE_PATH}?{urlencode({'user': user})}"


def _select(name: str, label: str, current: str, options: list[tuple[str, str]]) -> str:
    opts = "".join(
        f'<option value="{escape(v)}"{" selected" if v == current else ""}>{escape(t)}</option>' for v, t in options
    )
    return f'<label>{escape(label)} <select name="{name}">{opts}</select></label>'


def _filters(all_rows: list[dict], cohort: str, dept: str, sort: str, team: str = "") -> str:
    parts = [
        _select("cohort", "期", cohort, [("", "すべて")] + [(c, c) for c in glance.choices(all_rows, "cohort")]),
        _select("dept", "所属", dept, [("", "すべて")] + [(d, d) for d in glance.choices(all_rows, "dept")]),
    ]
    teams = glance.choices(all_rows, "team")
    if teams or team:
        parts.append(_select("team", "班", team, [("", "すべて")] + [(t, t) for t in teams]))
    parts.append(_select("sort", "並び順", sort, list(SORT_LABELS.items())))
    return f'<form method="get" class="noprint">{"".join(parts)}<button type="submit">表示</button></form>'


def _table(view: dict, rows: list[dict], *, links: bool) -> str:
    names, ratio, instructor = view["assignments"], view["pass_ratio"], view["instructor"]
    show_ki = instructor and any(r.get("cohort") for r in view["trainees"])
    show_han = instructor and any(r.get("team") for r in view["trainees"])
    head = '<th class="nm" scope="col">氏名</th><th class="dp" scope="col">所属</th>'
    head += '<th scope="col">期</th>' if show_ki else ""
    head += '<th scope="col">班</th>' if show_han else ""
    head += f'<th scope="col" title="合格した課題の数 / 課題数 ({len(names)})">合格</th>'
    head += '<th scope="col">修了</th>' if instructor else ""
    head += "".join(f'<th class="a" scope="col" title="{escape(a)}">{escape(a)}</th>' for a in names)
    body = []
    for r in rows:
        s = glance.summary(r, names, ratio)
        shown = escape(glance.display_name(r))
        who = f'<a href="{escape(trainee_url(r["username"]))}">{shown}</a>' if links else shown
        tip = escape(f"{glance.display_name(r)} ({r['username']})")
        cells = f'<td class="nm" title="{tip}"><span class="nmt">{who}</span></td>'
        cells += f'<td class="dp" title="{escape(r.get("dept") or "")}">{escape(r.get("dept") or "")}</td>'
        cells += f'<td class="ki">{escape(r.get("cohort") or "")}</td>' if show_ki else ""
        cells += f'<td class="ki han">{escape(r.get("team") or "")}</td>' if show_han else ""
        cells += f'<td class="sum">{s.passed}/{s.total}</td>'
        if instructor:
            done = r["completion"]
            if done["completed"]:
                tip = f"修了日 {page.japanese_date(done['completed_on'])} ・ 修了証番号 {done['certificate_number']}"
                cert = escape(page.certificate_url(r["username"]))
                cells += f'<td title="{escape(tip)}"><a href="{cert}">修了</a></td>' if links else "<td>修了</td>"
            else:
                cells += "<td>—</td>"
        cells += "".join(_state_cell(r["assignments"].get(a) or {}, ratio) for a in names)
        body.append(f'<tr data-user="{escape(r["username"])}">{cells}</tr>')
    if not body:
        span = 3 + int(show_ki) + int(show_han) + int(instructor) + len(names)
        who = "表示する研修生がいません" if instructor else "あなたの記録はまだありません"
        body.append(f'<tr><td colspan="{span}">{who}。</td></tr>')
    return f'<table class="board"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _doc(title: str, body: str, *, refresh: bool, extra_css: str = "") -> str:
    meta = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if refresh else ""
    return (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">{meta}'
        f"<title>{escape(title)}</title><style>{_CSS}{extra_css}</style></head><body>{body}</body></html>"
    )


def _heading(view: dict, course_title: str) -> str:
    course = escape(course_title or view["course"])
    return f"{course} ({escape(view['course'])})" if course_title else course


def _nav(view: dict) -> str:
    """The console's navigation; instructors also get the grading screen."""
    return console_html.nav("./", formgrader_path(view["course"]) if view["instructor"] else "")


def board(view: dict, *, course_title: str = "", cohort: str = "", dept: str = "", sort: str = "behind",
          team: str = "", now: datetime | None = None, backup: str = "") -> str:  # fmt: skip
    """The console's board for one viewer (``view`` from ``board.visible_to``): instructors get filters and sorting
    and ``backup`` (the last backup, ``backup_note.html``); a trainee gets their own row, their deadlines and what is
    left before the certificate."""
    now = now or datetime.now(deadlines.JST)
    sort = sort if sort in glance.SORTS else "behind"
    instructor = view["instructor"]
    rows = glance.filtered(view["trainees"], cohort=cohort, dept=dept, team=team) if instructor else view["trainees"]
    rows = glance.ordered(rows, view["assignments"], view["pass_ratio"], sort)
    updated = glance.full_time(now)
    if instructor:
        query = urlencode({k: v for k, v in (("cohort", cohort), ("dept", dept), ("team", team), ("sort", sort)) if v})
        top = (
            f'<div class="bar">{_filters(view["trainees"], cohort, dept, sort, team)}'
            f'<span class="note">{len(rows)} 人 / 全 {len(view["trainees"])} 人 ・ 更新 {escape(updated)}'
            f" ({REFRESH_SECONDS} 秒ごとに自動更新)</span>"
            f'<a class="noprint" href="{escape(PRINT_PATH + ("?" + query if query else ""))}">印刷用の表示</a>'
            f'<a class="noprint" href="{TEAMS_PATH}">班の成果物</a>{backup}</div>'
        )
        scope = "研修生の進捗"
    else:
        mine = rows[0] if rows else None
        own = f'<a href="{escape(trainee_url(view["viewer"]))}">課題ごとの詳しい記録</a>' if mine else ""
        top = (
            f'<div class="bar"><span class="note">{escape(view["viewer"])} さんの記録 ・ 更新 {escape(updated)}'
            f" ({REFRESH_SECONDS} 秒ごとに自動更新)</span>{own}</div>"
            + page.deadline_block(mine, now)
            + page.completion_block(view, mine)
        )
        scope = "あなたの進捗"
    body = (
        f"<h1>研修コンソール: {_heading(view, course_title)} ・ {scope}</h1>{_nav(view)}{top}{legend()}"
        f'<div class="scroll">{_table(view, rows, links=True)}</div>'
        f'<p class="note">合格は各課題で満点の {view["pass_ratio"] * 100:g}% 以上。'
        "「遅れている順」は合格した課題が少ない人から (同じなら期限切れが多い人、提出が少ない人から) 並べます。"
        "氏名を選ぶと、その人の課題ごとの記録 (提出日時・締切・得点) を開きます。時刻はすべて日本時間です。</p>"
    )
    return _doc(f"研修コンソール ({view['course']})", body, refresh=True)


def print_view(view: dict, *, course_title: str = "", cohort: str = "", dept: str = "", sort: str = "name",
               team: str = "", now: datetime | None = None) -> str:  # fmt: skip
    """The whole (filtered) board on A4 landscape for the training record: no reload, no links, symbols + legend."""
    now = now or datetime.now(deadlines.JST)
    rows = view["trainees"]
    rows = glance.filtered(rows, cohort=cohort, dept=dept, team=team) if view["instructor"] else rows
    rows = glance.ordered(rows, view["assignments"], view["pass_ratio"], sort if sort in glance.SORTS else "name")
    scope = "、".join(f"{k}: {v}" for k, v in (("期", cohort), ("所属", dept), ("班", team)) if v) or "全員"
    body = (
        f"<h1>研修記録: {_heading(view, course_title)} 進捗一覧</h1>"
        f'<p class="note">対象: {escape(scope)} ({len(rows)} 人) ・ 作成 {escape(glance.full_time(now))} (日本時間) ・ '
        f"合格は各課題で満点の {view['pass_ratio'] * 100:g}% 以上</p>"
        '<p class="noprint"><a href="./">コンソールに戻る</a> ・ '
        "ブラウザの印刷 (Ctrl+P) で A4 横向きに印刷できます。</p>"
        f"{legend()}{_table(view, rows, links=False)}"
    )
    return _doc(f"研修記録 ({view['course']})", body, refresh=False)


def fresh_url(user: str, assignment: str) -> str:
    return f"{FRESH_PATH}?{urlencode({'user': user, 'assignment': assignment})}"


def _fresh_cell(user: str, name: str, cell: dict, instructor: bool) -> str:
    """The link to restore the assignment to its released state: instructors once it was fetched, a trainee only
    before submitting it."""
    if not (cell.get("fetched") or cell.get("submitted")) or (cell.get("submitted") and not instructor):
        return '<td class="noprint">—</td>'
    return f'<td class="noprint"><a class="fresh" href="{escape(fresh_url(user, name))}">配布時の状態に戻す</a></td>'


def _detail_row(name: str, title: str, cell: dict, ratio: float, extra: bool, fresh: str = "") -> str:
    g = glance.state_of(cell, ratio)
    symbol, word = MARKS[g.state]
    if g.state == glance.TODO:
        word = "未提出"
    at = glance.when(cell)
    due = deadlines.from_iso(cell.get("deadline"))
    score = f"{g.score:g} / {g.max_score:g}" if g.score is not None and g.max_score is not None else "—"
    dstate = DEADLINE_WORDS.get(cell.get("deadline_state") or "", "—") if due else "締切なし"
    cols = [
        f"{escape(name)}<br><span class='note'>{escape(title)}</span>" if title else escape(name),
        escape(f"{symbol} {word}".strip()),
        "済" if cell.get("fetched") else "—",
        "合格あり" if cell.get("validated") else "—",
        escape(glance.full_time(at)) if at else ("提出済み (日時不明)" if cell.get("submitted") else "—"),
        escape(score),
        escape(glance.full_time(due)) if due else "—",
        escape(dstate),
    ]
    if extra:
        cols.append(escape(_tries_text(cell)))
    tds = "".join(f"<td>{c}</td>" for c in cols)
    return f'<tr class="{g.state}" data-assignment="{escape(name)}">{tds}{fresh}</tr>'


def _tries_text(cell: dict) -> str:
    """「12 回 (不合格 9)・ヒント 3・解答例 1」: what the trainee's self-checks of one assignment recorded."""
    attempts = cell.get("selfcheck_attempts")
    if attempts is None:
        return "—"
    text = f"{attempts} 回 (不合格 {cell.get('selfcheck_failures') or 0})・ヒント {cell.get('hints_used') or 0}"
    shown = cell.get("solutions_shown") or 0
    return text + (f"・解答例 {shown}" if shown else "")


def trainee(
    view: dict,
    row: dict,
    titles: dict[str, str],
    *,
    course_title: str = "",
    now: datetime | None = None,
    fresh: bool = False,
    sections: str = "",
) -> str:
    """One trainee's page: every assignment with fetch, self-check, submission time, score and deadline (A4);
    ``sections``: more of their record (the team's grade and their reflection, ``console_teams``), already HTML."""
    now = now or datetime.now(deadlines.JST)
    names, ratio = view["assignments"], view["pass_ratio"]
    extra = any((row["assignments"].get(a) or {}).get("selfcheck_attempts") is not None for a in names)
    head = ["課題", "状態", "取得", "自己チェック", "提出日時 (日本時間)", "得点", "締切 (日本時間)", "締切の状況"]
    head += ["自己チェック (実行・不合格・ヒント・解答例)"] if extra else []
    cells = {a: row["assignments"].get(a) or {} for a in names}
    rows = "".join(
        _detail_row(
            a,
            titles.get(a, ""),
            cells[a],
            ratio,
            extra,
            _fresh_cell(row["username"], a, cells[a], view["instructor"]) if fresh else "",
        )
        for a in names
    )
    thead = "".join(f"<th>{escape(h)}</th>" for h in head)
    thead += '<th class="noprint">やり直し</th>' if fresh else ""
    if not rows:
        rows = f'<tr><td colspan="{len(head)}">配布済みの課題はまだありません。</td></tr>'
    s = glance.summary(row, names, ratio)
    done = row["completion"]
    status = f"修了 ({page.japanese_date(done['completed_on'])})" if done["completed"] else "未修了"
    who = escape(glance.display_name(row))
    facts = [("氏名", glance.display_name(row)), ("ユーザー名", row["username"]), ("所属", row.get("dept") or "—")]
    facts += [("期", row.get("cohort") or "—"), ("班", row.get("team") or "—")]
    facts += [("合格", f"{s.passed} / {s.total} 課題"), ("修了", status)]
    info = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    back = "コンソールに戻る" if view["instructor"] else "自分の進捗に戻る"
    note = (
        ""
        if extra
        else '<p class="note">自己チェックを実行した回数や、使ったヒントの数はまだ記録していません'
        " (「自己チェック」欄は、合格したチェックがあるかどうかです)。</p>"
    )
    body = (
        f"<h1>研修記録: {who} さん ・ {_heading(view, course_title)}</h1>"
        f'<p class="noprint"><a href="./">{back}</a> ・ ブラウザの印刷 (Ctrl+P) で A4 に印刷できます。</p>'
        f'<table class="detail">{info}</table><h2>課題ごとの記録</h2>'
        f'<table class="detail"><thead><tr>{thead}</tr></thead>'
        f"<tbody>{rows}</tbody></table>{note}{sections}"
        f'<p class="note">作成 {escape(glance.full_time(now))} (日本時間) ・ '
        f"合格は各課題で満点の {ratio * 100:g}% 以上です。</p>"
    )
    return _doc(f"研修記録 {glance.display_name(row)} ({view['course']})", body, refresh=False, extra_css=_PORTRAIT)

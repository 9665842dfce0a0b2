"""The console's team pages in Japanese (pure: data in, HTML out): the list of teams' deliverables (班の成果物), the
rubric grading page of one team with each member's reflection (振り返り), and the two sections of a trainee's record
(the team's grade, the same for every member; their own reflection).

Server-rendered like the rest of the console: no scripts, nothing from elsewhere (a chart is a ``data:`` image),
everything a person typed or a team submitted escaped, times in Japan time.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from classroom import console_page, glance
from classroom.console_html import message, nav, shell
from classroom.rubric import MAX_COMMENT, MAX_OVERALL, Rubric, Scale
from classroom.store import Reflection, ReflectionGrade, TeamGrade
from classroom.team_work import Part, Submission

TEAMS_PATH = console_page.TEAMS_PATH  # linked from the board's top bar
GRADE_PATH = "team-grade"
REFLECTION_PATH = "reflection"  # a member submits their own (POST)
REFLECTION_GRADE_PATH = "reflection-grade"  # an instructor grades one (POST)
MAX_REFLECTION = 4000

NOT_SUBMITTED, NOT_GRADED, GRADED, RESUBMITTED = "未提出", "未採点", "採点済み", "再提出あり"

_CSS = """<style>
.deliverable{border:1px solid #bbb;padding:.4em .8em;margin:.5em 0;max-height:70vh;overflow:auto;background:#fcfcfc}
.deliverable h3{font-size:15px;margin:.8em 0 .3em;border-bottom:1px solid #ccc}
pre.part{white-space:pre-wrap;word-break:break-word;margin:.3em 0;padding:.3em .5em;font-size:13px;
font-family:"Noto Sans Mono CJK JP",monospace}
pre.markdown{background:#fff;border-left:4px solid #3a6ea5}pre.code{background:#f4f4f4;border-left:4px solid #888}
pre.output{background:#fff;border-left:4px solid #2a7a3b}img.part{max-width:100%;border:1px solid #ddd;margin:.3em 0}
fieldset{border:1px solid #bbb;margin:.7em 0;padding:.4em .8em}legend{font-weight:bold;font-size:15px}
label.level{display:block;margin:.25em 0;padding:.25em .4em;border-radius:4px}
label.level:hover{background:#eef3f8}.pts{font-weight:bold;margin:0 .4em}.desc{color:#333}
.looks{color:#555;font-size:13px;margin:0 0 .3em}.score{font-size:20px;font-weight:bold;margin:.4em 0}
.body{white-space:pre-wrap;border-left:5px solid #3a6ea5;background:#f2f7fc;padding:.5em 1em;margin:.4em 0}
.flag{color:#fff;background:#b3261e;padding:0 .4em;border-radius:3px;font-weight:bold}
section.member{border-top:1px solid #ccc;margin-top:1em}.comment{white-space:pre-wrap}
table.rubric td,table.rubric th{vertical-align:top}
</style>"""


@dataclass(frozen=True)
class Team:
    """A team (班) of the roster: its label, its hub user (``team-<8 hex>``) and its members' hub names."""

    label: str
    team_user: str
    members: tuple[str, ...]


def grade_url(team_user: str, **extra: str) -> str:
    return f"{GRADE_PATH}?{urlencode({'team': team_user, **extra})}"


def state(latest: Submission | None, grade: TeamGrade | None) -> str:
    """未提出, 未採点, 採点済み or 再提出あり (a newer submission than the one graded)."""
    if latest is None:
        return NOT_SUBMITTED
    if grade is None:
        return NOT_GRADED
    return GRADED if grade.submission == latest.name else RESUBMITTED


def _who(names: Mapping[str, tuple[str, str]], user: str) -> str:
    fullname = (names.get(user) or ("", ""))[0]
    return f"{fullname} ({user})" if fullname else user


def _sent(sub: Submission, names: Mapping[str, tuple[str, str]]) -> str:
    return f"{glance.full_time(sub.submitted_at)} ・ {_who(names, sub.submitted_by)}"


def _pts(x: float) -> str:
    return f"{x:g}"


def _error_list(problems: list[str]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{escape(p)}</li>" for p in problems)
    return f'<div class="err" role="alert">保存していません。次を直してください。<ul>{items}</ul></div>'


def _frame(title: str, body: str, grading_url: str) -> str:
    return shell(title, _CSS + body.replace("<!--nav-->", nav("./", grading_url), 1))


# instructors: the list ---------------------------------------------------------------------------------------------


def team_list(
    *,
    course: str,
    teams: list[Team],
    latest: Mapping[str, Submission],
    grades: Mapping[str, TeamGrade],
    names: Mapping[str, tuple[str, str]],
    rubric_error: str,
    grading_url: str,
) -> str:
    """Every team of the roster: members, latest submission (Japan time, who), graded or not, score."""
    rows = []
    for t in teams:
        sub, grade = latest.get(t.team_user), grades.get(t.team_user)
        st = state(sub, grade)
        members = "<br>".join(escape(_who(names, u)) for u in t.members)
        score = f"{_pts(grade.score)} / {_pts(grade.max_score)}" if grade else "—"
        flag = f'<span class="flag">{st}</span>' if st == RESUBMITTED else escape(st)
        rows.append(
            f'<tr data-team="{escape(t.team_user)}"><td>{escape(t.label)}</td><td>{members}</td>'
            f"<td>{escape(_sent(sub, names)) if sub else '—'}</td><td>{flag}</td><td>{escape(score)}</td>"
            f'<td><a href="{escape(grade_url(t.team_user))}">採点する</a></td></tr>'
        )
    table = (
        "<table><thead><tr><th>班</th><th>メンバー</th><th>最新の提出 (日本時間・提出した人)</th><th>採点</th>"
        f"<th>得点</th><th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>班に入っている研修生がいません。./testbed cohort team set で班を作ってください。</p>"
    )
    body = (
        f"<h1>班の成果物: コース {escape(course)}</h1><!--nav-->"
        f"{message(rubric_error, error=True) if rubric_error else ''}"
        "<p>班ごとの提出と採点の状況です。「採点する」から、ルーブリックで採点し、メンバーの振り返りを評価できます。"
        "得点とコメントは、班のメンバー全員の記録に同じように表示されます。</p>"
        f"{table}"
    )
    return _frame(f"班の成果物 ({course})", body, grading_url)


# instructors: one team ---------------------------------------------------------------------------------------------


def parts_html(parts: list[Part]) -> str:
    """The submitted deliverable: per notebook, its text as preformatted, escaped text and its charts as images."""
    out, current = [], None
    for p in parts:
        if p.notebook != current:
            current = p.notebook
            out.append(f"<h3>{escape(p.notebook)}</h3>")
        if p.kind == "image":
            data = base64.b64encode(p.png).decode()
            out.append(f'<img class="part" alt="{escape(p.notebook)} の図" src="data:image/png;base64,{data}">')
        elif p.text.strip():
            kind = p.kind if p.kind in ("markdown", "code", "output") else "output"
            out.append(f'<pre class="part {kind}">{escape(p.text)}</pre>')
    return "".join(out) or "<p>提出されたノートブックに、表示できるセルがありません。</p>"


def _rubric_form(rubric: Rubric, team_user: str, sub: Submission, form: Mapping[str, str], xsrf: str) -> str:
    fields = []
    for item in rubric.items:
        chosen = form.get(f"level-{item.id}", "")
        radios = "".join(
            f'<label class="level"><input type="radio" name="level-{escape(item.id)}" value="{escape(lv.key)}"'
            f"{' checked' if lv.key == chosen else ''}>"
            f'<span class="pts">{escape(lv.label)} ({_pts(lv.points)} 点)</span>'
            f'<span class="desc">{escape(lv.descriptor)}</span></label>'
            for lv in item.levels
        )
        looks = f'<p class="looks">見るところ: {escape(item.looks_at)}</p>' if item.looks_at else ""
        fields.append(
            f'<fieldset data-item="{escape(item.id)}"><legend>{escape(item.name)} (最高 {_pts(item.max_points)} 点)'
            f"</legend>{looks}{radios}<label>コメント (任意、{MAX_COMMENT} 文字まで)<br>"
            f'<textarea name="comment-{escape(item.id)}" rows="2">{escape(form.get(f"comment-{item.id}", ""))}'
            "</textarea></label></fieldset>"
        )
    return (
        f'<form method="post" action="{escape(grade_url(team_user))}" class="rubric">{xsrf}'
        f'<input type="hidden" name="submission" value="{escape(sub.name)}">{"".join(fields)}'
        f"<p><label>全体へのコメント (任意、{MAX_OVERALL} 文字まで)<br>"
        f'<textarea name="overall" rows="4">{escape(form.get("overall", ""))}</textarea></label></p>'
        '<p><button type="submit" class="big">保存</button></p></form>'
    )


def grade_form_values(grade: TeamGrade | None) -> dict[str, str]:
    """A saved grade as the form's values (to show it again for a regrade)."""
    if grade is None:
        return {}
    values = {"overall": grade.comment}
    for i in grade.items:
        values[f"level-{i.item}"] = _pts(i.points)
        values[f"comment-{i.item}"] = i.comment
    return values


def _reflection_block(
    user: str,
    team_user: str,
    names: Mapping[str, tuple[str, str]],
    reflection: Reflection | None,
    graded: ReflectionGrade | None,
    scale: Scale | None,
    xsrf: str,
    form: Mapping[str, str] | None,
    problems: list[str],
) -> str:
    head = (
        f'<section class="member" id="r-{escape(user)}" data-user="{escape(user)}"><h3>{escape(_who(names, user))}</h3>'
    )
    if reflection is None:
        return head + "<p>まだ振り返りを提出していません。</p></section>"
    body = (
        f'<p class="note">提出 {escape(glance.full_time(reflection.submitted_at))}</p>'
        f'<div class="body">{escape(reflection.body)}</div>'
    )
    if graded is not None:
        body += (
            f"<p>評価: <b>{escape(graded.label)}</b> ({_pts(graded.points)} / {_pts(graded.max_points)} 点) "
            f'<span class="note">{escape(glance.full_time(graded.graded_at))} ・ {escape(graded.graded_by)}</span></p>'
        )
    if scale is None:
        return head + body + "</section>"
    values = form if form is not None else ({"level": _pts(graded.points), "comment": graded.comment} if graded else {})
    radios = "".join(
        f'<label class="level"><input type="radio" name="level" value="{escape(lv.key)}"'
        f"{' checked' if lv.key == values.get('level') else ''}><span class='pts'>{escape(lv.label)} "
        f'({_pts(lv.points)} 点)</span><span class="desc">{escape(lv.descriptor)}</span></label>'
        for lv in scale.levels
    )
    action = "評価し直す" if graded else "振り返りの評価を保存"
    return (
        f"{head}{body}{_error_list(problems)}"
        f'<form method="post" action="{REFLECTION_GRADE_PATH}" class="reflection">{xsrf}'
        f'<input type="hidden" name="team" value="{escape(team_user)}">'
        f'<input type="hidden" name="user" value="{escape(user)}">{radios}'
        f"<label>コメント (任意、{MAX_COMMENT} 文字まで)<br>"
        f'<textarea name="comment" rows="2">{escape(values.get("comment", ""))}</textarea></label>'
        f'<p><button type="submit">{action}</button></p></form></section>'
    )


def grading_page(
    *,
    course: str,
    team: Team,
    subs: list[Submission],
    shown: Submission | None,
    parts: list[Part],
    rubric: Rubric | None,
    rubric_error: str,
    grade: TeamGrade | None,
    latest_grade: TeamGrade | None,
    form: Mapping[str, str],
    problems: list[str],
    info: str,
    names: Mapping[str, tuple[str, str]],
    reflections: Mapping[str, tuple[Reflection | None, ReflectionGrade | None]],
    reflection_form: tuple[str, Mapping[str, str], list[str]] | None,
    xsrf: str,
    grading_url: str,
) -> str:
    """One team: its submissions, the shown one's deliverable beside the rubric form, the grade when saved, and each
    member's reflection with a small grading form of its own."""
    latest = subs[-1] if subs else None
    st = state(latest, latest_grade)
    flag = ""
    if st == RESUBMITTED:
        graded_sub = next((s for s in subs if s.name == latest_grade.submission), None)
        when = f" (採点したのは {glance.full_time(graded_sub.submitted_at)} の提出)" if graded_sub else ""
        flag = (
            f'<p class="resubmitted"><span class="flag">{RESUBMITTED}</span> 採点のあとに新しい提出がありました'
            f"{escape(when)}。新しい提出を採点してください。</p>"
        )
    members = "、".join(_who(names, u) for u in team.members)
    listing = "".join(
        f"<li>{escape(_sent(s, names))} ・ {escape('、'.join(s.files) or '(ノートブックなし)')}"
        + (
            " ・ <b>表示中</b>"
            if shown and s.name == shown.name
            else f' ・ <a href="{escape(grade_url(team.team_user, submission=s.name))}">表示する</a>'
        )
        + "</li>"
        for s in reversed(subs)
    )
    head = (
        f"<h1>班の成果物の採点: {escape(team.label)}</h1><!--nav-->"
        f'<p><a href="{TEAMS_PATH}">班の成果物の一覧に戻る</a></p>'
        f"{message(info) if info else ''}{flag}"
        f"<p>メンバー: {escape(members)}</p>"
    )
    if grade is not None:
        head += (
            f'<p class="score" id="score">この提出の得点: {_pts(grade.score)} / {_pts(grade.max_score)} 点</p>'
            f'<p class="note">採点 {escape(glance.full_time(grade.graded_at))} ・ {escape(grade.graded_by)}</p>'
        )
    if shown is None:
        work = "<h2>提出</h2><p>この班はまだ成果物を提出していません。</p>"
    else:
        work = (
            f"<h2>提出 (新しい順)</h2><ul>{listing}</ul>"
            f"<h2>提出された成果物 ({escape(glance.full_time(shown.submitted_at))})</h2>"
            f'<div class="deliverable">{parts_html(parts)}</div>'
        )
        if rubric is None:
            work += message(rubric_error, error=True)
        else:
            work += (
                f"<h2>ルーブリックで採点 ({escape(rubric.title)}、満点 {_pts(rubric.max_points)} 点)</h2>"
                f"{_error_list(problems)}{_rubric_form(rubric, team.team_user, shown, form, xsrf)}"
            )
    blocks = []
    for user in team.members:
        reflection, graded = reflections.get(user, (None, None))
        mine = reflection_form if reflection_form and reflection_form[0] == user else None
        blocks.append(
            _reflection_block(
                user,
                team.team_user,
                names,
                reflection,
                graded,
                rubric.reflection if rubric else None,
                xsrf,
                mine[1] if mine else None,
                mine[2] if mine else [],
            )  # fmt: skip
        )
    scale = rubric.reflection if rubric else None
    prompt = f'<p class="note">研修生への問い: {escape(scale.prompt)}</p>' if scale and scale.prompt else ""
    body = f"{head}{work}<h2>メンバーの振り返り (一人ずつ評価)</h2>{prompt}{''.join(blocks)}"
    return _frame(f"班の成果物の採点 {team.label} ({course})", body, grading_url)


# every member's record ---------------------------------------------------------------------------------------------


def record_team_section(
    team: Team | None,
    latest: Submission | None,
    grade: TeamGrade | None,
    names: Mapping[str, tuple[str, str]],
) -> str:
    """班の成果物 on a member's record: the same for every member of the team."""
    if team is None:
        return '<section class="team"><h2>班の成果物</h2><p>班に入っていません。</p></section>'
    st = state(latest, grade)
    sent = escape(_sent(latest, names)) if latest else "まだ提出していません"
    rows = [("班", escape(team.label)), ("提出 (日本時間・提出した人)", sent)]
    if grade is None:
        rows.append(("得点", "採点前" if latest else "—"))
    else:
        rows.append(("得点", f"<b>{_pts(grade.score)} / {_pts(grade.max_score)} 点</b>"))
        rows.append(("採点", escape(glance.full_time(grade.graded_at))))
    info = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    out = (
        f'<section class="team" data-team="{escape(team.team_user)}"><h2>班の成果物</h2>'
        f'<table class="detail">{info}</table>'
    )
    if st == RESUBMITTED:
        out += '<p class="note">採点のあとに再提出がありました。得点は、採点済みの前の提出のものです。</p>'
    if grade is not None:
        items = "".join(
            f'<tr data-item="{escape(i.item)}"><td>{escape(i.name)}</td><td><b>{escape(i.label)}</b> '
            f"({_pts(i.points)} / {_pts(i.max_points)} 点)<br>{escape(i.descriptor)}</td>"
            f'<td class="comment">{escape(i.comment) or "—"}</td></tr>'
            for i in grade.items
        )
        out += (
            '<table class="detail rubric"><thead><tr><th>評価項目</th><th>到達した水準</th><th>コメント</th></tr>'
            f"</thead><tbody>{items}</tbody></table>"
            f'<p>全体へのコメント:</p><div class="body overall">{escape(grade.comment) or "—"}</div>'
        )
    return out + "</section>"


def record_reflection_section(
    *,
    user: str,
    own: bool,
    in_team: bool,
    reflection: Reflection | None,
    graded: ReflectionGrade | None,
    scale: Scale | None,
    xsrf: str,
    team_user: str = "",
    body: str | None = None,
    error: str = "",
    info: str = "",
) -> str:
    """振り返り on a member's record: the member writes and submits their own until it is graded, then reads its
    grade; an instructor reads it (and grades it on the team's page)."""
    out = ['<section class="reflection" id="reflection"><h2>振り返り</h2>']
    if info and graded is None:
        out.append(message(info))
    if error:
        out.append(message(error, error=True))
    if scale and scale.prompt and own and graded is None:
        out.append(f"<p>{escape(scale.prompt)}</p>")
    if reflection is not None:
        out.append(f'<p class="note">提出 {escape(glance.full_time(reflection.submitted_at))}</p>')
    if graded is not None:
        out.append(
            f'<div class="body">{escape(reflection.body if reflection else "")}</div>'
            f'<table class="detail"><tr><th>評価</th><td class="reflection-grade"><b>{escape(graded.label)}</b> '
            f"({_pts(graded.points)} / {_pts(graded.max_points)} 点)<br>{escape(graded.descriptor)}</td></tr>"
            f'<tr><th>コメント</th><td class="comment">{escape(graded.comment) or "—"}</td></tr></table>'
        )
    elif own and in_team:
        text = body if body is not None else (reflection.body if reflection else "")
        button = "振り返りを提出し直す" if reflection else "振り返りを提出する"
        out.append(
            f'<form method="post" action="{REFLECTION_PATH}" class="noprint">{xsrf}'
            f'<input type="hidden" name="user" value="{escape(user)}">'
            f'<p><textarea name="body" rows="8" maxlength="{MAX_REFLECTION}" style="width:100%;max-width:50em">'
            f'{escape(text)}</textarea></p><p><button type="submit">{button}</button> '
            f'<span class="note">評価されるまでは何度でも書き直せます ({MAX_REFLECTION} 文字まで)。</span></p></form>'
        )
    elif reflection is not None:
        out.append(f'<div class="body">{escape(reflection.body)}</div><p>評価: まだ評価していません。')
        if team_user:
            out.append(
                f' <a class="noprint" href="{escape(grade_url(team_user))}#r-{escape(user)}">'
                "班の採点ページで評価する</a>"
            )
        out.append("</p>")
    elif not in_team:
        out.append("<p>班に入っていないため、振り返りはありません。</p>")
    else:
        out.append("<p>まだ提出していません。</p>")
    return "".join(out) + "</section>"


RECORD_CSS = (
    ".body{white-space:pre-wrap;border-left:5px solid #3a6ea5;background:#f2f7fc;padding:.5em 1em;margin:.4em 0;"
    "max-width:60em}.comment{white-space:pre-wrap}section.team,section.reflection{margin-top:1em}"
    "table.rubric{margin-top:.6em}table.rubric td{max-width:28em}"
    ".msg{border:2px solid #2a7a3b;background:#f1faf3;padding:.4em 1em;margin:.5em 0;max-width:60em}"
    ".err{border:2px solid #b3261e;background:#fde2e1;padding:.4em 1em;margin:.5em 0;max-width:60em}"
)

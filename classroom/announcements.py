"""Announcements (お知らせ) to the whole class or one 期: who sees which, and how they are shown (pure).

Shown escaped everywhere (HTML typed into one reads as text): on the console, in a small embeddable list the
hub's home page frames, and as an Atom feed that JupyterLab's news notifications read (``LabApp.news_url``).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from xml.sax.saxutils import escape as xml_escape

from classroom.console_html import japan_time, message, nav, shell
from classroom.help import BadRequest
from classroom.store import Announcement

MAX_BODY = 2000
EVERYONE = ""  # the audience of an announcement to the whole class

EMPTY = "お知らせの本文を入力してください。"
TOO_LONG = f"お知らせが長すぎます ({MAX_BODY} 文字まで)。"
UNKNOWN_COHORT = "その期はこのコースの名簿にありません。宛先を選び直してください。"


def check(body: str, cohort: str, cohorts: list[str]) -> tuple[str, str]:
    """The body and audience as stored; BadRequest (Japanese) for an empty or too long body or an unknown 期."""
    text = (body or "").strip().replace("\r\n", "\n")
    if not text:
        raise BadRequest(EMPTY)
    if len(text) > MAX_BODY:
        raise BadRequest(TOO_LONG)
    cohort = (cohort or "").strip()
    if cohort and cohort not in cohorts:
        raise BadRequest(UNKNOWN_COHORT)
    return text, cohort


def audience(cohort: str) -> str:
    return f"{cohort} の皆さんへ" if cohort else "全員へ"


def item(a: Announcement, xsrf: str = "") -> str:
    """One announcement as HTML: the body escaped (line breaks kept by CSS), then when and to whom; with ``xsrf``
    (an instructor's list) a button that withdraws it."""
    withdraw = (
        f'<form method="post" action="announcements/{a.id}/delete" class="inline withdraw">{xsrf}'
        '<button type="submit">取り下げる</button></form>'
        if xsrf
        else ""
    )
    return (
        f'<div class="ann" data-announcement="{a.id}">{escape(a.body)}'
        f'<div class="meta">{japan_time(a.posted_at)} ・ {escape(audience(a.cohort))} ・ {escape(a.author)}'
        f"{' ・ ' + withdraw if withdraw else ''}</div></div>"
    )


def listing(items: list[Announcement], limit: int | None = None, xsrf: str = "") -> str:
    shown = items[:limit] if limit else items
    return "".join(item(a, xsrf) for a in shown) if shown else '<p class="note">お知らせはまだありません。</p>'


def _form(xsrf: str, cohorts: list[str], body: str, chosen: str) -> str:
    options = [f'<option value="">{escape(audience(EVERYONE))}</option>']
    options += [
        f'<option value="{escape(c)}"{" selected" if c == chosen else ""}>{escape(audience(c))}</option>'
        for c in cohorts
    ]
    return f"""<form method="post" action="announcements">{xsrf}
<p><label>宛先<br><select name="cohort">{"".join(options)}</select></label></p>
<p><label>本文<br><textarea name="body" rows="4" maxlength="{MAX_BODY}">{escape(body)}</textarea></label></p>
<p><button type="submit">お知らせを送る</button></p></form>"""


def page(
    *,
    course: str,
    items: list[Announcement],
    instructor: bool,
    cohorts: list[str],
    xsrf: str,
    body: str = "",
    chosen: str = "",
    info: str = "",
    error: str = "",
) -> str:
    """The console's お知らせ page: instructors post and see every announcement; trainees see theirs."""
    form = _form(xsrf, cohorts, body, chosen) if instructor else ""
    text = (
        f"<h1>お知らせ: コース {escape(course)}</h1>{nav()}"
        f"{message(error, error=True) if error else ''}{message(info) if info else ''}"
        + (
            f"<h2>新しいお知らせ</h2>{form}<h2>これまでのお知らせ</h2>"
            '<p class="note">「取り下げる」を押すと、そのお知らせは研修生の画面 (ハブのホーム、JupyterLab、この一覧)'
            " から消えます。</p>"
            if instructor
            else ""
        )
        + listing(items, xsrf=xsrf if instructor else "")
    )
    return shell(f"お知らせ ({course})", text)


def embed(course: str, items: list[Announcement], console_url: str) -> str:
    """The few latest announcements, for the hub's home page to frame (same origin)."""
    more = f'<p class="note"><a href="{escape(console_url)}announcements" target="_top">すべてのお知らせ</a></p>'
    return shell(f"お知らせ ({course})", f"{listing(items, limit=3)}{more}")


def atom(course: str, items: list[Announcement], feed_url: str, console_url: str, now: datetime) -> str:
    """An Atom feed of the announcements one trainee sees (JupyterLab shows each entry as a notification)."""
    updated = max((a.posted_at for a in items), default=now).isoformat(timespec="seconds")
    entries = []
    for a in items[:20]:
        first, _, rest = a.body.partition("\n")
        title = f"お知らせ ({japan_time(a.posted_at)}): {first}"
        at = a.posted_at.isoformat(timespec="seconds")
        entries.append(
            f"<entry><id>urn:testbed:{xml_escape(course)}:announcement:{a.id}</id>"
            f"<title>{xml_escape(title)}</title><updated>{at}</updated><published>{at}</published>"
            f"<summary>{xml_escape(rest.strip())}</summary>"
            f'<link rel="alternate" href="{xml_escape(console_url)}announcements"/></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{xml_escape(feed_url)}</id><title>お知らせ ({xml_escape(course)})</title><updated>{updated}</updated>"
        f"{''.join(entries)}</feed>\n"
    )

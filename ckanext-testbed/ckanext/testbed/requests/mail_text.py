"""The Japanese text of a notification mail: subject and plain-text body, from plain values (no CKAN here).

Everything a user typed (titles, names, comments) reaches a header only through ``one_line``: line breaks and
other control or format characters become spaces, so a title with a newline cannot add a header; a name in an
address header also loses the characters that delimit addresses (``header_name``). The body is
``text/plain``: HTML in a title or comment is shown as typed, never interpreted.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from . import messages

JST = dt.timezone(dt.timedelta(hours=9), "JST")
WEEKDAYS = "月火水木金土日"
SUBJECT_TITLE_MAX = 60  # characters of the request's title in a subject line
COMMENT_MAX = 2000  # characters of a comment quoted in a mail (the rest is on the page)


def one_line(text: str | None) -> str:
    """``text`` as one line: line breaks, tabs and other control/format characters (Cc, Cf, Zl, Zp) → spaces."""
    out = []
    for char in text or "":
        out.append(" " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char)
    return " ".join("".join(out).split())


_ADDRESS_SPECIALS = str.maketrans('@<>,;:"\\()[]', "＠＜＞，；：＂＼（）［］")


def header_name(text: str | None) -> str:
    """A display name for From/To: one line, and the characters that delimit addresses (``@ < > , ; : " ( ) [ ]``)
    as their full-width forms, so that ``調整 Bcc: x@example.com`` cannot pass for another address."""
    return one_line(text).translate(_ADDRESS_SPECIALS)


def plain_block(text: str | None, limit: int = COMMENT_MAX) -> str:
    """A user's multi-line text for the body: its lines kept, other control characters dropped, cut at ``limit``."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    kept = kept.strip()
    if len(kept) > limit:
        kept = kept[:limit].rstrip() + "…(続きは要望のページで)"
    return kept


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def jst_time(when: dt.datetime) -> str:
    """``2026年12月7日(月) 18:05`` in Japan time; a naive value is UTC (as CKAN stores times)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日({WEEKDAYS[local.weekday()]}) {local:%H:%M}"


def subject(kind: str, *, title: str, site_title: str, resolution: str = "") -> str:
    """One header-safe line, e.g. ``[カタログ] 要望にコメントがありました: 避難場所の…``."""
    words = messages.MAIL_SUBJECTS[kind].format(resolution=resolution)
    return one_line(f"[{site_title}] {words}: {shorten(one_line(title), SUBJECT_TITLE_MAX)}")


def body(
    kind: str,
    *,
    recipient: str,
    title: str,
    actor: str,
    when: dt.datetime,
    link: str,
    settings_link: str,
    site_title: str,
    details: list[tuple[str, str]] = (),
    quote: str = "",
    quote_label: str = messages.MAIL_QUOTE_LABEL,
) -> str:
    """The plain-text body: greeting, what happened and who did it, when (Japan time), details, a quoted comment
    or closing note, the link to the request and the one to the mail settings."""
    lines = [
        messages.MAIL_GREETING.format(name=one_line(recipient)),
        "",
        messages.MAIL_EVENTS[kind].format(actor=one_line(actor)),
        "",
        f"  要望: {one_line(title)}",
        f"  日時: {jst_time(when)} (日本時間)",
    ]
    lines += [f"  {label}: {one_line(value)}" for label, value in details if value]
    if quote:
        lines += ["", quote_label]
        lines += [f"  {line}" if line else "" for line in plain_block(quote).split("\n")]
    lines += ["", messages.MAIL_LINK_LABEL, link, "", "-- ", messages.MAIL_FOOTER.format(site=one_line(site_title))]
    lines += [settings_link, ""]
    return "\n".join(lines)

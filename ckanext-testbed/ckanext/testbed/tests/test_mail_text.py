"""The Japanese text of data-request mails (``requests/mail_text.py``), without CKAN."""

from __future__ import annotations

import datetime as dt

import pytest
from ckanext.testbed.requests import mail_text

pytestmark = pytest.mark.unit


def test_does_one_line_turn_every_line_break_and_control_character_into_a_space():
    """Do CR, LF, tab, U+2028/2029, NUL and bidi controls become single spaces, text kept?"""
    assert mail_text.one_line("避難所\r\nBcc: x@example.com\u2028X\u2029Y\tZ\x00W\u202eV  ") == (
        "避難所 Bcc: x@example.com X Y Z W V"
    )


def test_does_a_display_name_lose_what_would_make_it_an_address():
    """Does a name with @, <, >, comma, colon become full-width, so that no header parser sees a second address?"""
    assert mail_text.header_name('調整\nBcc: "v" <v@example.com>, w') == "調整 Bcc： ＂v＂ ＜v＠example.com＞， w"


def test_is_the_time_japan_time_with_the_weekday():
    """Is 2026-12-07 09:05 UTC written 2026年12月7日(月) 18:05, and a naive value taken as UTC?"""
    utc = dt.datetime(2026, 12, 7, 9, 5, tzinfo=dt.UTC)
    assert mail_text.jst_time(utc) == "2026年12月7日(月) 18:05"
    assert mail_text.jst_time(utc.replace(tzinfo=None)) == "2026年12月7日(月) 18:05"
    assert mail_text.jst_time(dt.datetime(2026, 12, 31, 15, 30)) == "2027年1月1日(金) 00:30"


def test_is_a_long_title_shortened_in_the_subject_and_kept_whole_in_the_body():
    title = "あ" * 100
    subject = mail_text.subject("created", title=title, site_title="カタログ")
    assert subject == f"[カタログ] 新しい要望が届きました: {'あ' * 59}…"
    body = mail_text.body(
        "created",
        recipient="調整 一郎",
        title=title,
        actor="山田 さん",
        when=dt.datetime(2026, 12, 7, 9, 5),
        link="http://x/data-request/1",
        settings_link="http://x/data-request/mail-settings",
        site_title="カタログ",
    )
    assert f"要望: {title}" in body


def test_is_a_quoted_comment_indented_line_by_line_and_cut_when_very_long():
    """Are a comment's lines kept and indented, control characters dropped, and a very long one cut with a note?"""
    body = mail_text.body(
        "commented",
        recipient="山田",
        title="t",
        actor="佐藤 さん",
        when=dt.datetime(2026, 12, 7, 9, 5),
        link="L",
        settings_link="S",
        site_title="カタログ",
        quote="一行目\r\n\x1b[31m二行目<b>",
    )
    assert "コメント:\n  一行目\n  [31m二行目<b>\n" in body
    assert mail_text.plain_block("あ" * 3000).endswith("…(続きは要望のページで)")

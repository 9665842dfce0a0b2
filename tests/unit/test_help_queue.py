"""The help queue (手を挙げる) and announcements (お知らせ) without a hub: storage, path rules, escaping, the feed,
and the JupyterLab menu entry."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from classroom import announcements, help
from classroom.store import CANCELLED, DONE, OPEN, Store
from testbed_cli import lab_console
from testbed_config import StackConfig

pytestmark = pytest.mark.unit

T0 = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)  # 09:30 in Japan


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "console.sqlite")


def test_are_times_stored_in_utc_and_shown_in_japan_time(store, tmp_path):
    """Is a request stored as UTC text, and does the trainee's page show it in Japan time?"""
    r = store.raise_hand("yamada", "エラー", "odtb/01/01.ipynb", at=T0)
    import sqlite3

    raw = sqlite3.connect(tmp_path / "console.sqlite").execute("SELECT raised_at FROM help_requests").fetchone()[0]
    assert raw == "2026-12-07T00:30:00+00:00"
    html = help.trainee_page(
        course="odtb", viewer="yamada", mine=[r], notebooks=[], xsrf="", now=T0 + timedelta(minutes=3)
    )
    assert "12月7日 09:30" in html and "3 分 待ち" in html
    assert (tmp_path / "console.sqlite").stat().st_mode & 0o077 == 0


def test_does_the_queue_list_open_requests_oldest_first_and_close_each_once(store):
    """Are open requests in the order raised, and is a closed request not closed again?"""
    a = store.raise_hand("a", "", "", at=T0 + timedelta(minutes=2))
    b = store.raise_hand("b", "", "", at=T0)
    assert [r.username for r in store.help_requests(open_only=True)] == ["b", "a"]
    assert store.close_help(b.id, DONE, "teacher") is True
    assert store.close_help(b.id, CANCELLED, "b") is False
    assert [r.id for r in store.help_requests(open_only=True)] == [a.id]
    assert store.help_request(b.id).state == DONE and store.help_request(a.id).state == OPEN
    assert [r.id for r in store.help_requests(username="b")] == [b.id]
    assert store.forget_user("a") == 1


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "../other/x.ipynb", "odtb/../../x.ipynb", "~/x.ipynb", "~other/x", "a\\..\\b", "a\x00b", "..", "."],
)
def test_is_a_notebook_path_outside_the_home_refused_in_japanese(path):
    """Is a path that is absolute, climbs out with '..', or uses '~' refused with a Japanese message?"""
    with pytest.raises(help.BadRequest) as e:
        help.check_notebook(path)
    assert "ホームフォルダー" in str(e.value)


def test_is_a_relative_notebook_path_kept_normalised():
    assert help.check_notebook(" odtb/01_kadai//01_kadai.ipynb ") == "odtb/01_kadai/01_kadai.ipynb"
    assert help.check_notebook("") == ""


def test_does_the_instructor_open_the_trainees_notebook_in_their_jupyterlab():
    assert help.notebook_url("/", "yamada", "odtb/01 課題/a.ipynb") == (
        "/user/yamada/lab/tree/odtb/01%20%E8%AA%B2%E9%A1%8C/a.ipynb"
    )
    assert help.notebook_url("/", "yamada", "") == "/user/yamada/lab"


def test_is_html_in_an_announcement_shown_as_text(store):
    """Does an announcement with a script tag render escaped on the page, in the embed and in the feed?"""
    body, cohort = announcements.check("<script>alert(1)</script>\n<b>太字</b>", "1期", ["1期", "2期"])
    a = store.announce("teacher", body, cohort, at=T0)
    page = announcements.page(course="odtb", items=[a], instructor=False, cohorts=[], xsrf="")
    embed = announcements.embed("odtb", [a], "/services/progress-odtb/")
    for html in (page, embed):
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "1期 の皆さんへ" in html and "12月7日 09:30" in html
    feed = ET.fromstring(announcements.atom("odtb", [a], "urn:x", "/services/progress-odtb/", T0))
    title = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title").text
    assert title.endswith("<script>alert(1)</script>")  # text for JupyterLab's notification (shown as text)


def test_who_sees_which_announcement(store):
    """Does a trainee see the class's and their own 期's announcements, not another 期's?"""
    store.announce("t", "全員", "", at=T0)
    store.announce("t", "1期だけ", "1期", at=T0 + timedelta(seconds=1))
    store.announce("t", "2期だけ", "2期", at=T0 + timedelta(seconds=2))
    assert [a.body for a in store.announcements(cohort="1期")] == ["1期だけ", "全員"]
    assert [a.body for a in store.announcements(cohort="")] == ["全員"]
    assert len(store.announcements()) == 3


@pytest.mark.parametrize(
    ("body", "cohort", "message"),
    [
        ("  ", "", announcements.EMPTY),
        ("x" * 2001, "", announcements.TOO_LONG),
        ("x", "9期", announcements.UNKNOWN_COHORT),
    ],
)
def test_is_a_bad_announcement_refused_in_japanese(body, cohort, message):
    with pytest.raises(help.BadRequest, match=re.escape(message)):
        announcements.check(body, cohort, ["1期"])


def test_does_the_jupyterlab_help_menu_open_the_raise_hand_page_beside_other_entries():
    """Is the raise-hand entry added to the ヘルプ menu without dropping entries another part put there?"""
    cfg = StackConfig()
    other = {"id": "jp-mainmenu-help", "items": [{"command": "other:cmd"}]}
    out = lab_console.add_raise_hand_menu({lab_console.MAINMENU: {"menus": [other]}}, cfg)
    items = out[lab_console.MAINMENU]["menus"][0]["items"]
    assert items[0] == {"command": "other:cmd"}
    entry = items[1]
    assert entry["command"] == "help:open" and entry["args"]["newBrowserTab"] is True
    assert entry["args"]["url"] == f"/services/progress-{cfg.courses[0].id}/help"
    text = lab_console.news_config(cfg)
    compile(text, "jupyter_lab_config.py", "exec")
    assert "announcements.atom" in text and "https://" not in text

"""Hover texts that end in a value JupyterLab formats itself, in a trainee's JupyterLab: a file browser item's
(name, size, dates, whether the trainee may write it) and a document tab's (last save, last checkpoint). Are they
Japanese throughout, with no raw ``true``/``false``/``None`` (「書き込み可能: はい」, 「いいえ (読み取り専用)」,
「最後のチェックポイント: まだありません」: testbed_cli/lab_literals_ja.py), the status bar's language of a text file
(「プレーンテキスト」, not "none"), and the dates named as the file browser's
columns name them (作成日時, 最終更新 rather than the pack's 「修正」: testbed_cli/lab_language_ja_table.py)?

Headless Chromium does not paint a native tooltip, so the screenshot (``lab-file-tooltip.png``) shows the hovered
item's hover text drawn beside it by the test, as the tooltip would show it."""

from __future__ import annotations

import os
import pwd
import re
import time

import pytest
import requests
from helpers import ui_text
from helpers.progress import cohort_member

pytestmark = pytest.mark.browser

RAW = re.compile(r"\b(true|false|None|null|undefined|NaN)\b")
MEMO, HANDOUT = "メモ.txt", "配布資料.txt"
TEXT = "研修のメモです。\n" * 200  # over 1 KB: the size reads "2.5 KB"

# draws an element's hover text in a box beside it, for the screenshot (a native tooltip is not painted headless)
SHOW_TITLE = """(el) => {
  const r = el.getBoundingClientRect(), box = document.createElement('pre');
  box.className = 'testbed-tooltip-shot';
  box.textContent = el.getAttribute('title');
  Object.assign(box.style, {position: 'fixed', left: (r.left + 40) + 'px', top: (r.bottom + 4) + 'px', zIndex: 10000,
    margin: 0, padding: '4px 8px', background: '#ffffe1', border: '1px solid #767676', font: '13px sans-serif'});
  document.body.appendChild(box);
}"""


def _sign_in(page, hub, user: str, password: str) -> None:
    page.goto(f"{hub.public}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def _stop_server(hub, name: str) -> None:
    hub.request("DELETE", f"/users/{name}/server")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and hub.request("GET", f"/users/{name}").json().get("servers"):
        time.sleep(1)


def _put(hub, name: str, path: str, body: dict) -> None:
    r = requests.put(f"{hub.public}/user/{name}/api/contents/{path}", headers=hub._h(), json=body, timeout=60)
    assert r.status_code in (200, 201), r.text


def _hover_text(page, locator, wanted: str) -> str:
    """The hover text of ``locator`` once it holds ``wanted`` (the lab rewrites it as the listing refreshes)."""
    locator.hover()
    deadline = time.monotonic() + 30
    title = locator.get_attribute("title") or ""
    while wanted not in title and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        title = locator.get_attribute("title") or ""
    return title


def test_are_file_and_tab_hover_texts_japanese_without_raw_values(page, hub, layout, stack_config, unique, screenshots):
    """Does hovering a file in the trainee's file browser show 名前/サイズ/作成日時/最終更新/書き込み可能 with はい (or
    いいえ for a read-only handout) and no true/false/None, and the opened file's tab 「最後のチェックポイント: まだあり
    ません」?"""
    course = stack_config.courses[0].id
    name, password = f"ft{unique()}", "pass-f-" + unique()
    allowed = set(ui_text.ALLOWED) | {"md", "txt", "ipynb"}
    with cohort_member(hub, layout, course, name, "表示 確子", password):
        try:
            _sign_in(page, hub, name, password)
            page.wait_for_url(f"**/user/{name}/lab/**", timeout=120_000)
            page.locator(".jp-DirListing-item").first.wait_for(timeout=120_000)
            for path in (MEMO, HANDOUT):
                _put(hub, name, path, {"type": "file", "format": "text", "content": TEXT})
            handout = os.path.join(pwd.getpwnam(hub.unix_prefix + name).pw_dir, HANDOUT)
            os.chmod(handout, 0o444)  # a handout the trainee may read, not change
            page.reload()  # the listing as the trainee sees it after signing in
            memo = page.locator(".jp-DirListing-item", has_text=MEMO)
            memo.wait_for(timeout=60_000)

            titles = {
                MEMO: _hover_text(page, memo, "書き込み可能: はい"),
                HANDOUT: _hover_text(page, page.locator(".jp-DirListing-item", has_text=HANDOUT), "いいえ"),
            }
            memo.hover()
            page.evaluate(SHOW_TITLE, memo.element_handle())
            page.wait_for_timeout(300)
            page.screenshot(path=str(screenshots / "lab-file-tooltip.png"))
            page.evaluate("document.querySelectorAll('.testbed-tooltip-shot').forEach((b) => b.remove())")

            # the text file, opened in the editor: its tab's hover text before the first checkpoint
            memo.dblclick()
            tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=MEMO)
            tab.wait_for()
            titles["tab"] = _hover_text(page, tab, "最後のチェックポイント")
            page.evaluate(SHOW_TITLE, tab.element_handle())
            page.wait_for_timeout(300)
            page.screenshot(path=str(screenshots / "lab-tab-tooltip.png"))
            # the status bar under the editor names the file's language: 「プレーンテキスト」, not the registry's "none"
            statusbar = page.locator("#jp-main-statusbar")
            statusbar.get_by_text("プレーンテキスト", exact=True).wait_for(timeout=30_000)
            status_text = statusbar.inner_text()
        finally:
            page.close()
            _stop_server(hub, name)

    print("\nhover texts:", *(f"{k}: {v!r}" for k, v in titles.items()), sep="\n  ")
    memo_lines = titles[MEMO].split("\n")
    assert memo_lines[0] == f"名前: {MEMO}" and "書き込み可能: はい" in memo_lines, titles[MEMO]
    assert re.fullmatch(r"サイズ: [\d.]+ KB", memo_lines[1]), titles[MEMO]
    assert re.fullmatch(r"作成日時: \S+ \S+", memo_lines[2]) and re.fullmatch(r"最終更新: \S+ \S+", memo_lines[3])
    assert "書き込み可能: いいえ (読み取り専用)" in titles[HANDOUT].split("\n"), titles[HANDOUT]
    assert "最後のチェックポイント: まだありません" in titles["tab"].split("\n"), titles["tab"]
    print("status bar:", repr(status_text))
    assert ui_text.latin_words(status_text, allowed) == [], status_text
    for where, title in titles.items():
        assert not RAW.search(title), (where, title)
        assert ui_text.latin_words(title, allowed) == [], (where, title)

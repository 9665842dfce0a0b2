"""Two trainees of one team (班) edit the same notebook in their team workspace in two browsers: each sees the other's
typing within seconds, with the other's 氏名 shown as a collaborator; a trainee of another team is refused (403).
Offline: no request leaves the machine."""

from __future__ import annotations

import json
import time
from urllib.parse import quote, urlparse

import pytest
import requests
from helpers.browser import LOCAL_HOSTS
from helpers.teams import teams_of, wait_ready

pytestmark = pytest.mark.browser

VISIBLE_WITHIN = 5  # seconds from one member's keystrokes to the text on the other's screen
NOTEBOOK = "班のメモ.ipynb"


def _context(browser, stack_config):
    """A browser context like the ``page`` fixture's: Japanese, requests leaving the machine recorded."""
    ctx = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    pg.external_requests = []
    local = LOCAL_HOSTS | {stack_config.host}
    ctx.on(
        "request",
        lambda r: (
            pg.external_requests.append(r.url)
            if urlparse(r.url).hostname not in local and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    return pg


def _sign_in(page, hub, user: str, password: str) -> None:
    page.goto(f"{hub.public}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/hub/**", timeout=60_000)


def _open_workspace_notebook(page, hub, ws: str, screenshots, who: str):
    """From the hub's home page, the team button, the hub's one-time permission page, then the notebook."""
    page.goto(f"{hub.public}/hub/home")
    button = page.locator(f"a#team-{ws}")
    assert "班の作業場所を開く" in button.inner_text()
    page.screenshot(path=str(screenshots / f"team-{who}-home.png"))
    button.click()
    page.wait_for_load_state()
    if "/hub/api/oauth2/authorize" in page.url:  # the hub asks once before opening a server that is not one's own
        page.screenshot(path=str(screenshots / f"team-{who}-authorize.png"))
        assert "班の作業場所" in page.inner_text("body")
        page.click("form [type=submit]")
    page.wait_for_url(f"**/user/{ws}/lab**", timeout=120_000)
    if who == "member-a":  # the team's first screen: the workshop kit's guide (courses/workshop)
        page.locator(".jp-RenderedMarkdown h1").first.wait_for(timeout=120_000)
        page.screenshot(path=str(screenshots / "team-workshop-guide.png"))
        assert "班の作業場所" in page.locator(".jp-RenderedMarkdown h1").first.inner_text()
    page.goto(f"{hub.public}/user/{ws}/lab/tree/{quote(NOTEBOOK)}")
    page.locator(".jp-Notebook .jp-Cell .cm-content").first.wait_for(timeout=120_000)


def _notebook() -> dict:
    cell = {"cell_type": "code", "metadata": {}, "source": "# 班のメモ", "outputs": [], "execution_count": None}
    kernel = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    return {"cells": [cell], "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}


def test_two_members_edit_one_notebook_together_and_another_team_is_refused(
    browser, page, hub, layout, stack_config, unique, screenshots
):
    """Does a member's typing in the team's notebook appear on the other member's screen within 5 s, with the
    typist's 氏名 shown as a collaborator, while a trainee of another team gets 403 for the workspace?"""
    course = stack_config.courses[0]
    a, b, c = f"ra{unique()}", f"rb{unique()}", f"rc{unique()}"
    one, two = f"共同{unique()}班", f"他{unique()}班"
    pw = {u: f"pw-{u}-{unique()}" for u in (a, b, c)}
    people = {a: ("共同 一子", pw[a], one), b: ("共同 二子", pw[b], one), c: ("他班 三子", pw[c], two)}
    with teams_of(hub, layout, course.id, people) as made:
        ws = made[one]
        wait_ready(hub, ws)
        r = requests.put(
            f"{hub.public}/user/{ws}/api/contents/{quote(NOTEBOOK)}",
            headers={"Authorization": f"token {hub.token}"},
            data=json.dumps({"type": "notebook", "content": _notebook()}),
            timeout=30,
        )
        assert r.status_code in (200, 201), r.text
        listed = requests.get(f"{hub.public}/user/{ws}/api/contents/", headers=hub._h(), timeout=30).json()
        kit = {"第1回_課題の設定.ipynb", "第4回_仮説と次の一手.ipynb", "サンプル課題.md", "はじめに_班の作業場所.md"}
        assert kit <= {f["name"] for f in listed["content"]}, listed  # the workshop kit, placed on the first start
        other = _context(browser, stack_config)
        stranger = _context(browser, stack_config)
        try:
            _sign_in(page, hub, a, pw[a])
            _sign_in(other, hub, b, pw[b])
            _open_workspace_notebook(page, hub, ws, screenshots, "member-a")
            _open_workspace_notebook(other, hub, ws, screenshots, "member-b")

            # a types into a new cell; b sees it
            words = f"避難所の収容力を調べる{unique()}"
            page.locator(".jp-Notebook .jp-Cell").first.click()
            page.keyboard.press("Escape")
            page.keyboard.press("b")  # a new cell below, in edit mode after Enter
            page.keyboard.press("Enter")
            t0 = time.monotonic()
            page.keyboard.type(words, delay=20)
            typed = time.monotonic()
            other.locator(".jp-Notebook").get_by_text(words).first.wait_for(timeout=VISIBLE_WITHIN * 1000)
            seen = time.monotonic() - typed
            assert seen <= VISIBLE_WITHIN, f"the edit took {seen:.1f}s to reach the teammate (typing {typed - t0:.1f}s)"
            # b sees who typed it: a's 氏名 on the flag of a's cursor (shown while a is active) ...
            page.keyboard.type("。", delay=20)  # a is still typing: the flag on a's cursor stays up
            flag = other.locator(".jp-remote-userFlag-name")
            flag.first.wait_for(state="attached", timeout=VISIBLE_WITHIN * 1000)
            names_on_flags = flag.all_text_contents()
            page.screenshot(path=str(screenshots / "team-member-a-typing.png"))
            other.screenshot(path=str(screenshots / "team-member-b-sees-it.png"))
            assert names_on_flags == ["共同 一子"], names_on_flags

            # ... and in the collaborators' list of the side bar
            other.locator("li[data-id='jp-collaboration-panel']").first.click()
            collaborators = other.locator(".jp-CollaboratorsList")
            collaborators.get_by_text("共同 一子").first.wait_for(timeout=10_000)
            other.screenshot(path=str(screenshots / "team-member-b-collaborators.png"))
            listed = collaborators.inner_text()
            assert a not in listed and c not in listed and "他班 三子" not in listed, listed
            panel = other.locator(".jp-RTCPanel").first.inner_text()
            assert "いま開いている人" in panel and "collaborators" not in panel.lower(), panel

            # a trainee of another team is refused
            _sign_in(stranger, hub, c, pw[c])
            response = stranger.goto(f"{hub.public}/user/{ws}/lab/tree/{quote(NOTEBOOK)}")
            stranger.wait_for_load_state()
            stranger.screenshot(path=str(screenshots / "team-other-team-403.png"))
            assert response.status == 403, (response.status, stranger.url)
            assert "この班の作業場所は、その班の人と講師だけが開けます" in stranger.inner_text("body")
            assert ".jp-Notebook" not in stranger.content()
            assert page.external_requests == [] and other.external_requests == [] and stranger.external_requests == []
        except Exception:
            for pg, who in ((page, "a"), (other, "b"), (stranger, "c")):
                pg.screenshot(path=str(screenshots / f"team-failed-{who}.png"))
            raise
        finally:
            other.context.close()
            stranger.context.close()

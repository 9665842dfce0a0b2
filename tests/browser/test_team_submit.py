"""A member submits the team's deliverable (班の成果物) from the team workspace in a browser: the launcher's tile
「班の成果物を提出」 opens the page, the session notebooks are checked, 「この内容で提出する」 answers 「提出しました」.
Offline: no request leaves the machine."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from helpers.teams import teams_of, wait_ready

from hub_config import teams
from testbed_config.names import TEAM_INBOUND

pytestmark = pytest.mark.browser


def _sign_in(page, hub, user: str, password: str) -> None:
    page.goto(f"{hub.public}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/hub/**", timeout=60_000)


def test_a_member_submits_from_the_launcher_tile(page, hub, layout, stack_config, unique, screenshots):
    """Does a member find 「班の成果物を提出」 in the team workspace's launcher, see the Japanese page with the session
    notebooks checked, submit, and read 「提出しました」 with the submission listed as theirs?"""
    course = stack_config.courses[0].id
    a = f"ta{unique()}"
    team = f"成果{unique()}班"
    pw = f"pw-{a}-{unique()}"
    box = layout.exchange / course / TEAM_INBOUND
    with teams_of(hub, layout, course, {a: ("成果 一子", pw, team)}) as made:
        ws = made[team]
        try:
            wait_ready(hub, ws)
            _sign_in(page, hub, a, pw)
            page.goto(f"{hub.public}/user/{ws}/lab")
            page.wait_for_load_state()
            if "/hub/api/oauth2/authorize" in page.url:  # the hub asks once before opening a shared server
                page.click("form [type=submit]")
            page.wait_for_url(f"**/user/{ws}/lab**", timeout=120_000)
            page.locator(".lm-MenuBar-itemLabel", has_text="ファイル").first.wait_for(timeout=120_000)

            # the launcher (「ファイル」→「新規ランチャー」) has the team's tile
            page.locator(".lm-MenuBar-itemLabel", has_text="ファイル").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="新規ランチャー").first.click()
            page.locator(".lm-TabBar-tab", has_text="ランチャー").last.click()
            tile = page.locator(".jp-LauncherCard", has_text=teams.SUBMIT_TILE)
            tile.wait_for(timeout=60_000)
            icon = tile.locator("img").first  # the tile's icon, served by the server (launcher_links.py)
            icon.wait_for()
            page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=icon.element_handle())
            # the team folder (file browser) holds the session notebooks the page will offer
            page.locator(".jp-DirListing-item", has_text="第4回_仮説と次の一手.ipynb").wait_for(timeout=30_000)
            page.screenshot(path=str(screenshots / "team-submit-launcher.png"))
            with page.context.expect_page() as opened:
                tile.click()
            form = opened.value
            form.wait_for_url(f"**/user/{ws}/{teams.SUBMIT_ROUTE}", timeout=60_000)
            form.wait_for_load_state()
            form.locator("h1").wait_for()
            form.screenshot(path=str(screenshots / "team-submit-page.png"), full_page=True)
            assert form.locator("h1").inner_text() == "班の成果物の提出"
            checked = form.locator("input[type=checkbox][name=file]:checked")
            values = [checked.nth(i).get_attribute("value") for i in range(checked.count())]
            assert sorted(values) == [
                "第1回_課題の設定.ipynb",
                "第2回_データで確かめる.ipynb",
                "第3回_見える化.ipynb",
                "第4回_仮説と次の一手.ipynb",
            ], values
            assert "まだ提出していません" in form.inner_text("body")

            before = {n for n in os.listdir(box) if n.startswith(ws)}
            form.locator("button[type=submit]", has_text="この内容で提出する").click()
            form.get_by_text("提出しました").wait_for(timeout=30_000)
            form.screenshot(path=str(screenshots / "team-submit-done.png"), full_page=True)
            body = form.inner_text("body")
            assert re.search(r"提出しました（\d{4}年\d{1,2}月\d{1,2}日\(.\) \d\d:\d\d）", body), body
            assert f"提出する人: 成果 一子 ({a})" in body  # the roster's 氏名 and the hub user
            assert a in form.locator("table").inner_text()  # the earlier submissions: by whom
            assert len({n for n in os.listdir(box) if n.startswith(ws)} - before) == 1
            assert page.external_requests == [] and form.url.startswith(hub.public)
        except Exception:
            page.screenshot(path=str(screenshots / "team-submit-failed.png"))
            raise
        finally:
            for name in os.listdir(box):
                if ws in name:
                    shutil.rmtree(box / name, ignore_errors=True)

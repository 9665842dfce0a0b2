"""A team deliverable (班の成果物) graded with the workshop's rubric, on the real stack: a member of team A submits from
the team workspace's page, the instructor grades it in the console (a comment holding ``<script>`` is shown as text),
both members of A see the same score, levels and comments on their records, a trainee of team B sees none of it and
gets 403; each A member writes a reflection (振り返り), the instructor grades one, only that member's record shows it;
``./testbed grade export`` carries the same team score for both A members and the reflection score for the one."""

from __future__ import annotations

import base64
import csv
import json
import shutil
import struct
import zlib
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import requests
from helpers.browser import LOCAL_HOSTS
from helpers.console import store as console_store
from helpers.course import run_testbed
from helpers.teams import teams_of, wait_ready

from classroom import rubric
from testbed_config.names import TEAM_INBOUND, classroom_name

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert('xss')</script>"
FIGURE = "班の図.ipynb"
# the levels the instructor picks: 4 + 3 + 3 + 2 + 4 = 16 of 20
PICKS = {"problem": "4", "evidence": "3", "visual": "3", "hypothesis": "2", "next_action": "4"}


def _png(width: int = 120, height: int = 40) -> bytes:
    """A small real PNG (a blue bar on white), as matplotlib would leave in a notebook's output."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(
        b"\x00" + b"".join(b"\x1d\x4f\x91" if 10 < x < 10 + y * 2 else b"\xff\xff\xff" for x in range(width))
        for y in range(height)
    )
    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _figure_notebook() -> dict:
    mark = {"testbed_workshop": {"deliverable": True}}
    md = {
        "cell_type": "markdown",
        "metadata": mark,
        "source": f"## 【班の成果物】この図から言えること\n駅前二丁目には避難場所がない {SCRIPT}",
    }
    out = {"output_type": "display_data", "metadata": {}, "data": {"image/png": base64.b64encode(_png()).decode()}}
    code = {"cell_type": "code", "metadata": mark, "source": "ax.bar(町丁目, 収容率)", "outputs": [out],
            "execution_count": 1}  # fmt: skip
    kernel = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    return {"cells": [md, code], "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}


def _context(browser, stack_config):
    """A browser context like the ``page`` fixture's: Japanese, requests leaving the machine and dialogs recorded."""
    ctx = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    pg.external_requests, pg.dialogs = [], []
    local = LOCAL_HOSTS | {stack_config.host}
    ctx.on(
        "request",
        lambda r: (
            pg.external_requests.append(r.url)
            if urlparse(r.url).hostname not in local and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    return pg


def _sign_in(page, hub, user: str, password: str, next_path: str) -> None:
    page.goto(f"{hub.public}/hub/login?next={quote(next_path)}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    if "/hub/api/oauth2/authorize" in page.url:  # the hub asks once before opening a server shared with the user
        page.click("form [type=submit]")
        page.wait_for_load_state()


def _open_submit(page, hub, ws: str) -> None:
    """The team workspace's submission page, through the hub's one-time permission page when it asks."""
    page.goto(f"{hub.public}/user/{ws}/testbed/team-submit")
    page.wait_for_load_state()
    if "/hub/api/oauth2/authorize" in page.url:
        page.click("form [type=submit]")
    page.wait_for_url(f"**/user/{ws}/testbed/team-submit**")


def _record(page, base: str, user: str, shot: Path):
    page.goto(f"{base}trainee?user={quote(user)}")
    page.locator("section.team").wait_for()
    page.screenshot(path=str(shot), full_page=True)
    return page.locator("section.team")


def test_a_team_grade_reaches_every_member_and_the_export_and_reflections_are_graded_one_by_one(
    browser, page, hub, layout, stack_config, unique, screenshots
):
    """Does a rubric grade of team A's submission show the same score, levels and comments (a <script> as text) on
    both A members' records and in the export, stay hidden from team B (403), and does grading one member's
    reflection show on that member's record only?"""
    course = stack_config.courses[0].id
    base = f"{hub.public}/services/{classroom_name(course)}/"
    the_rubric = rubric.load(REPO / "courses" / "workshop" / "rubric.yaml")
    a1, a2, b1 = f"ga{unique()}", f"gb{unique()}", f"gc{unique()}"
    team_a, team_b = f"採点A{unique()}班", f"採点B{unique()}班"
    pw = {u: f"pw-{u}-{unique()}" for u in (a1, a2, b1)}
    people = {a1: ("採点 一子", pw[a1], team_a), a2: ("採点 二子", pw[a2], team_a), b1: ("他班 三子", pw[b1], team_b)}
    instructor = stack_config.courses[0].instructors[0]
    instructor_pw = (layout.secrets / "instructor-password").read_text().strip()
    store = console_store(layout, course)
    page.dialogs = []  # an alert() would mean a comment ran as script
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    made: dict[str, str] = {}
    pages = []
    try:
        with teams_of(hub, layout, course, people) as made:
            ws = made[team_a]
            wait_ready(hub, ws)
            r = requests.put(
                f"{hub.public}/user/{ws}/api/contents/{quote(FIGURE)}",
                headers={"Authorization": f"token {hub.token}"},
                data=json.dumps({"type": "notebook", "content": _figure_notebook()}),
                timeout=30,
            )
            assert r.status_code in (200, 201), r.text

            # a member of A submits the team's deliverable from the team workspace
            member = _context(browser, stack_config)
            pages.append(member)
            _sign_in(member, hub, a1, pw[a1], f"/user/{ws}/testbed/team-submit")
            member.wait_for_url(f"**/user/{ws}/testbed/team-submit**")
            member.locator(f"input[type=checkbox][name=file][value='{FIGURE}']").check()
            member.screenshot(path=str(screenshots / "team-grading-submit.png"), full_page=True)
            member.locator("button[type=submit]", has_text="この内容で提出する").click()
            member.get_by_text("提出しました").wait_for()

            # the instructor: the console's top bar → 班の成果物 → the team's grading page
            _sign_in(page, hub, instructor, instructor_pw, f"/services/{classroom_name(course)}/")
            page.wait_for_url(f"{base}**")
            page.locator(".bar a", has_text="班の成果物").click()
            row = page.locator(f"tr[data-team='{ws}']")
            row.wait_for()
            assert team_a in row.inner_text() and "未採点" in row.inner_text() and "採点 一子" in row.inner_text()
            page.screenshot(path=str(screenshots / "team-grading-list.png"), full_page=True)
            row.get_by_text("採点する").click()
            page.locator("form.rubric").wait_for()
            assert page.locator(".deliverable img[src^='data:image/png;base64,']").count() == 1
            assert SCRIPT in page.locator(".deliverable").inner_text()  # the submitted cell, as text
            page.screenshot(path=str(screenshots / "team-grading-page.png"), full_page=True)

            # bad input: an item without a level, a level not in the rubric, a comment too long: nothing saved
            form = page.locator("form.rubric")
            first = form.locator("fieldset[data-item='problem'] input[type=radio]").first
            first.evaluate("e => { e.value = '7'; e.checked = true; }")
            form.locator("textarea[name='comment-evidence']").fill("長" * (rubric.MAX_COMMENT + 1))
            form.locator("textarea[name='comment-visual']").fill(f"凡例に単位を {SCRIPT}")
            form.locator("button[type=submit]", has_text="保存").click()
            page.locator(".err").first.wait_for()
            errors = page.locator(".err").first.inner_text()
            assert "「課題の明確さ」に「7」という水準はありません" in errors
            assert (
                "「見える化」の水準を選んでください。" in errors
                and "「データによる確認」のコメントが長すぎます" in errors
            )
            assert page.locator("textarea[name='comment-visual']").input_value() == f"凡例に単位を {SCRIPT}"  # kept
            page.screenshot(path=str(screenshots / "team-grading-errors.png"), full_page=True)
            assert store.latest_team_grade(ws) is None

            # a proper grade
            form = page.locator("form.rubric")
            for item, key in PICKS.items():
                form.locator(f"fieldset[data-item='{item}'] input[type=radio][value='{key}']").check()
            form.locator("textarea[name='comment-evidence']").fill("割合で比べられています。")
            form.locator("textarea[name='overall']").fill("課長への発表までよく仕上げました。\n次は基準値の日付を。")
            form.locator("button[type=submit]", has_text="保存").click()
            page.get_by_text("保存しました").wait_for()
            assert "この提出の得点: 16 / 20 点" in page.locator("#score").inner_text()
            page.screenshot(path=str(screenshots / "team-grading-saved.png"), full_page=True)
            assert page.dialogs == []

            # both members of A: the same section, the same score, levels and comments (the <script> as text)
            other = _context(browser, stack_config)
            pages.append(other)
            _sign_in(other, hub, a2, pw[a2], f"/services/{classroom_name(course)}/")
            sections = {}
            for pg, user in ((member, a1), (other, a2)):
                sec = _record(pg, base, user, screenshots / f"team-grading-record-{'a1' if user == a1 else 'a2'}.png")
                sections[user] = (sec.inner_html(), sec.inner_text())
            assert sections[a1] == sections[a2]
            text = sections[a1][1]
            assert "16 / 20 点" in text and team_a in text and f"凡例に単位を {SCRIPT}" in text
            for item in the_rubric.items:
                level = item.level(PICKS[item.id])
                assert item.name in text and level.label in text and level.descriptor in text
            assert "課長への発表までよく仕上げました。" in text
            assert member.dialogs == [] and other.dialogs == []

            # a resubmission after grading: flagged for the instructor, noted on the records, the grade kept
            _open_submit(other, hub, ws)
            other.locator("button[type=submit]", has_text="この内容で提出する").click()
            other.get_by_text("提出しました").wait_for()
            page.goto(f"{base}teams")
            assert "再提出あり" in page.locator(f"tr[data-team='{ws}']").inner_text()
            assert "16 / 20" in page.locator(f"tr[data-team='{ws}']").inner_text()
            page.screenshot(path=str(screenshots / "team-grading-resubmitted.png"), full_page=True)
            note = _record(member, base, a1, screenshots / "team-grading-record-a1-resubmitted.png").inner_text()
            assert "採点のあとに再提出がありました" in note and "16 / 20 点" in note
            _record(other, base, a2, screenshots / "team-grading-record-a2-resubmitted.png")

            # team B sees none of it
            stranger = _context(browser, stack_config)
            pages.append(stranger)
            _sign_in(stranger, hub, b1, pw[b1], f"/services/{classroom_name(course)}/")
            own = _record(stranger, base, b1, screenshots / "team-grading-other-team.png").inner_text()
            assert team_b in own and "まだ提出していません" in own and "凡例に単位を" not in own and team_a not in own
            for path in (f"trainee?user={a1}", f"team-grade?team={ws}", "teams"):
                resp = stranger.request.get(base + path)
                assert resp.status == 403 and "凡例に単位を" not in resp.text(), path
            token = stranger.locator("section.reflection input[name=_xsrf]").get_attribute("value")
            resp = stranger.request.post(base + "reflection", form={"_xsrf": token, "user": a1, "body": "なりすまし"})
            assert resp.status == 403 and store.reflection(a1) is None

            # each member of A writes a reflection; the instructor grades a1's only
            for pg, user in ((member, a1), (other, a2)):
                pg.locator("section.reflection textarea[name=body]").fill(
                    f"{user} の振り返り: 地図で差が見えた {SCRIPT}"
                )
                pg.locator("section.reflection button[type=submit]").click()
                pg.get_by_text("振り返りを提出しました").wait_for()
            member.screenshot(path=str(screenshots / "team-grading-reflection-sent.png"), full_page=True)
            page.goto(f"{base}team-grade?team={ws}")
            mine = page.locator(f"section#r-{a1}")
            assert SCRIPT in mine.locator(".body").inner_text()
            mine.locator("input[type=radio][value='3']").check()
            mine.locator("textarea[name=comment]").fill("職場で試すことが具体的です。")
            mine.locator("button[type=submit]").click()
            page.get_by_text("振り返りの評価を保存しました").wait_for()
            page.screenshot(path=str(screenshots / "team-grading-reflection-graded.png"), full_page=True)

            member.reload()
            graded = member.locator("section.reflection .reflection-grade").inner_text()
            assert "深く振り返っている" in graded and "3 / 3 点" in graded
            assert "職場で試すことが具体的です。" in member.locator("section.reflection").inner_text()
            assert member.locator("section.reflection textarea[name=body]").count() == 0  # graded: no rewriting
            member.screenshot(path=str(screenshots / "team-grading-reflection-a1.png"), full_page=True)
            other.reload()
            assert other.locator("section.reflection .reflection-grade").count() == 0
            assert "職場で試すことが具体的です。" not in other.locator("section.reflection").inner_text()

            # the grade book
            out = Path(f"/tmp/team-grading-{unique()}.csv")
            try:
                res = run_testbed("grade", "export", "--course", course, "-o", str(out))
                assert res.returncode == 0, res.stdout + res.stderr
                rows = list(csv.reader(out.read_bytes().decode("utf-8-sig").splitlines()))
            finally:
                out.unlink(missing_ok=True)
            head, by_user = rows[0], {r[0]: r for r in rows[1:]}
            team_col, deliverable, reflection = head.index("班"), head.index("班の成果物"), head.index("振り返り")
            assert by_user[a1][team_col] == by_user[a2][team_col] == team_a
            assert float(by_user[a1][deliverable]) == float(by_user[a2][deliverable]) == 16
            assert float(by_user[a1][reflection]) == 3 and by_user[a2][reflection] == "未採点"
            assert by_user[b1][deliverable] == "未提出" and by_user[b1][reflection] == "未提出"
            for pg in (page, *pages):
                assert pg.external_requests == [], pg.external_requests
    except Exception:
        for n, pg in enumerate((page, *pages)):
            pg.screenshot(path=str(screenshots / f"team-grading-failed-{n}.png"))
        raise
    finally:
        for pg in pages:
            pg.context.close()
        for team_user in made.values():
            store.forget_team(team_user)
            for folder in (layout.exchange / course / TEAM_INBOUND).glob(f"{team_user}+*"):
                shutil.rmtree(folder, ignore_errors=True)
        for user in (a1, a2, b1):
            store.forget_user(user)

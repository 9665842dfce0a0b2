"""nbgrader's screens in a trainee's JupyterLab, in Japanese: the Assignment List (課題の一覧) opened from the
menu, receiving an assignment, checking a notebook from the list and from the notebook's toolbar, and
submitting it; every label, button, message and dialog read on the way is Japanese, and the submission
time is Japan time. Screenshots: ``assignment-list-*.png``."""

from __future__ import annotations

import re

import pytest
from helpers.course import enrol, live_assignment, run_testbed
from helpers.progress import cohort_member

pytestmark = pytest.mark.browser

KADAI = "kadai_00_hajimeni"
# Latin words a Japanese screen may show: names of products and formats, and the dialogs' OK button
ALLOWED = {"JupyterLab", "CSV", "ID", "OK", "nbgrader", "CKAN", "URL", "API"}
PANEL = "#nbgrader-assignment-list"


def _sign_in(page, hub, user: str, password: str) -> None:
    page.goto(f"{hub.public}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def _latin(text: str, ids: list[str]) -> list[str]:
    """Latin words of ``text`` outside the allow-list, once course, assignment and notebook ids are removed."""
    for name in sorted(ids, key=len, reverse=True):
        text = text.replace(name, "")
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9_.-]*", text) if w not in ALLOWED]


def _listed_ids(panel) -> list[str]:
    """Assignment and notebook ids in the list (other tests' live assignments may be listed too)."""
    return panel.evaluate(
        """n => [...n.querySelectorAll('.list_container > .list_item > .col-md-12 > .item_name > :first-child,'
                                       + ' .nested_list_item .item_name > a[href="#"]')].map(e => e.innerText)"""
    )


def _screen_text(locator) -> str:
    """What a person reads in ``locator``: its visible text and the tooltips of its elements."""
    titles = locator.evaluate(
        "n => [...n.querySelectorAll('[title]')].filter(e => e.checkVisibility()).map(e => e.title).join('\\n')"
    )
    return locator.inner_text() + "\n" + titles


def _dialog_text(dialog) -> str:
    """A results dialog's own words: title, messages and buttons (cell sources and errors are <pre>)."""
    return dialog.evaluate(
        """d => { const c = d.cloneNode(true); c.querySelectorAll('pre').forEach(p => p.remove());
                  return c.innerText; }"""
    )


def _let_the_guide_open(page) -> None:
    """The course guide (はじめに) opens itself on a first start: let it, so it does not take the focus later."""
    try:
        page.locator(".lm-TabBar-tab", has_text="はじめに").first.wait_for(timeout=20_000)
    except Exception:  # noqa: BLE001 - no guide on this stack: nothing to wait for
        pass


def _check_dialog(page, ids: list[str], screenshots, name: str) -> str:
    dialog = page.locator(".jp-Dialog-content")
    dialog.wait_for(timeout=180_000)
    page.screenshot(path=str(screenshots / f"assignment-list-{name}.png"))
    own = _dialog_text(dialog)
    assert "チェックの結果" in own, own
    assert _latin(own, ids) == [], own
    errors = dialog.locator(".jp-RenderedText pre").all_inner_texts()[1::2]  # source, error, source, error…
    assert errors and all(e.startswith("不合格") for e in errors), errors  # why, in Japanese; no traceback
    dialog.get_by_role("button", name="OK").click()
    dialog.wait_for(state="detached")
    return own


def test_trainee_fetches_checks_and_submits_in_japanese(page, hub, layout, stack_config, unique, screenshots):
    """Does a trainee open 課題の一覧 from the 課題 menu, receive an assignment, check a notebook from the list
    and from the notebook's toolbar, and submit it, reading only Japanese (and Japan time) on every screen?"""
    course = stack_config.courses[0]
    name, password = f"alja{unique()}", "pass-al-" + unique()
    with (
        cohort_member(hub, layout, course.id, name, "一覧 研修子", password),
        live_assignment(layout, "00_hajimeni", f"alja_{unique()}") as (_, assignment),
    ):
        res = run_testbed("course", "release", assignment, "--course", course.id)
        assert res.returncode == 0, res.stdout + res.stderr
        enrol(hub, course.id, name)
        ids = [course.id, assignment, KADAI, "kyozai_00_hajimeni", "kyozai", "kadai"]
        try:
            _sign_in(page, hub, name, password)
            page.wait_for_url("**/lab**", timeout=120_000)
            page.get_by_text("ファイル", exact=True).first.wait_for(timeout=120_000)
            _let_the_guide_open(page)

            # the menu: 課題 > 課題の一覧
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^課題$")).click()
            menu = page.locator(".lm-Menu").last
            menu.wait_for()
            page.screenshot(path=str(screenshots / "assignment-list-menu.png"))
            assert _latin(menu.inner_text(), ids) == [], menu.inner_text()
            menu.locator(".lm-Menu-itemLabel", has_text="課題の一覧").click()

            panel = page.locator(PANEL)
            released = panel.locator("#released_assignments_list .list_item", has_text=assignment)
            released.wait_for(timeout=120_000)
            assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text="課題の一覧").is_visible()
            page.screenshot(path=str(screenshots / "assignment-list-released.png"))
            text = _screen_text(panel)
            for label in ("配布された課題", "受け取った課題", "提出した課題", "コースの課題", "受け取る"):
                assert label in text, text
            assert _latin(text, ids + _listed_ids(panel)) == [], text

            # 受け取る (Fetch)
            released.get_by_role("button", name="受け取る").click()
            fetched = panel.locator("#fetched_assignments_list > .list_item", has_text=assignment)
            fetched.wait_for(timeout=120_000)
            fetched.locator("a.assignment-notebooks-link").click()  # opens the list of its notebooks
            kadai = panel.locator("#fetched_assignments_list .nested_list_item", has_text=KADAI)
            kadai.wait_for()
            page.screenshot(path=str(screenshots / "assignment-list-fetched.png"))
            text = _screen_text(panel)
            assert "提出する" in text and "チェック" in text, text
            assert _latin(text, ids + _listed_ids(panel)) == [], text

            # チェック (Validate) from the list: the blank assignment fails its self-checks, said in Japanese
            kadai.get_by_role("button", name="チェック").click()
            own = _check_dialog(page, ids, screenshots, "validate-dialog")
            assert "次のセルのテストに合格しませんでした" in own

            # チェック from the notebook's toolbar
            kadai.locator("a", has_text=KADAI).click()
            toolbar = page.locator(".jp-NotebookPanel:visible .jp-Toolbar").first
            button = toolbar.locator(".validate-button")
            button.wait_for(timeout=60_000)
            assert button.inner_text().strip() == "チェック"
            tooltip = button.evaluate("b => b.closest('[title]')?.title || b.querySelector('[title]')?.title")
            assert tooltip.startswith("提出の前に"), tooltip
            page.screenshot(path=str(screenshots / "assignment-list-notebook-toolbar.png"))
            button.click()
            _check_dialog(page, ids, screenshots, "toolbar-validate-dialog")

            # 提出する (Submit) from the list
            page.locator(".lm-TabBar-tab", has_text="課題の一覧").click()
            fetched.get_by_role("button", name="提出する").click()
            submitted = panel.locator("#submitted_assignments_list > .list_item", has_text=assignment)
            submitted.wait_for(timeout=120_000)
            stamp = submitted.locator(".nested_list_item .item_name").first.inner_text()
            assert re.match(r"^\d{4}年\d{1,2}月\d{1,2}日\(.\) \d\d:\d\d:\d\d", stamp), stamp  # Japan time
            page.screenshot(path=str(screenshots / "assignment-list-submitted.png"))
            text = _screen_text(panel)
            assert "フィードバックを受け取る" in text, text
            assert _latin(text, ids + _listed_ids(panel)) == [], text
            assert page.external_requests == []
        finally:
            page.screenshot(path=str(screenshots / "assignment-list-last.png"))  # where it ended (or failed)
            hub.request("DELETE", f"/users/{name}/server")

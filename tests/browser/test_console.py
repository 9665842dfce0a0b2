"""The instructor's console (研修コンソール) in a real browser: reached from JupyterLab's 研修 menu and the hub's home
page; a class of 40 trainees x 8 assignments fits a 1366 px screen without wrapped names, most behind first; a
trainee sees only their own row and gets 403 for anyone else's page and the instructor's views."""

from __future__ import annotations

import contextlib
import secrets

import pytest
from helpers.gradebook import graded
from helpers.progress import cohort_member, released, submission

pytestmark = pytest.mark.browser

TRAINEES, ASSIGNMENTS = 40, 8
BEHIND = 23  # the one trainee with no pass at all
FAMILY = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 長谷川".split()
GIVEN = "太郎 花子 一郎 美咲 健太 左衛門之助 結衣 翔".split()
DEPTS = ["企画政策課", "デジタル推進課", "税務課", "市民課", "都市計画課"]


def _sign_in(page, hub, user: str, password: str, next_url: str = "") -> None:
    page.goto(f"{hub.public}/hub/login" + (f"?next={next_url}" if next_url else ""))
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def _instructor(layout, stack_config) -> tuple[str, str]:
    return stack_config.courses[0].instructors[0], (layout.secrets / "instructor-password").read_text().strip()


@pytest.fixture(scope="module")
def class_of_40(hub, layout, stack_config):
    """40 roster trainees x 8 released assignments: graded passes and fails, and ungraded submissions; all
    removed afterwards. Trainee ``BEHIND`` has no pass; every other trainee passes 1 to 8."""
    course = stack_config.courses[0].id
    run = secrets.token_hex(3)
    names = [f"cb{run}{i:02d}" for i in range(TRAINEES)]
    assignments = [f"k{run}{j}" for j in range(ASSIGNMENTS)]
    with contextlib.ExitStack() as stack:
        for a in assignments:
            stack.enter_context(released(layout, course, a))
        for i, user in enumerate(names):
            fullname = f"{FAMILY[i % 10]} {GIVEN[i % 8]}" if i != 7 else "長谷川 左衛門之助<i>三郎</i>"
            stack.enter_context(
                cohort_member(hub, layout, course, user, fullname, f"pass-{run}-{i}", cohort=f"第{1 + i % 2}期")
            )
            passes = 0 if i == BEHIND else 1 + i % ASSIGNMENTS
            scores = {a: (5.0, 5.0) for a in assignments[:passes]}
            if i == BEHIND:
                scores = {assignments[0]: (1.0, 5.0), assignments[1]: (2.0, 5.0)}
            elif passes < ASSIGNMENTS:
                scores[assignments[passes]] = (2.0, 5.0)  # one fail after the passes
            stack.enter_context(graded(layout, course, user, scores, timestamp="2026-12-06 09:47:00.000000"))
            if passes + 1 < ASSIGNMENTS and i != BEHIND:
                stack.enter_context(submission(layout, course, user, assignments[passes + 1]))  # waits for grading
        yield course, names, assignments


def test_instructor_opens_the_console_from_jupyterlab_and_the_hub_home(page, hub, layout, stack_config, screenshots):
    """Does the instructor reach the console from JupyterLab's 研修 menu (new tab) and from the hub's home page?"""
    user, password = _instructor(layout, stack_config)
    course = stack_config.courses[0].id
    try:
        _sign_in(page, hub, user, password)
        page.wait_for_url("**/lab**", timeout=120_000)
        page.get_by_text("ファイル", exact=True).first.wait_for(timeout=120_000)
        page.screenshot(path=str(screenshots / "console-lab.png"))
        page.locator(".lm-MenuBar-itemLabel", has_text="研修").first.click()
        item = page.locator(".lm-Menu-itemLabel", has_text="研修コンソール (進捗)")
        item.wait_for()
        page.screenshot(path=str(screenshots / "console-lab-menu.png"))
        with page.context.expect_page() as opened:
            item.click()
        console = opened.value
        console.wait_for_url(f"**/services/progress-{course}/**")
        console.locator("h1").wait_for()
        assert console.locator("h1").inner_text().startswith("研修コンソール")
        console.close()

        page.goto(f"{hub.public}/hub/home")
        link = page.locator(f"#console-{course}")
        assert "研修コンソール" in link.inner_text()
        page.screenshot(path=str(screenshots / "console-hub-home.png"))
        link.click()
        page.wait_for_url(f"**/services/progress-{course}/**")
        assert page.locator("h1").inner_text().startswith("研修コンソール")
        assert page.external_requests == []
    finally:
        hub.request("DELETE", f"/users/{user}/server")


def test_forty_trainees_fit_1366px_without_wrapped_names_most_behind_first(
    page, hub, layout, stack_config, class_of_40, screenshots
):
    """At 1366 x 768, does the board of 40 x 8 fit the width, keep every name on one line, and put the trainee
    with the fewest passes first?"""
    course, names, assignments = class_of_40
    page.set_viewport_size({"width": 1366, "height": 768})
    _sign_in(page, hub, *_instructor(layout, stack_config), f"/services/progress-{course}/?sort=behind")
    page.wait_for_url(f"**/services/progress-{course}/**")
    page.locator(f"tr[data-user='{names[-1]}']").wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "console-board-40x8.png"))
    ours = [u for u in page.locator("tbody tr[data-user]").evaluate_all("rs => rs.map(r => r.dataset.user)")]
    ours = [u for u in ours if u in names]
    assert len(ours) == TRAINEES and ours[0] == names[BEHIND]
    for a in assignments:
        assert a in page.locator("thead").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"the board is {width} px wide"
    lines = page.locator("tbody td.nm").evaluate_all(
        """cells => cells.map(td => {
            const s = getComputedStyle(td), text = td.querySelector('.nmt');
            const inner = td.getBoundingClientRect().height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)
                          - parseFloat(s.borderTopWidth) - parseFloat(s.borderBottomWidth);
            const tops = new Set([...text.getClientRects()].map(r => Math.round(r.top)));  // one per line
            return [td.innerText, inner, parseFloat(s.lineHeight), tops.size];
        })"""
    )
    for text, inner, line_height, lines_of_text in lines:
        assert lines_of_text == 1 and abs(inner - line_height) < 1.5, f"{text!r}: {inner} px (a line: {line_height})"
    assert "長谷川 左衛門之助<i>三郎</i>" in page.locator(f"tr[data-user='{names[7]}']").inner_text()  # shown as typed
    row = page.locator(f"tr[data-user='{names[BEHIND]}']").inner_text()
    assert "× 1/5" in row and "不合格" in row
    assert page.external_requests == []

    page.goto(f"{hub.public}/services/progress-{course}/print")
    page.screenshot(path=str(screenshots / "console-print.png"))
    page.emulate_media(media="print")
    page.screenshot(path=str(screenshots / "console-print-media.png"))
    page.emulate_media(media="screen")
    page.goto(f"{hub.public}/services/progress-{course}/trainee?user={names[BEHIND]}")
    page.screenshot(path=str(screenshots / "console-trainee-page.png"), full_page=True)
    assert "2026年12月6日(日) 18:47" in page.content()  # the gradebook's 09:47 UTC, in Japan time


def test_a_trainee_sees_only_their_own_row_and_403_elsewhere(page, hub, stack_config, class_of_40, screenshots):
    """Does a trainee's console hold only their own row, and refuse another trainee's page and the print view?"""
    course, names, _ = class_of_40
    me, other = names[3], names[4]
    base = f"{hub.public}/services/progress-{course}/"
    _sign_in(page, hub, me, f"pass-{me[2:8]}-3", f"/services/progress-{course}/")
    page.wait_for_url(f"**/services/progress-{course}/**")
    page.locator(f"tr[data-user='{me}']").wait_for(timeout=30_000)
    page.screenshot(path=str(screenshots / "console-trainee-own.png"), full_page=True)
    assert page.locator("tbody tr[data-user]").count() == 1
    assert other not in page.content()
    for path in (f"trainee?user={other}", "print"):
        r = page.request.get(base + path)
        assert r.status == 403 and other not in r.text(), path
    own = page.request.get(base + f"trainee?user={me}")
    assert own.status == 200 and "課題ごとの記録" in own.text()
    page.goto(f"{hub.public}/hub/home")
    assert "自分の進捗" in page.locator(f"#console-{course}").inner_text()

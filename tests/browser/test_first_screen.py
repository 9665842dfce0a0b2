"""A new trainee's first screen in a real browser: the course guide (はじめに) opens on first sign-in, its links
reach the trainee's own view of the console and the CKAN catalogue, JupyterLab's 研修 menu and launcher tiles
lead to the same places, and ✅ renders as a colour emoji glyph rather than a box."""

from __future__ import annotations

import subprocess
import time

import pytest
from helpers.progress import cohort_member

from testbed_config.names import ckan_user_name

pytestmark = pytest.mark.browser

GUIDE = "はじめに.md"

# Draws a character on a canvas in the page's own fonts and counts its coloured pixels: a colour emoji glyph
# (Noto Color Emoji's green box) has many, a missing-glyph box or a monochrome fallback has none.
COLOURED_PIXELS = """(text) => {
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const g = c.getContext('2d'); g.fillStyle = '#000'; g.font = '48px sans-serif'; g.textBaseline = 'top';
  g.fillText(text, 4, 4);
  const d = g.getImageData(0, 0, 64, 64).data; let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    const [r, gr, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
    if (a > 128 && Math.max(r, gr, b) - Math.min(r, gr, b) > 80) n++;
  }
  return n;
}"""


def _sign_in(page, hub, user: str, password: str) -> None:
    page.goto(f"{hub.public}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def _stop_server(page, hub, name: str) -> None:
    """Close the page, stop the trainee's server (and the notebook's kernel) and wait until it is gone, so that the
    trainee's removal afterwards finds no process of theirs."""
    page.close()
    hub.request("DELETE", f"/users/{name}/server")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and hub.request("GET", f"/users/{name}").json().get("servers"):
        time.sleep(1)


def _follow(page, locator, url_glob: str):
    """Click a link that opens a new tab; the new tab once it reached ``url_glob``."""
    with page.context.expect_page() as opened:
        locator.click()
    tab = opened.value
    tab.wait_for_url(url_glob, timeout=60_000)
    tab.wait_for_load_state()
    return tab


def test_the_emoji_font_is_installed():
    """Is a colour emoji font known to fontconfig (so Chromium on this machine draws ✅ ❌ ⚠)?"""
    out = subprocess.run(["fc-list", ":charset=2705", "family"], capture_output=True, text=True).stdout
    assert "Noto Color Emoji" in out, out


def test_new_trainee_sees_the_guide_first_and_follows_its_links(page, hub, layout, stack_config, unique, screenshots):
    """Does a trainee signing in for the first time land on the はじめに guide (rendered, not as source), with ✅
    drawn as a colour glyph; do its links open the trainee's own console view and the CKAN catalogue in new tabs;
    and do the 研修 menu and the launcher's tiles offer the same places?"""
    course = stack_config.courses[0].id
    name, password = f"fs{unique()}", "pass-f-" + unique()
    with cohort_member(hub, layout, course, name, "初日 研修子", password):
        try:
            _sign_in(page, hub, name, password)
            page.wait_for_url(f"**/user/{name}/lab/tree/**", timeout=120_000)
            guide = page.locator(".jp-RenderedMarkdown", has_text="最初にすること")
            guide.wait_for(timeout=120_000)
            page.wait_for_timeout(500)  # let the preview settle before the picture
            page.screenshot(path=str(screenshots / "first-screen-guide.png"))
            assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text=GUIDE).is_visible()
            assert guide.locator("h1").inner_text().startswith("はじめに")
            assert "「カーネル」→「カーネルを再起動 と すべてのセルを実行…」" in guide.inner_text()

            # ✅ in the guide is drawn with a colour emoji font: the glyph is as wide as a CJK character, not a box,
            # and a canvas in the same page draws it in colour
            assert "✅" in guide.inner_text()
            assert page.evaluate(COLOURED_PIXELS, "✅") > 200
            assert page.evaluate(COLOURED_PIXELS, "❌") > 200
            assert page.evaluate(COLOURED_PIXELS, "あ") == 0  # the check itself: plain text has no colour

            # the guide's links, in new tabs: the trainee's own view of the console, then the catalogue
            board, ckan = f"**/services/progress-{course}/**", f"{stack_config.ckan_url}/**"
            console = _follow(page, guide.get_by_role("link", name="研修コンソール"), board)
            console.locator("h1").wait_for()
            console.screenshot(path=str(screenshots / "first-screen-console.png"), full_page=True)
            assert console.locator("h1").inner_text().startswith("研修コンソール")
            assert "初日 研修子" in console.content()
            console.close()
            catalogue = _follow(page, guide.get_by_role("link", name="データカタログ（CKAN）"), ckan)
            # through the single sign-on: signed in as the trainee's own CKAN user, no second password
            catalogue.locator(f".account-masthead a[href='/user/{ckan_user_name(name)}']").first.wait_for(
                timeout=30_000
            )
            catalogue.screenshot(path=str(screenshots / "first-screen-ckan.png"))
            assert catalogue.locator("html").get_attribute("lang") == "ja"
            catalogue.close()

            # the 研修 menu: console, the guide again, the catalogue
            page.locator(".lm-MenuBar-itemLabel", has_text="研修").first.click()
            entries = page.locator(".lm-Menu-itemLabel")
            entries.filter(has_text="データカタログ (CKAN)").wait_for()
            page.screenshot(path=str(screenshots / "first-screen-menu.png"))
            labels = entries.all_inner_texts()
            assert {"研修コンソール (進捗)", "はじめに (研修の進め方)", "データカタログ (CKAN)"} <= set(labels), labels
            catalogue = _follow(page, entries.filter(has_text="データカタログ (CKAN)"), ckan)
            catalogue.close()

            # the launcher's tiles (「ファイル」→「新規ランチャー」)
            page.locator(".lm-MenuBar-itemLabel", has_text="ファイル").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="新規ランチャー").first.click()
            page.locator(".lm-TabBar-tab", has_text="ランチャー").last.click()
            tile = page.locator(".jp-LauncherCard", has_text="研修コンソール")
            tile.wait_for()
            assert page.locator(".jp-LauncherCard", has_text="データカタログ (CKAN)").is_visible()
            page.screenshot(path=str(screenshots / "first-screen-launcher.png"))
            console = _follow(page, tile, board)
            assert console.locator("h1").inner_text().startswith("研修コンソール")
            console.close()

            # in a notebook (a new one from the launcher), the Kernel menu item the guide and the course notebooks
            # name is spelled as the Japanese UI shows it (a semantic command: its two labels joined by " と ")
            page.locator(".jp-LauncherCard", has_text="Python 3").first.click()
            page.locator(".jp-Notebook .jp-Cell").first.wait_for()
            page.locator(".lm-MenuBar-itemLabel", has_text="カーネル").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="カーネルを再起動 と すべてのセルを実行…").wait_for()
            page.screenshot(path=str(screenshots / "first-screen-kernel-menu.png"))
            page.keyboard.press("Escape")
            assert page.external_requests == []
        finally:
            _stop_server(page, hub, name)

"""The workshop's closing presentation: a team notebook exported as an A4 report (hub_config/report_export.py).

A trainee has a worked 見える化 notebook (the workshop's session 3 example: a chart and an offline map drawn from the
catalogue's 町丁目境界, run in the trainee's own server). In JupyterLab they choose ファイル → 名前を付けて
Notebookを書き出す → 「A4 報告書 (印刷用)」 and get one HTML file. Opened with the network cut off, it shows the
Japanese text in a Japanese font (the font Chromium actually used, asked over DevTools), the chart and the map (the
map's colours examined in a PNG of it), no code, no request leaving the file, and it prints on A4 (the PDF's page
size). Kept as artefacts: ``report-a4.html``, ``report-a4.png`` (the report as a reader sees it), ``report-a4.pdf``,
``report-a4-map.png`` and ``report-export-menu.png``.
"""

from __future__ import annotations

import io
import json
import re

import pytest
import requests
from helpers.course import REPO
from helpers.progress import cohort_member
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

SAMPLE = REPO / "courses" / "workshop" / "session3_visualise.ipynb"
NOTEBOOK = "班の報告.ipynb"
CJK_FONTS = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Noto Serif CJK JP")
A4_POINTS = (595.0, 842.0)  # 210 x 297 mm


def _sample_notebook() -> dict:
    """Session 3's worked example (its sections 1 and 2, up to 「3. 班の図を作る」), outputs cleared."""
    nb = json.loads(SAMPLE.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        if "".join(cell["source"]).startswith("## 3."):
            break
        cells.append(cell)
    nb["cells"] = cells
    assert sum(c["cell_type"] == "code" for c in cells) >= 6, "session 3 no longer has its chart and map example"
    return nb


def _run_in_the_trainees_server(hub, name: str) -> None:
    """Execute the notebook in the trainee's own server (their kernel, their CKAN_URL), outputs saved in it."""
    code = (
        "import nbformat, nbclient\n"
        f"nb = nbformat.read({NOTEBOOK!r}, 4)\n"
        "nbclient.NotebookClient(nb, timeout=240, kernel_name='python3').execute()\n"
        f"nbformat.write(nb, {NOTEBOOK!r})\n"
        "print('pngs', sum('image/png' in o.get('data', {}) for c in nb.cells for o in c.get('outputs', [])))"
    )
    out = hub.run_code(name, code, timeout=300)
    assert out["error"] is None, out
    assert int(out["stdout"].split()[-1]) >= 2, out  # the chart and the map


def _sign_in(page, hub, user: str, password: str, path: str) -> None:
    page.goto(f"{hub.public}/hub/login?next=/user/{user}/lab/tree/{path}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")


def _platform_fonts(page, selector: str) -> dict[str, int]:
    """{font family Chromium rendered the element's text with: glyphs} (DevTools CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"]: f["glyphCount"] for f in fonts}


def _colours(png: bytes) -> tuple[int, int, int]:
    """(distinct colours, reddish pixels, bluish pixels) of a PNG (the map is painted red → yellow → blue)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    data = img.tobytes()
    pixels = [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]
    red = sum(1 for r, g, b in pixels if r > 180 and g < 120 and b < 120)
    blue = sum(1 for r, g, b in pixels if b > 150 and r < 120)
    return len(set(pixels)), red, blue


def test_a_team_notebook_exports_to_an_a4_report_with_japanese_text_and_the_map(
    page, hub, layout, stack_config, unique, screenshots, tmp_path
):
    """Does ファイル → 書き出し → 「A4 報告書 (印刷用)」 give one offline HTML file with the Japanese text in a Japanese
    font, the chart and the map, no code, and A4 pages?"""
    course = stack_config.courses[0].id
    name, password = f"rep{unique()}", "pass-rep-" + unique()
    with cohort_member(hub, layout, course, name, "報告 研修子", password):
        hub.start_server(name)
        headers = {"Authorization": f"token {hub.token}"}
        r = requests.put(
            f"{hub.public}/user/{name}/api/contents/{NOTEBOOK}",
            headers=headers,
            json={"type": "notebook", "content": _sample_notebook()},
            timeout=30,
        )
        assert r.status_code in (200, 201), r.text
        _run_in_the_trainees_server(hub, name)

        _sign_in(page, hub, name, password, NOTEBOOK)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="ファイル").click()
        export = page.locator(".lm-Menu-itemLabel", has_text="名前を付けてNotebookを書き出す")
        item = page.locator(".lm-Menu-itemLabel", has_text="A4 報告書 (印刷用)")
        # the submenu fills when JupyterLab has asked the server for its formats; until then it stays shut, and a
        # person moves the pointer away and back
        for _ in range(20):
            export.hover()
            try:
                item.wait_for(timeout=3000)
                break
            except PlaywrightTimeout:
                page.mouse.move(700, 780)
        page.screenshot(path=str(screenshots / "report-export-menu.png"))
        offered = item.locator("xpath=ancestor::*[contains(@class, 'lm-Menu-content')]").inner_text().split("\n")
        offered = sorted(label.strip() for label in offered if label.strip())
        # only what works offline without TeX, Qt or a CDN, in words a trainee reads (lab_report_export.SWITCHED_OFF)
        assert offered == sorted(["HTML", "Markdown", "実行可能なスクリプト", "A4 報告書 (印刷用)"]), offered
        with page.expect_download(timeout=120_000) as info:
            item.click()
        report = screenshots / "report-a4.html"
        info.value.save_as(report)
        assert info.value.suggested_filename.endswith(".html"), info.value.suggested_filename
        assert page.external_requests == []

        # the file as the 課長 opens it: from disk, nothing else reachable
        reader = page.context.new_page()
        leaving: list[str] = []
        reader.route(
            re.compile(r"^(?!file:|data:).*"), lambda route: (leaving.append(route.request.url), route.abort())
        )
        reader.goto(report.as_uri())
        reader.wait_for_load_state("load")
        assert leaving == [], leaving
        html = report.read_text(encoding="utf-8")
        assert "<script" not in html, "the report carries a script"
        text = reader.locator("body").inner_text()
        assert "見える化" in text and "収容率" in text, text[:500]
        assert "import pandas" not in text and "read_csv(" not in text, "the report shows code"
        assert re.search(r"作成: \d{4}年\d{1,2}月\d{1,2}日.*（日本時間）", text), text[-300:]
        used = _platform_fonts(reader, "h1")
        assert any(f in used for f in CJK_FONTS), f"the title was not drawn in a Japanese font: {used}"

        images = reader.locator(".jp-OutputArea-output img")
        assert images.count() >= 2, images.count()
        widths = [images.nth(i).evaluate("img => img.naturalWidth") for i in range(images.count())]
        assert all(w > 300 for w in widths), widths
        map_png = images.nth(1).screenshot(path=str(screenshots / "report-a4-map.png"))
        colours, red, blue = _colours(map_png)
        assert colours > 50 and red > 200 and blue > 200, (colours, red, blue)
        reader.screenshot(path=str(screenshots / "report-a4.png"), full_page=True)

        pdf = reader.pdf(path=str(screenshots / "report-a4.pdf"), prefer_css_page_size=True)
        boxes = {tuple(round(float(v)) for v in m) for m in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)}
        assert boxes == {tuple(round(v) for v in A4_POINTS)}, boxes
        assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2  # text, chart and map do not fit one page
        reader.close()

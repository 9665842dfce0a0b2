"""A trainee's submission cannot run script in the instructor's browser.

The formgrader and the feedback pages show a trainee's notebook on the hub's own origin. A trainee
submits a notebook whose outputs and markdown carry every usual script vector (event handlers,
<script>, SVG, JavaScript output, javascript: links) plus an HTML file in the submission folder
linked from the notebook; `./testbed grade` autogrades it in the sandbox (the outputs are made by
really running the trainee's code). The instructor then opens the submission in the formgrader in
headless Chromium: nothing of it may run, and no hub API call may leave the page.
"""

from __future__ import annotations

import json
import os
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers.course import enrol, live_assignment, run_testbed

from grader.courses import course_root

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(os.geteuid() != 0, reason="`./testbed grade` drops kernels to other uids only as root"),
]

REPO = Path(__file__).resolve().parents[2]
MODULE = "00_hajimeni"
NOTEBOOK = "kadai_00_hajimeni"


def _pwn(tag: str) -> str:
    """JavaScript that, if it ever runs, leaves a mark and calls the hub API with the instructor's cookies."""
    return f"window.__xss=(window.__xss||[]).concat('{tag}');fetch('/hub/api/users')"


PAYLOAD_CODE = f"""
import pandas as pd
from IPython.display import HTML, Javascript, Markdown, display
display(HTML('''<b class="safe-mark">SAFE-TEXT-42</b><img src=x onerror="{_pwn("img")}">'''))
display(HTML('''<details open ontoggle="{_pwn("toggle")}">d</details>'''))
display(HTML('''<iframe srcdoc="<script>{_pwn("srcdoc")}</script>"></iframe>'''))
display(HTML('''<style>body {{display:none}}</style>セル出力'''))
display(HTML('''<form action="javascript:{_pwn("form")}"><button>b</button></form>'''))
display(Javascript('''{_pwn("js")}'''))
svg = '''<svg xmlns="http://www.w3.org/2000/svg" onload="{_pwn("svg")}"><script>{_pwn("svgscript")}</script></svg>'''
display({{"image/svg+xml": svg}}, raw=True)
display(Markdown('''<img src=y onerror="{_pwn("md-output")}">'''))
display(pd.DataFrame({{"名称": ["表の中身"]}}))
"""
PAYLOAD_MARKDOWN = (
    f'回答メモ <img src=x onerror="{_pwn("md-img")}"> <script>{_pwn("md-script")}</script> '
    f'<svg onload="{_pwn("md-svg")}"></svg> [押す](javascript:{_pwn("md-link")}) '
    '<a class="evil-file" href="evil.html">添付ファイル</a>'
)
EVIL_FILE = f"<html><body><p id=evil>evil</p><script>{_pwn('file')}</script></body></html>"


def _hostile_notebook() -> str:
    nb = json.loads((REPO / "courses/odtb/source" / MODULE / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    nb["cells"] += [
        {"cell_type": "markdown", "metadata": {}, "source": PAYLOAD_MARKDOWN},
        {"cell_type": "code", "metadata": {}, "source": PAYLOAD_CODE, "outputs": [], "execution_count": None},
    ]
    return json.dumps(nb, ensure_ascii=False)


def _submit(course: str, name: str) -> str:
    """Kernel code for the trainee: fetch, replace the notebook, add evil.html, submit."""
    return f"""
import pathlib, subprocess
def nbg(*args):
    p = subprocess.run(["nbgrader", *args, "--course", {course!r}], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
nbg("fetch_assignment", {name!r})
folder = pathlib.Path({course!r}, {name!r})
(folder / {NOTEBOOK + ".ipynb"!r}).write_text({_hostile_notebook()!r}, encoding="utf-8")
(folder / "evil.html").write_text({EVIL_FILE!r}, encoding="utf-8")
nbg("submit", {name!r})
"""


def _submission_id(layout, course: str, assignment: str) -> str:
    db = course_root(layout, course) / "gradebook.db"
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT sn.id FROM submitted_notebook sn JOIN submitted_assignment sa ON sn.assignment_id = sa.id"
            " JOIN assignment a ON sa.assignment_id = a.id JOIN notebook n ON sn.notebook_id = n.id"
            " WHERE a.name = ? AND n.name = ?",
            (assignment, NOTEBOOK),
        ).fetchone()
    assert row, "the hostile submission was not graded"
    return row[0]


@pytest.fixture
def hostile_submission(layout, hub, trainee, unique):
    """A graded submission of a unique copy of module 00 carrying every script vector; removed afterwards."""
    with live_assignment(layout, MODULE, f"xss_{unique()}") as (course, name):
        res = run_testbed("course", "release", name, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        enrol(hub, course, trainee)
        out = hub.run_code(trainee, _submit(course, name), timeout=120)
        assert out["error"] is None, out
        res = run_testbed("grade", name, "--course", course)
        assert res.returncode == 0, res.stdout + res.stderr
        yield course, name, _submission_id(layout, course, name)


def _sign_in(page, hub, layout, user: str, next_url: str) -> None:
    page.goto(f"{hub.public}/hub/login?next={next_url}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", (layout.secrets / "instructor-password").read_text().strip())
    page.click("input[type=submit], button[type=submit]")


def test_nothing_of_a_hostile_submission_runs_in_the_instructors_formgrader(
    page, hub, layout, stack_config, hostile_submission, screenshots
):
    """Opened by the instructor in the formgrader, do the hostile notebook's outputs, markdown and
    linked file run no script and make no hub API call, while its text, table and the grading form
    still show?"""
    course, name, sub_id = hostile_submission
    api_calls = []
    # the sign-in's own OAuth redirects are navigations; a script's call to the hub API is not
    page.on(
        "request", lambda r: api_calls.append(r.url) if "/hub/api" in r.url and not r.is_navigation_request() else None
    )
    page.on("dialog", lambda d: api_calls.append(f"dialog: {d.message}"))
    prefix = f"/services/formgrader-{course}/formgrader"
    _sign_in(page, hub, layout, stack_config.courses[0].instructors[0], f"{prefix}/submissions/{sub_id}/")
    page.wait_for_url(f"**{prefix}/submissions/{sub_id}/**")
    page.locator(".safe-mark").first.wait_for(state="attached")
    page.wait_for_timeout(1500)  # event handlers (onerror, onload, ontoggle) fire right after load
    page.screenshot(path=str(screenshots / "security-formgrader-hostile-submission.png"), full_page=True)

    assert page.evaluate("window.__xss") is None
    assert "SAFE-TEXT-42" in page.locator("body").inner_text()
    assert page.locator("table", has_text="表の中身").count() == 1  # a DataFrame stays a table
    assert '["想定収容人数"] >= 190' in page.locator("body").inner_text()  # the lesson's markdown reads as written
    assert page.locator("input.score").count() >= 1  # the grading form still works
    outputs = "\n".join(page.locator(".output_subarea").all_inner_texts())
    assert "SAFE-TEXT-42" in outputs and "display:none" not in outputs  # a <style> block is dropped, not shown
    assert page.locator("a[href^='javascript:']").count() == 0

    # the file linked from the notebook opens sandboxed: a unique origin with scripts off
    with page.expect_navigation():
        page.locator("a.evil-file").first.click()
    assert page.url.endswith(f"/submissions/{sub_id}/evil.html")
    page.locator("#evil").wait_for()
    page.wait_for_timeout(500)
    resp = page.request.get(page.url)
    assert resp.headers.get("content-security-policy") == "sandbox"
    assert page.evaluate("window.__xss") is None

    assert api_calls == []
    assert page.external_requests == []  # no CDN, not even MathJax (offline classrooms)


class _ActiveContent(HTMLParser):
    """Collects what would run in a browser: event-handler attributes, script-bearing URLs, script text."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key.startswith("on") or (value or "").strip().lower().startswith(("javascript:", "vbscript:")):
                self.found.append(f"<{tag} {key}={value}>")
            if key == "srcdoc":
                self.found.append(f"<{tag} srcdoc>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "__xss" in data:
            self.found.append(f"<script>{data[:60]}")


def test_feedback_of_a_hostile_submission_carries_no_script(layout, hostile_submission):
    """Is the feedback page generated for the hostile submission free of every script vector, while the
    trainee's harmless output still shows?"""
    course, name, _ = hostile_submission
    pages = list((course_root(layout, course) / "feedback").glob(f"*/{name}/{NOTEBOOK}.html"))
    assert len(pages) == 1
    text = pages[0].read_text(encoding="utf-8")
    assert "SAFE-TEXT-42" in text and "表の中身" in text
    parser = _ActiveContent()
    parser.feed(text)
    assert parser.found == []

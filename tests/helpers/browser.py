"""Browser fixtures (Debian's headless Chromium driven by Playwright), imported by the conftest of every
folder whose tests use a browser (tests/browser, tests/security).

Fixtures:
- ``browser``     (module) a Chromium browser (no sandbox as root, no background networking)
- ``page``        a fresh page whose requests are recorded; ``page.external_requests`` lists any
                  request that left the machine (offline classrooms: must stay empty)
- ``screenshots`` directory where tests save screenshots for a human to look at
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


@pytest.fixture(scope="module")  # Playwright's sync API holds an event loop while open: close it per module
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (./testbed test installs it)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, stack_config):
    ctx = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    local = LOCAL_HOSTS | {stack_config.host}
    pg.external_requests = []
    ctx.on(  # the whole context: tabs the page opens (target=_blank links) are recorded too
        "request",
        lambda r: (
            pg.external_requests.append(r.url)
            if urlparse(r.url).hostname not in local and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    yield pg
    ctx.close()


@pytest.fixture(scope="session")
def screenshots():
    d = Path(os.environ.get("TESTBED_SCREENSHOTS", "/tmp/testbed-screenshots"))
    d.mkdir(parents=True, exist_ok=True)
    return d

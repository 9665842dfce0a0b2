"""What a person sees: the hub sign-in, JupyterLab in Japanese, the CKAN catalogue in Japanese, all offline."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_instructor_signs_in_and_jupyterlab_is_japanese(page, hub, layout, stack_config, screenshots):
    """Does an instructor reach a Japanese JupyterLab from the sign-in page, with no request leaving the machine?"""
    user = stack_config.admins[0]
    password = (layout.secrets / "instructor-password").read_text().strip()
    page.goto(f"{hub.public}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/lab**", timeout=120_000)
    page.get_by_text("ファイル", exact=True).first.wait_for(timeout=120_000)
    page.screenshot(path=str(screenshots / "jupyterlab.png"))
    assert page.get_by_text("ファイル", exact=True).first.is_visible()
    assert page.external_requests == []
    hub.request("DELETE", f"/users/{user}/server")


def test_ckan_dataset_page_is_japanese(page, ckan_url, screenshots):
    """Does CKAN's dataset list render in Japanese without any external request?"""
    page.goto(f"{ckan_url}/dataset/")
    page.screenshot(path=str(screenshots / "ckan-dataset.png"))
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "データセット" in page.content()
    assert page.external_requests == []

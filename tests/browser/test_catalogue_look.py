"""What an anonymous visitor of the catalogue sees: みどり野市's open-data portal in Japanese, with no CKAN
placeholder and no trainee sandbox; the dataset form proposes a romanised URL name (issue #13 items 2, 4).

Screenshots go to ``screenshots`` (catalogue-home.png, catalogue-about.png, catalogue-popular.png,
catalogue-organizations.png, catalogue-slug.png) for a person to look at.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PLACEHOLDERS = ("CKANへようこそ", "良い紹介文です", "Welcome to CKAN", "placeholder-420x220", "420 x 220")
SANDBOX = re.compile(r"sandbox-[a-z0-9_-]+|\S+ のサンドボックス")


def _look(page, url: str, shot) -> str:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shot), full_page=True)
    html = page.content()
    assert not [p for p in PLACEHOLDERS if p in html], url
    assert SANDBOX.findall(page.inner_text("body")) == [], url
    assert SANDBOX.findall(html) == [], url
    assert page.external_requests == [], page.external_requests
    return html


def test_is_the_home_page_the_citys_open_data_portal(page, ckan_url, screenshots):
    """Does / show the city's title, intro, search, topic groups, popular and new datasets, and no image?"""
    html = _look(page, f"{ckan_url}/", screenshots / "catalogue-home.png")
    assert page.locator("h1").first.inner_text().strip() == "みどり野市 オープンデータ"
    for heading in ("分類から探す", "よく見られているデータ", "新着・更新されたデータ", "担当部署から探す"):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    assert page.locator(".tb-group").count() >= 5
    assert page.locator(".tb-list li a").count() >= 5
    assert page.locator("main img, [role=main] img").count() == 0
    assert "防災・安全" in html


def test_is_the_about_page_japanese(page, ckan_url, screenshots):
    """Does /about explain the site, the licences and the practice data in Japanese?"""
    _look(page, f"{ckan_url}/about", screenshots / "catalogue-about.png")
    assert page.get_by_role("heading", name="このサイトについて").first.is_visible()
    body = page.inner_text("[role=main]")
    assert "CC BY 4.0" in body and "研修生の公開練習" in body
    assert "CKAN is the world" not in body


def test_can_a_visitor_sort_datasets_by_popularity(page, ckan_url, screenshots):
    """Is 人気順 in the sort menu, and does choosing it order /dataset by views?"""
    page.goto(f"{ckan_url}/dataset/")
    page.select_option("#field-order-by", label="人気順")
    page.wait_for_url(re.compile(r"sort=views_recent"))
    _look(page, page.url, screenshots / "catalogue-popular.png")
    assert page.locator("#field-order-by option:checked").inner_text().strip() == "人気順"
    assert page.locator(".dataset-item").count() > 0
    assert page.get_by_role("heading", name="研修生の公開練習").is_visible()


def test_does_the_organisation_list_show_only_the_citys_departments(page, ckan_url, screenshots):
    """Does /organization list 危機管理課 and the other departments, and no trainee sandbox?"""
    _look(page, f"{ckan_url}/organization/", screenshots / "catalogue-organizations.png")
    assert page.get_by_text("危機管理課").first.is_visible()


def test_does_a_japanese_title_get_a_romanised_url_name_in_the_form(page, ckan_url, layout, screenshots):
    """Typing 「AED設置箇所一覧」 as a CKAN admin: is the proposed URL aed-setchi-kasho-ichiran (never web/empty)?"""
    password = (layout.secrets / "ckan-admin-password").read_text().strip()
    page.goto(f"{ckan_url}/user/login")
    local = page.locator("details.testbed-local-login summary")  # the admins' local login, under the hub sign-in
    if local.count():
        local.click()
    page.fill("#field-login", "testbed-admin")
    page.fill("#field-password", password)
    page.press("#field-password", "Enter")
    page.wait_for_load_state("networkidle")
    page.goto(f"{ckan_url}/dataset/new")
    page.wait_for_load_state("networkidle")  # as a person would see the form settle before typing
    page.fill("#field-title", "")
    page.locator("#field-title").type("AED設置箇所一覧")
    page.wait_for_function("document.querySelector('#field-name').value.startsWith('aed-setchi-kasho-ichiran')")
    page.screenshot(path=str(screenshots / "catalogue-slug.png"))
    name = page.input_value("#field-name")
    assert re.fullmatch(r"aed-setchi-kasho-ichiran(-\d+)?", name), name
    assert "aed-setchi-kasho-ichiran" in page.inner_text(".slug-preview")
    assert page.external_requests == []

"""The usage page (「カタログの利用状況」, /usage) in a browser, as an anonymous visitor and as a department's staff:
reached from the site menu, the sample catalogue's fictional usage shown with inline SVG trends, the period
changed with a preset, the CSV downloaded (UTF-8 with a BOM, Japanese headers); a private dataset only for its
department's staff, reached from the organisation page's 「利用状況」 tab. Nothing leaves the machine (no CDN).
Everything made is removed."""

from __future__ import annotations

import secrets

import pytest

pytestmark = pytest.mark.browser

PRIVATE_TITLE = "職員向け 利用状況テスト（非公開）"


@pytest.fixture
def department(ckan_admin, unique):
    """A department (organisation) with a member and a private dataset; removed afterwards."""
    password = secrets.token_urlsafe(12)
    run = unique()
    staff, org, dataset = f"usage-staff-{run}", f"usage-dept-{run}", f"usage-private-{run}"
    made: list[tuple[str, str]] = []
    try:
        ckan_admin.action.user_create(name=staff, email=f"{staff}@example.invalid", password=password)
        made.append(("user_delete", staff))
        ckan_admin.action.organization_create(
            name=org, title="利用状況テスト課", users=[{"name": staff, "capacity": "member"}]
        )
        made.append(("organization_purge", org))
        ckan_admin.action.package_create(name=dataset, title=PRIVATE_TITLE, owner_org=org, private=True)
        made.append(("dataset_purge", dataset))
        yield {"staff": staff, "password": password, "org": org, "dataset": dataset}
    finally:
        for action, name in reversed(made):
            getattr(ckan_admin.action, action)(id=name)


def _sign_in(page, ckan: str, name: str, password: str) -> None:
    page.goto(f"{ckan}/user/login")
    local = page.locator("details.testbed-local-login summary")  # CKAN's own form, under the hub sign-in
    if local.count():
        local.click()
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    page.press("#field-password", "Enter")
    page.wait_for_load_state("networkidle")


def test_the_usage_page_for_a_visitor_and_for_staff(page, ckan_url, department, screenshots):
    ckan = ckan_url.rstrip("/")
    page.goto(f"{ckan}/")
    page.locator("header").get_by_role("link", name="利用状況", exact=True).click()
    page.wait_for_url("**/usage")
    assert page.locator("h1").inner_text() == "カタログの利用状況"
    assert "（90日間）" in page.locator(".tb-usage-period-text").inner_text()
    assert int(page.locator("#tb-total-views").inner_text().replace(",", "")) > 0  # the seeded usage history
    assert page.locator("svg.tb-spark").count() >= 3
    assert page.locator(".tb-rank-views li").count() > 0
    assert PRIVATE_TITLE not in page.content()
    page.screenshot(path=str(screenshots / "usage-1-visitor.png"), full_page=True)

    page.get_by_role("link", name="過去30日").click()
    page.wait_for_load_state("networkidle")
    assert "（30日間）" in page.locator(".tb-usage-period-text").inner_text()
    with page.expect_download() as download:
        page.click("#tb-usage-csv")
    raw = open(download.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig").startswith(
        "期間の初日,期間の最終日,データセット名"
    )
    assert PRIVATE_TITLE not in raw.decode("utf-8-sig")

    _sign_in(page, ckan, department["staff"], department["password"])
    page.goto(f"{ckan}/organization/{department['org']}")
    page.locator(".page-header .nav-tabs a", has_text="利用状況").click()  # the organisation's tab
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "カタログの利用状況: 利用状況テスト課"
    row = page.locator(".tb-usage-datasets tr", has_text=PRIVATE_TITLE)
    assert row.count() == 1 and row.locator(".tb-badge-private").inner_text() == "非公開"
    page.screenshot(path=str(screenshots / "usage-2-staff-department.png"), full_page=True)
    page.goto(f"{ckan}/usage")
    assert page.locator(".tb-usage-datasets", has_text=PRIVATE_TITLE).count() == 1
    page.screenshot(path=str(screenshots / "usage-3-staff-catalogue.png"), full_page=False)
    assert page.external_requests == []

"""Use cases (利活用事例) through CKAN's web pages, one journey: a signed-in user opens a dataset's page, follows
「このデータの利活用事例を登録する」 (the dataset filled in), is refused an empty title beside the field (what was
typed kept), registers a map with a PNG picture, and finds it on its page, in the gallery (by two characters and
by kind) and on the dataset page; a text with HTML is shown as text. Everything made is removed."""

from __future__ import annotations

import secrets
import struct
import zlib

import pytest

pytestmark = pytest.mark.browser


def _png(width: int = 320, height: int = 180) -> bytes:
    """A small map-like PNG (green blocks on a pale ground, a red pin), made without any imaging library."""

    def pixel(x: int, y: int) -> bytes:
        if (x - 200) ** 2 + (y - 70) ** 2 < 140:
            return b"\xd9\x3b\x2f"
        if (x // 40 + y // 30) % 3 == 0:
            return b"\x9f\xd8\xb0"
        return b"\xee\xf4\xf0" if (x % 40) and (y % 30) else b"\xc8\xd2\xcc"

    raw = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture
def made(ckan_admin, unique):
    """A registrant and a department with a public dataset; removed with the use cases afterwards."""
    password = secrets.token_urlsafe(12)
    run = unique()
    user, org, dataset = f"uc-{run}", f"uc-dept-{run}", f"uc-shelters-{run}"
    created: list[tuple[str, str]] = []
    try:
        ckan_admin.action.user_create(name=user, email=f"{user}@example.invalid", password=password)
        created.append(("user_delete", user))
        ckan_admin.action.organization_create(name=org, title="利活用テスト危機管理課")
        created.append(("organization_purge", org))
        ckan_admin.action.package_create(
            name=dataset,
            title="指定緊急避難場所一覧 (利活用テスト)",
            owner_org=org,
            notes="利活用事例のテストに使うデータセットです。",
            license_id="cc-by-4.0",
            resources=[{"name": "一覧", "url": "http://127.0.0.1/hinanbasho.csv", "format": "CSV"}],
        )
        created.append(("dataset_purge", dataset))
        yield {"user": user, "password": password, "dataset": dataset}
    finally:
        for usecase in ckan_admin.action.testbed_usecase_list(mine=False, practice="include", limit=100)["results"]:
            if usecase["creator"] == user:
                ckan_admin.action.testbed_usecase_delete(id=usecase["id"])
        for action, name in reversed(created):
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


def test_a_use_case_is_registered_through_the_form_and_shown_in_the_gallery_and_on_the_dataset_page(
    page, ckan_url, made, screenshots
):
    ckan = ckan_url.rstrip("/")
    _sign_in(page, ckan, made["user"], made["password"])
    page.goto(f"{ckan}/dataset/{made['dataset']}")
    section = page.locator(".tb-dataset-usecases")
    assert section.get_by_role("heading", name="このデータの利活用事例").is_visible()
    assert section.get_by_text("まだ登録されていません。").is_visible()
    section.get_by_role("link", name="このデータの利活用事例を登録する").click()
    page.wait_for_url("**/usecase/new?dataset=*")
    assert page.locator("h1").inner_text() == "利活用事例を登録する"
    assert page.input_value("#field-datasets") == made["dataset"]  # filled in from the dataset page

    page.fill("#field-description", "避難場所を地図で探せる <b>ウェブアプリ</b>")
    page.click("#tb-usecase-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("タイトルを入力してください。").is_visible()
    assert page.input_value("#field-description") == "避難場所を地図で探せる <b>ウェブアプリ</b>"  # kept
    page.screenshot(path=str(screenshots / "usecases-1-empty-title.png"), full_page=True)

    title = "みどり野避難所マップ (テスト)"
    page.fill("#field-title", title)
    page.select_option("#field-kind", "map")
    page.fill("#field-author", "シビックテックみどり野")
    page.fill("#field-url", "https://hinan-map.example.org/")
    page.set_input_files("#field-image_upload", {"name": "map.png", "mimeType": "image/png", "buffer": _png()})
    page.click("#tb-usecase-submit")
    page.wait_for_url("**/usecase/*")
    assert page.locator("h1").inner_text() == title
    assert page.get_by_text("利活用事例を登録しました。").is_visible()
    assert page.get_by_text("避難場所を地図で探せる <b>ウェブアプリ</b>").is_visible()  # the tags as text
    assert page.locator(".module-content td b").count() == 0
    image = page.locator("img.tb-usecase-image")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 320  # served by CKAN from its storage
    assert page.get_by_role("link", name="指定緊急避難場所一覧 (利活用テスト)").is_visible()
    page.screenshot(path=str(screenshots / "usecases-2-registered.png"), full_page=True)

    page.context.clear_cookies()  # what anyone sees
    page.goto(f"{ckan}/dataset/{made['dataset']}")
    card = page.locator(".tb-dataset-usecases .tb-usecase-card", has_text=title)
    assert card.is_visible() and card.get_by_text("地図").is_visible()
    assert card.get_by_text("シビックテックみどり野").is_visible()
    assert page.get_by_role("link", name="このデータの利活用事例を登録する").count() == 0  # signed out
    page.locator(".tb-dataset-usecases").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "usecases-3-dataset-page.png"), full_page=True)

    page.locator("header").get_by_role("link", name="利活用事例").click()
    page.wait_for_url("**/usecase/")
    page.fill("#tb-usecase-q", "避難")
    page.select_option("#tb-usecase-kind", "map")
    page.click("#tb-usecase-search")
    page.wait_for_load_state("networkidle")
    gallery = page.locator(".tb-usecase-card", has_text=title)
    assert gallery.is_visible() and gallery.get_by_text("指定緊急避難場所一覧 (利活用テスト)").is_visible()
    assert gallery.locator("img").evaluate("img => img.complete && img.naturalWidth") == 320
    page.screenshot(path=str(screenshots / "usecases-4-gallery.png"), full_page=True)
    page.goto(f"{ckan}/usecase/?q=避難&kind=report")
    assert page.get_by_text("該当する利活用事例はありません。").is_visible()
    assert page.external_requests == []

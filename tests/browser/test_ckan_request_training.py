"""A data request as training material (issue #16), one journey through CKAN's web pages: a self-registered
requester files a request in Japanese; a coordinator (調整役) routes it on its page to a trainee's sandbox (a
training copy), which another trainee cannot open; the trainee, signed in to CKAN through the hub, publishes a
small dataset in the sandbox, closes the request as 公開済み with it and registers a use case for it; the dataset
page shows the request it answered and the use case (a visitor: the use case only); the requester sees the request
closed with the dataset. Everything made (accounts, trainees, coordinator role, dataset, request, use case) is
removed."""

from __future__ import annotations

import secrets
import time

import pytest
from helpers import cohort

from testbed_config.names import ckan_user_name, sandbox_org_name

pytestmark = pytest.mark.browser

TITLE = "認可保育施設の年齢別の空き人数を CSV で公開してほしい"
DATASET_TITLE = "みどり野市 保育施設の空き状況 (研修)"
USECASE_TITLE = "保育施設の空き状況マップ (研修)"
CSV = "施設名,所在地,空き人数\nみどり保育園,みどり野市本町1-2,3\nさくら保育園,みどり野市桜台4-5,0\n"


@pytest.fixture
def people(ckan_admin, unique, tmp_path):
    """A requester and a coordinator (CKAN accounts), two cohort trainees (hub user, CKAN user, sandbox);
    removed afterwards with the requests, use cases and sandbox datasets they made."""
    password = secrets.token_urlsafe(12)
    run = unique()
    requester, coordinator = f"req-tr-{run}", f"coord-tr-{run}"
    trainee, other = f"tr{secrets.token_hex(3)}", f"tr{secrets.token_hex(3)}"
    made: list[str] = []
    granted = False
    imported = False
    try:
        for name in (requester, coordinator):
            ckan_admin.action.user_create(name=name, email=f"{name}@example.invalid", password=password)
            made.append(name)
        ckan_admin.action.testbed_request_coordinator_set(user=coordinator)
        granted = True
        imported = True
        pw = cohort.import_roster(tmp_path, [(trainee, "研修 さくら", "子育て支援課"), (other, "隣 一郎", "企画課")])
        yield {
            "requester": requester,
            "coordinator": coordinator,
            "password": password,
            "trainee": (trainee, pw[trainee]),
            "other": (other, pw[other]),
        }
    finally:
        for request in ckan_admin.action.testbed_request_list(limit=100)["results"]:
            if ckan_admin.action.testbed_request_show(id=request["id"])["requester"] == requester:
                ckan_admin.action.testbed_request_delete(id=request["id"])
        creator = ckan_user_name(trainee)
        for usecase in ckan_admin.action.testbed_usecase_list(mine=False, practice="include", limit=100)["results"]:
            if usecase["creator"] == creator:
                ckan_admin.action.testbed_usecase_delete(id=usecase["id"])
        if imported:
            found = ckan_admin.action.package_search(
                fq=f"organization:{sandbox_org_name(trainee)}", include_private=True, include_drafts=True, rows=100
            )
            for dataset in found["results"]:
                ckan_admin.action.dataset_purge(id=dataset["id"])
            cohort.remove(trainee)
            cohort.remove(other)
        if granted:
            ckan_admin.action.testbed_request_coordinator_set(user=coordinator, coordinator=False)
        for name in reversed(made):
            ckan_admin.action.user_delete(id=name)


def _sign_in(page, ckan: str, name: str, password: str) -> None:
    """CKAN's own sign-in form (requesters and coordinators have CKAN accounts, not hub ones)."""
    page.goto(f"{ckan}/user/login")
    local = page.locator("details.testbed-local-login summary")  # CKAN's own form, under the hub sign-in
    if local.count():
        local.click()
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    page.press("#field-password", "Enter")
    page.wait_for_load_state("networkidle")


def _sign_in_through_hub(page, hub, ckan: str, name: str, password: str) -> None:
    """A trainee signs in to the hub, then presses CKAN's hub button."""
    page.goto(f"{hub.public}/hub/login?next=/hub/home")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/hub/home**")
    page.goto(f"{ckan}/user/login")
    page.locator("#testbed-sso-login").click()
    page.wait_for_url("**/dashboard/**")
    assert page.locator(f".account-masthead a[href='/user/{ckan_user_name(name)}']").count() >= 1


def _publish(page, ckan: str, sandbox: str, tmp_path, shot) -> str:
    """The trainee's small public dataset in their sandbox, through CKAN's form; returns its URL name."""
    page.goto(f"{ckan}/organization/{sandbox}")
    page.locator("a[href^='/dataset/new']").first.click()
    page.wait_for_url("**/dataset/new**")
    page.fill("#field-title", DATASET_TITLE)
    slug = page.locator("#field-name")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not slug.input_value():
        page.wait_for_timeout(200)
    assert slug.input_value(), "no URL name was proposed for the Japanese title"
    page.fill("#field-notes", "要望に応えて研修で公開した、保育施設の空き状況です。")
    page.select_option("#field-private", "False")  # 公開: a request is closed only with a public dataset
    page.locator("button[name=save]").click()
    page.wait_for_url("**/resource/new**")
    name = page.url.split("/dataset/")[1].split("/")[0]
    csv = tmp_path / "hoiku-aki.csv"
    csv.write_text(CSV, encoding="utf-8")
    page.locator("input[type=file][name=upload]").set_input_files(str(csv))
    page.fill("#field-name", "保育施設の空き状況 (CSV)")
    page.locator("button[name=save][value=go-metadata]").click()
    page.wait_for_url(f"**/dataset/{name}**")
    assert page.get_by_text(DATASET_TITLE).first.is_visible()
    assert page.get_by_text("保育施設の空き状況 (CSV)").first.is_visible()
    page.screenshot(path=str(shot("4-trainee-dataset")), full_page=True)
    return name


def test_a_trainee_answers_a_routed_request_with_a_sandbox_dataset_and_its_page_shows_request_and_use_case(
    browser, page, hub, ckan_url, ckan_admin, people, screenshots, tmp_path
):
    """Does a request filed in Japanese, routed by a coordinator to a trainee's sandbox, stay hidden from another
    trainee, get closed as 公開済み by the trainee with their sandbox dataset, and show on that dataset's page
    beside the trainee's use case, while the requester sees it closed with the dataset?"""
    ckan = ckan_url.rstrip("/")
    trainee, trainee_pw = people["trainee"]
    other, other_pw = people["other"]
    sandbox = sandbox_org_name(trainee)
    sandbox_title = "研修 さくら のサンドボックス"

    def shot(step: str):
        return screenshots / f"request-training-{step}.png"

    # 1. the requester files the request in Japanese, naming no department (it goes to the coordinators)
    _sign_in(page, ckan, people["requester"], people["password"])
    page.goto(f"{ckan}/data-request/new")
    assert page.locator("h1").inner_text() == "要望を出す"
    page.fill("#field-title", TITLE)
    page.fill("#field-description", "市内の認可保育施設ごとの、年齢別の空き人数")
    page.fill("#field-purpose", "保護者向けの空き状況マップを作りたい")
    page.fill("#field-data_format", "CSV")
    page.fill("#field-area", "市内全域")
    page.click("#tb-request-submit")
    page.wait_for_url("**/data-request/*")
    assert page.locator("h1").inner_text() == TITLE
    assert page.get_by_text("要望を受け付けました。").is_visible()
    rid = page.url.rstrip("/").rsplit("/", 1)[1]
    page.screenshot(path=str(shot("1-filed")), full_page=True)

    # 2. the coordinator routes it on its page to the trainee's sandbox: a training copy
    page.context.clear_cookies()
    _sign_in(page, ckan, people["coordinator"], people["password"])
    page.goto(f"{ckan}/data-request/{rid}")
    route = page.locator("#field-route-organization")
    sandboxes = route.locator(f"option[value='{sandbox}']")
    assert sandboxes.count() == 1, "the route form offers no trainee sandbox: " + " / ".join(
        route.locator("option").all_inner_texts()
    )
    assert sandboxes.inner_text() == f"研修用: {sandbox_title}"  # not to be taken for a department
    route.select_option(sandbox)
    page.click("#tb-route-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(f"要望を担当課「{sandbox_title}」に振り分けました。").is_visible()
    page.screenshot(path=str(shot("2-routed")), full_page=True)

    # 3. another trainee cannot open the training copy, nor find it in the list
    outsider = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800}).new_page()
    try:
        _sign_in_through_hub(outsider, hub, ckan, other, other_pw)
        refused = outsider.goto(f"{ckan}/data-request/{rid}")
        assert refused is not None and refused.status in (403, 404), refused and refused.status
        assert outsider.get_by_text("この要望を見る権限がありません。").first.is_visible()
        assert outsider.get_by_text(TITLE).count() == 0
        outsider.screenshot(path=str(shot("3-other-trainee-refused")), full_page=True)
        outsider.goto(f"{ckan}/data-request/?q=年齢別の空き人数")
        assert outsider.get_by_role("link", name=TITLE).count() == 0
        assert outsider.get_by_text("該当する要望はありません。").is_visible()
    finally:
        outsider.context.close()

    # 4. the trainee, signed in through the hub, publishes a small public dataset in their sandbox
    page.context.clear_cookies()
    _sign_in_through_hub(page, hub, ckan, trainee, trainee_pw)
    dataset = _publish(page, ckan, sandbox, tmp_path, shot)

    # ... and closes the request as 公開済み with it, on the request's page
    page.goto(f"{ckan}/data-request/{rid}")
    assert page.locator("#tb-route-submit").count() == 0  # only coordinators route
    page.select_option("#field-resolution", "published")
    page.fill("#field-dataset", f"{ckan}/dataset/{dataset}")
    page.fill("#field-note", "研修で CSV を公開しました。毎週月曜日に更新する想定です。")
    page.click("#tb-close-submit")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("要望を「公開済み」として完了にしました。").is_visible()
    assert page.locator(".tb-request-status").inner_text().startswith("完了")
    assert page.get_by_role("link", name=DATASET_TITLE).first.is_visible()
    assert page.locator("#tb-close-submit").count() == 0
    page.screenshot(path=str(shot("5-closed-by-trainee")), full_page=True)

    # 5. the trainee registers a use case for the dataset
    page.goto(f"{ckan}/usecase/new")
    assert page.locator("h1").inner_text() == "利活用事例を登録する"
    page.fill("#field-title", USECASE_TITLE)
    page.select_option("#field-kind", "map")
    page.fill("#field-description", "空きのある保育施設を地図で探せるようにしました。")
    page.fill("#field-author", "研修 さくら (子育て支援課)")
    page.fill("#field-url", "https://hoiku-map.example.org/")
    page.fill("#field-datasets", dataset)
    page.click("#tb-usecase-submit")
    page.wait_for_url("**/usecase/*")
    assert page.locator("h1").inner_text() == USECASE_TITLE
    assert page.get_by_text("利活用事例を登録しました。").is_visible()
    assert page.get_by_role("link", name=DATASET_TITLE).first.is_visible()
    page.screenshot(path=str(shot("6-usecase")), full_page=True)

    # 6. the dataset page shows the request it answered and the use case
    page.goto(f"{ckan}/dataset/{dataset}")
    answered = page.locator(".tb-dataset-requests")
    assert answered.get_by_role("heading", name="このデータで応えた要望").is_visible()
    assert answered.get_by_text("(公開済み)").is_visible()
    usecases = page.locator(".tb-dataset-usecases")
    assert usecases.get_by_role("heading", name="このデータの利活用事例").is_visible()
    assert usecases.locator(".tb-usecase-card", has_text=USECASE_TITLE).is_visible()
    answered.scroll_into_view_if_needed()
    page.screenshot(path=str(shot("7-dataset-page")), full_page=True)
    answered.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**/data-request/{rid}")

    # 7. the requester sees the request closed as 公開済み, with the dataset linked
    page.context.clear_cookies()
    _sign_in(page, ckan, people["requester"], people["password"])
    page.goto(f"{ckan}/data-request/{rid}")
    assert page.locator(".tb-request-status").inner_text().startswith("完了")
    assert page.get_by_text("公開済み").first.is_visible()
    assert page.get_by_text("研修で CSV を公開しました。毎週月曜日に更新する想定です。").is_visible()
    assert page.locator("#tb-close-submit").count() == 0  # a requester sees no staff forms
    page.get_by_role("link", name=DATASET_TITLE).first.click()
    page.wait_for_url(f"**/dataset/{dataset}")
    assert page.locator(".tb-dataset-requests").get_by_role("link", name=TITLE).is_visible()
    page.goto(f"{ckan}/data-request/{rid}")
    page.screenshot(path=str(shot("8-requester-sees-closed")), full_page=True)

    # a visitor sees the use case on the dataset page, but not the training copy it answered
    page.context.clear_cookies()
    page.goto(f"{ckan}/dataset/{dataset}")
    assert page.locator(".tb-dataset-usecases .tb-usecase-card", has_text=USECASE_TITLE).is_visible()
    assert page.locator(".tb-dataset-requests").count() == 0
    assert ckan_admin.action.testbed_request_show(id=rid)["organization"]["name"] == sandbox
    assert page.external_requests == []

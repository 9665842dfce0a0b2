"""Publishing through CKAN's web pages, as the staff who will publish their city's data do it: a trainee signed in
through the hub creates a dataset in their sandbox with CKAN's form (a Japanese title gets a readable URL name),
uploads a CSV, and sees it loaded into the DataStore and previewed; another trainee's sandbox offers them nothing
to write."""

from __future__ import annotations

import secrets
import time

import pytest
from helpers import cohort

from testbed_config.names import ckan_user_name, sandbox_org_name

pytestmark = pytest.mark.browser

CSV = (
    "施設名,所在地,面積（平方メートル）\nみどり中央公園,みどり野市本町1-1,12000\nさくら児童公園,みどり野市桜台2-3,850\n"
)


@pytest.fixture
def two_trainees(tmp_path):
    """Two cohort trainees (hub user, password, CKAN user, sandbox); removed afterwards with everything they made."""
    a, b = f"pw{secrets.token_hex(3)}", f"pw{secrets.token_hex(3)}"
    pw = cohort.import_roster(tmp_path, [(a, "公開 一郎", "デジタル推進課"), (b, "隣 花子", "企画課")])
    try:
        yield (a, pw[a]), b
    finally:
        cohort.remove(a)
        cohort.remove(b)


def _sign_in_to_ckan(page, hub, ckan: str, name: str, password: str) -> None:
    page.goto(f"{hub.public}/hub/login?next=/hub/home")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/hub/home**")
    page.goto(f"{ckan}/user/login")
    page.locator("#testbed-sso-login").click()
    page.wait_for_url("**/dashboard/**")
    assert page.locator(f".account-masthead a[href='/user/{ckan_user_name(name)}']").count() >= 1


def test_trainee_publishes_a_csv_through_the_web_form_and_sees_its_preview(
    page, hub, stack_config, ckan_admin, two_trainees, screenshots, tmp_path
):
    (name, password), other = two_trainees
    ckan = stack_config.ckan_url.rstrip("/")
    mine, theirs = sandbox_org_name(name), sandbox_org_name(other)
    _sign_in_to_ckan(page, hub, ckan, name, password)
    created = None
    try:
        # their sandbox, then CKAN's own "add a dataset" button there
        page.goto(f"{ckan}/organization/{mine}")
        page.locator("a[href^='/dataset/new']").first.click()
        page.wait_for_url("**/dataset/new**")
        page.fill("#field-title", "みどり野市 公園一覧")
        # the URL name is proposed from the Japanese title: romanised, never empty or "web"
        slug = page.locator("#field-name")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not slug.input_value():
            page.wait_for_timeout(200)
        proposed = slug.input_value()
        assert proposed and proposed != "web" and proposed.isascii(), proposed
        assert "koen" in proposed, proposed  # 公園
        # another trainee's sandbox is not among the organisations this trainee may publish to
        options = page.locator("#field-organizations option").evaluate_all("els => els.map(e => e.value)")
        org_names = page.locator("#field-organizations option").all_inner_texts()
        assert theirs not in " ".join(org_names + options), (options, org_names)
        page.fill("#field-notes", "研修で作った公園の一覧です。")
        page.screenshot(path=str(screenshots / "publish-1-dataset-form.png"), full_page=True)
        page.locator("button[name=save]").click()

        # the resource: upload the CSV
        page.wait_for_url("**/resource/new**")
        created = page.url.split("/dataset/")[1].split("/")[0]
        csv = tmp_path / "kouen.csv"
        csv.write_text(CSV, encoding="utf-8")
        # CKAN's upload module names the resource after the file once it has started (it fetches its translations
        # first): a file chosen before that goes unnamed (名無しのリソース). A person sees the name appear; when it does
        # not, they choose the file again.
        upload, name = page.locator("input[type=file][name=upload]"), page.locator("#field-name")
        deadline = time.monotonic() + 60
        while True:
            upload.set_input_files(str(csv))
            named = time.monotonic() + 3
            while time.monotonic() < named and not name.input_value():
                page.wait_for_timeout(200)
            if name.input_value():
                break
            assert time.monotonic() < deadline, "the resource form never named the uploaded file"
            upload.set_input_files([])
        assert "kouen" in name.input_value(), name.input_value()
        page.screenshot(path=str(screenshots / "publish-2-resource-form.png"), full_page=True)
        page.locator("button[name=save][value=go-metadata]").click()
        page.wait_for_url(f"**/dataset/{created}**")
        assert page.get_by_text("みどり野市 公園一覧").first.is_visible()
        page.screenshot(path=str(screenshots / "publish-3-dataset.png"), full_page=True)

        # the resource page previews the table once the DataStore has it (loaded by CKAN's jobs worker)
        page.locator("a[href*='/resource/']", has_text="kouen").first.click()
        page.wait_for_url("**/resource/**")
        resource_url = page.url
        deadline = time.monotonic() + 90
        while True:
            frames = [page, *[f for f in page.frames]]
            if any(f.locator("td", has_text="さくら児童公園").count() for f in frames):
                break
            assert time.monotonic() < deadline, "the CSV never showed in the DataStore preview"
            page.wait_for_timeout(2000)
            page.goto(resource_url)
        page.screenshot(path=str(screenshots / "publish-4-preview.png"), full_page=True)
        pkg = ckan_admin.action.package_show(id=created)
        assert pkg["organization"]["name"] == mine
        assert pkg["resources"][0]["datastore_active"] is True
        rows = ckan_admin.action.datastore_search(resource_id=pkg["resources"][0]["id"])["records"]
        assert [r["施設名"] for r in rows] == ["みどり中央公園", "さくら児童公園"]

        # the other trainee's sandbox: nothing to add or edit there, and its edit page is refused
        page.goto(f"{ckan}/organization/{theirs}")
        page.screenshot(path=str(screenshots / "publish-5-other-sandbox.png"), full_page=True)
        assert page.locator("a[href^='/dataset/new']").count() == 0
        assert page.locator(f"a[href*='/organization/edit/{theirs}']").count() == 0
        refused = page.goto(f"{ckan}/organization/edit/{theirs}")
        assert refused.status in (401, 403), refused.status
        refused = page.goto(f"{ckan}/dataset/new?owner_org={theirs}")
        # the form may open (for their own sandbox), but never offers the other trainee's organisation
        assert theirs not in " ".join(page.locator("#field-organizations option").all_inner_texts())
        assert page.external_requests == []
    finally:
        if created:
            ckan_admin.action.dataset_purge(id=created)

"""The catalogue as the city's portal, on the running stack: a real trainee's sandbox copy of the AED dataset
stays out of what an anonymous visitor sees, the official dataset ranks first, and the copy is still found
by its owner and on purpose (issue #13 item 4; ckanext-testbed practice.py / portal.py)."""

from __future__ import annotations

import re

import ckanapi
import pytest
import requests

from ckan_seed.trainees import ensure_trainee, remove_trainee
from testbed_config.names import sandbox_org_name

pytestmark = pytest.mark.integration

OFFICIAL = "midorino-aed"  # AED設置箇所一覧 of 危機管理課 (datasets/manifest.yaml)


@pytest.fixture
def sandbox_copy(ckan_url, ckan_admin, layout, unique, tmp_path):
    """A real trainee (CKAN user, sandbox, own token) who published a public copy titled like the AED dataset."""
    name = f"tr{unique()}"
    admin_token = (layout.secrets / "ckan-admin-token").read_text().strip()
    account = ensure_trainee(ckan_url, admin_token, name, fullname="研修 花子", token_db=tmp_path / "tokens.sqlite")
    own = ckanapi.RemoteCKAN(ckan_url, apikey=account.token, user_agent="testbed-tests")
    official = ckan_admin.action.package_show(id=OFFICIAL)
    copy = own.action.package_create(
        name=f"{name}-aed",
        title=official["title"],  # the very title of the city's dataset, and the word twice more
        notes="AED の練習用コピーです。AED",
        tags=[{"name": "AED"}],
        owner_org=account.org_name,
    )
    yield {"name": name, "org": account.org_name, "copy": copy, "own": own, "org_title": "研修 花子 のサンドボックス"}
    remove_trainee(ckan_url, admin_token, name, token_db=tmp_path / "tokens.sqlite")
    for action, ref in (("dataset_purge", copy["id"]), ("organization_purge", account.org_name)):
        try:
            ckan_admin.call_action(action, {"id": ref})
        except ckanapi.NotFound:
            pass


def _visible_sandboxes(html: str) -> list[str]:
    """Sandbox names and titles (「<氏名> のサンドボックス」, ckan_seed/trainees.py) on a page."""
    return sorted(set(re.findall(r"sandbox-[a-z0-9_-]+", html)) | set(re.findall(r"[^<>\s]+ のサンドボックス", html)))


def test_does_an_anonymous_aed_search_rank_the_official_dataset_first_without_the_copy(ckan_anon, sandbox_copy):
    """Does package_search q=AED (no filter) give 危機管理課's dataset first and no sandbox dataset at all?"""
    result = ckan_anon.action.package_search(q="AED", rows=50)
    names = [d["name"] for d in result["results"]]
    assert names[0] == OFFICIAL, names
    assert sandbox_copy["copy"]["name"] not in names
    assert not [d for d in result["results"] if (d.get("organization") or {}).get("name", "").startswith("sandbox-")]


@pytest.mark.parametrize("path", ["/", "/dataset/", "/dataset/?q=AED", "/organization/"])
def test_do_the_public_pages_show_no_trainee_sandbox(ckan_url, sandbox_copy, path):
    """Do the home page, /dataset, an AED search and /organization, seen anonymously, name no sandbox?"""
    response = requests.get(f"{ckan_url}{path}", timeout=30)
    assert response.status_code == 200
    assert _visible_sandboxes(response.text) == [], path
    assert sandbox_copy["copy"]["name"] not in response.text


def test_is_the_aed_search_page_led_by_the_official_dataset(ckan_url, sandbox_copy):
    """Is the first result on /dataset?q=AED the city's AED dataset?"""
    html = requests.get(f"{ckan_url}/dataset/", params={"q": "AED"}, timeout=30).text
    first = re.search(r'<h2 class="dataset-heading">\s*<a href="/dataset/([^"]+)"', html)
    assert first and first.group(1) == OFFICIAL


def test_is_the_sandbox_left_out_of_organization_list(ckan_anon, sandbox_copy):
    """Is the sandbox missing from organization_list, but listed when asked (include_practice)?"""
    assert sandbox_copy["org"] not in ckan_anon.action.organization_list()
    assert sandbox_copy["org"] in ckan_anon.action.organization_list(include_practice=True)
    assert "kikikanri-ka" in ckan_anon.action.organization_list()


def test_is_the_copy_still_found_by_its_owner_and_on_purpose(ckan_url, ckan_anon, sandbox_copy):
    """Does its owner find it in the sandbox, ext_practice find it (official first), its org page list it?"""
    own, org = sandbox_copy["own"], sandbox_copy["own"].action.organization_show(id=sandbox_copy["org"])
    mine = own.action.package_search(fq=f'owner_org:"{org["id"]}"', include_private=True)
    assert [d["name"] for d in mine["results"]] == [sandbox_copy["copy"]["name"]]
    both = [d["name"] for d in ckan_anon.action.package_search(q="AED", ext_practice="include", rows=50)["results"]]
    assert both.index(OFFICIAL) < both.index(sandbox_copy["copy"]["name"])
    only = [d["name"] for d in ckan_anon.action.package_search(q="AED", ext_practice="only", rows=50)["results"]]
    assert sandbox_copy["copy"]["name"] in only and OFFICIAL not in only
    page = requests.get(f"{ckan_url}/organization/{sandbox_org_name(sandbox_copy['name'])}", timeout=30).text
    assert sandbox_copy["copy"]["name"] in page

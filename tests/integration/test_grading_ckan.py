"""CKAN-aware checks against the real CKAN, read-only and anonymous (grader/ckan_checks.py)."""

from __future__ import annotations

import pytest

from grader.ckan_checks import CkanSpec, ReadOnlyCkan, check, parse_spec

pytestmark = pytest.mark.integration


@pytest.fixture
def published(ckan_admin, unique, tmp_path):
    """A public dataset '<student>-hinanjo' with a UTF-8 CSV loaded into the DataStore."""
    student = unique()
    org = ckan_admin.action.organization_create(name=f"org-{student}", title="テスト組織")
    csv = tmp_path / "hinanjo.csv"
    csv.write_text("名称,収容人数\n第一小学校,300\n", encoding="utf-8")
    pkg = ckan_admin.action.package_create(
        name=f"{student}-hinanjo", title="避難所一覧", notes="テスト", license_id="cc-by", owner_org=org["id"]
    )
    with open(csv, "rb") as f:
        res = ckan_admin.action.resource_create(package_id=pkg["id"], name="避難所", format="CSV", upload=f)
    ckan_admin.action.testbed_datastore_load(resource_id=res["id"], sync=True)
    yield student
    ckan_admin.action.dataset_purge(id=pkg["id"])
    ckan_admin.action.organization_purge(id=org["id"])


def test_does_a_correct_publication_pass_every_check(ckan_url, published):
    """Does a dataset with metadata, a UTF-8 CSV and the right DataStore columns pass (anonymous reader)?"""
    spec = CkanSpec(
        dataset="{student}-hinanjo", formats=["csv"], encoding="utf-8", datastore_columns=["名称", "収容人数"]
    )
    assert check(ReadOnlyCkan(ckan_url), spec, published) == []


def test_do_failing_checks_say_what_was_expected(ckan_url, published):
    """Are a wrong format, a missing column and a missing dataset each explained in Japanese?"""
    spec = CkanSpec(dataset="{student}-hinanjo", formats=["XLSX"], datastore_columns=["住所"])
    problems = check(ReadOnlyCkan(ckan_url), spec, published)
    assert any("XLSX" in p for p in problems) and any("住所" in p for p in problems)
    missing = check(ReadOnlyCkan(ckan_url), CkanSpec(dataset="{student}-nai"), published)
    assert missing and "見つかりません" in missing[0]


def test_is_a_check_cell_recognised_from_its_comment():
    """Is a cell starting with the marker parsed into a spec, and any other cell ignored?"""
    spec = parse_spec('# testbed-ckan-check\n# {"dataset": "{student}-hinanjo", "formats": ["CSV"]}\n')
    assert spec.dataset == "{student}-hinanjo" and spec.formats == ["CSV"]
    assert parse_spec("assert True") is None

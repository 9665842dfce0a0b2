"""Screen-reader labels and alternative texts CKAN 2.12 writes literally in English, in Japanese on a dataset's
and a resource's pages (the ``testbed_i18n`` templates that replace only those attributes of CKAN's blocks)."""

from __future__ import annotations

import re

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]

LABELS = re.compile(r'(?:aria-label|alt|title|placeholder)="([^"]*)"')


def _english(html: str) -> list[str]:
    """The labels of ``html`` with a Latin word of three letters or more and no Japanese (not a name or URL)."""
    out = []
    for value in LABELS.findall(html):
        if re.search(r"[A-Za-z]{3}", value) and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", value):
            if not re.fullmatch(r"[\w.:/-]+", value):  # slugs, file names, URLs
                out.append(value)
    return out


def test_are_the_labels_of_a_dataset_and_its_resource_view_japanese(app):
    """Do the preview iframe (aria-label "Data viewer") and the Open Data badges (alt) speak Japanese, the rest of
    CKAN's rendering of those blocks unchanged?"""
    org = factories.Organization(title="危機管理課")  # content in Japanese, as the city's
    dataset = factories.Dataset(owner_org=org["id"], license_id="cc-by-4.0", title="AED設置箇所一覧")
    resource = factories.Resource(package_id=dataset["id"], url="http://example.com/aed.csv", format="CSV")
    admin = factories.Sysadmin()  # the activity plugin records who created the view
    call_action(
        "resource_view_create",
        context={"user": admin["name"]},
        resource_id=resource["id"],
        view_type="datatables_view",
        title="表",
    )

    page = app.get(f"/dataset/{dataset['name']}").body
    assert 'alt="オープンデータ"' in page and "[Open Data]" not in page and 'alt="Open Data"' not in page
    assert "opendefinition.org/okd/" in page  # the badge itself is still there
    assert _english(page) == []

    view = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}").body
    assert 'aria-label="データのプレビュー"' in view and "Data viewer" not in view
    assert 'data-module="data-viewer"' in view and f"/resource/{resource['id']}/view/" in view
    assert _english(view) == []
    # the check itself: CKAN's English label would be caught
    assert _english('<iframe aria-label="Data viewer">') == ["Data viewer"]

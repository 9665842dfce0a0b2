"""Are the sample use cases (ckan_seed/sample_usecases.py) in the running CKAN after `./testbed up`, registered by
their own accounts and shown on their datasets' pages, and does seeding them again change nothing? A throw-away
sample (unique names) checks that the seeder registers as the account and is idempotent."""

from __future__ import annotations

import dataclasses

import pytest

from ckan_seed.sample_usecases import SAMPLES, remove_sample_usecases, seed_sample_usecases
from testbed_config.ckan_client import CkanClient

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def admin(layout, ckan_url):
    return CkanClient(ckan_url, (layout.secrets / "ckan-admin-token").read_text().strip())


def _by_title(admin: CkanClient, title: str) -> list[dict]:
    found = admin.call("testbed_usecase_list", q=title, practice="include", limit=100)["results"]
    return [u for u in found if u["title"] == title]


def test_are_the_three_samples_there_once_each_and_on_their_datasets_pages(admin, ckan_anon):
    assert seed_sample_usecases(admin, log=lambda _: None) == []  # `up` registered them: nothing registered again
    for sample in SAMPLES:
        [usecase] = _by_title(admin, sample.fields["title"])
        assert usecase["creator"] == (sample.account or "testbed-admin")
        assert [d["name"] for d in usecase["datasets"]] == sample.fields["datasets"]
        assert usecase["created"].endswith("+09:00") and not usecase["practice"]
        listed = ckan_anon.action.testbed_usecase_list(dataset=sample.fields["datasets"][0])["results"]
        assert usecase["id"] in [u["id"] for u in listed]  # what the dataset page shows, to anyone


def test_does_the_seeder_register_as_the_account_and_stay_idempotent(admin, unique):
    run = unique()
    sample = dataclasses.replace(
        SAMPLES[0], account=f"sample-test-{run}", fields={**SAMPLES[0].fields, "title": f"避難所マップ {run}"}
    )
    try:
        assert seed_sample_usecases(admin, (sample,), log=lambda _: None) == [f"避難所マップ {run}"]
        assert seed_sample_usecases(admin, (sample,), log=lambda _: None) == []
        [usecase] = _by_title(admin, f"避難所マップ {run}")
        assert usecase["creator"] == f"sample-test-{run}" and usecase["kind_label"] == "地図"
        assert admin.call("api_token_list", user_id=f"sample-test-{run}") == []  # the short-lived token is revoked
    finally:
        remove_sample_usecases(admin, (sample,))
    assert _by_title(admin, f"避難所マップ {run}") == []

"""Are the sample data requests (ckan_seed/sample_requests.py) in the running CKAN after `./testbed up`, filed by
their own requester accounts, and does seeding them again change nothing? A throw-away sample (unique names)
checks that the seeder files as the requester, closes 対応不可 with the reason, and is idempotent."""

from __future__ import annotations

import dataclasses

import pytest

from ckan_seed.sample_requests import SAMPLES, remove_sample_requests, seed_sample_requests
from testbed_config.ckan_client import CkanClient

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def admin(layout, ckan_url):
    return CkanClient(ckan_url, (layout.secrets / "ckan-admin-token").read_text().strip())


def _by_title(admin: CkanClient, title: str) -> list[dict]:
    found = admin.call("testbed_request_list", q=title, limit=100)["results"]
    return [admin.call("testbed_request_show", id=r["id"]) for r in found if r["title"] == title]


def test_are_the_three_samples_there_once_each_with_their_requesters(admin):
    assert seed_sample_requests(admin, log=lambda _: None) == []  # `up` filed them: nothing filed again
    shown = {s.fields["title"]: _by_title(admin, s.fields["title"]) for s in SAMPLES}
    assert all(len(found) == 1 for found in shown.values()), {t: len(f) for t, f in shown.items()}
    for sample in SAMPLES:
        request = shown[sample.fields["title"]][0]
        assert request["requester"] == sample.requester
        assert request["organization"]["name"] == sample.fields["organization"]
    rejected = shown["避難行動要支援者名簿を公開してほしい"][0]
    assert (rejected["status"], rejected["resolution"], rejected["reason"]) == ("closed", "rejected", "personal_data")
    assert "個人情報" in rejected["close_note"]
    assert shown["指定緊急避難場所の一覧を GeoJSON で公開してほしい"][0]["status"] == "open"  # left for trainees


def test_does_the_seeder_file_as_the_requester_close_with_the_reason_and_stay_idempotent(admin, unique):
    run = unique()
    sample = dataclasses.replace(
        SAMPLES[2], requester=f"sample-test-{run}", fields={**SAMPLES[2].fields, "title": f"名簿の公開 {run}"}
    )
    try:
        assert seed_sample_requests(admin, (sample,), log=lambda _: None) == [f"名簿の公開 {run}"]
        assert seed_sample_requests(admin, (sample,), log=lambda _: None) == []
        [request] = _by_title(admin, f"名簿の公開 {run}")
        assert request["requester"] == f"sample-test-{run}" and request["reason_label"] == "個人情報を含むため"
        tokens = admin.call("api_token_list", user_id=f"sample-test-{run}")
        assert tokens == []  # the short-lived token is revoked
    finally:
        remove_sample_requests(admin, (sample,))
    assert _by_title(admin, f"名簿の公開 {run}") == []

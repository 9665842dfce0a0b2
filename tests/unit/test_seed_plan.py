"""Does the seeder plan the right writes from CKAN's current state (nothing when in sync), and are the
manifest's licences rendered in CKAN's licenses_group_url format?"""

from __future__ import annotations

import copy
import json

import pytest

from ckan_seed import desired
from ckan_seed.diff import LOAD_RECORD, plan_dataset
from ckan_seed.licenses import licenses_json
from ckan_seed.manifest_check import check_manifest
from ckan_seed.report import Report
from ckan_seed.seed import MANIFEST

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def catalogue():
    checked = check_manifest(MANIFEST)
    assert not checked.problems
    return desired.catalogue(checked)


def as_ckan(want: desired.WantDataset) -> dict:
    """What package_show returns after a faithful seed (plus fields CKAN adds on its own)."""
    fields = copy.deepcopy(want.fields)
    have = {
        **fields,
        "id": "pkg-1",
        "state": "active",
        "owner_org": "org-id",
        "organization": {"name": fields["owner_org"], "id": "org-id"},
        "maintainer": fields["maintainer"] or None,
        "groups": [{"name": g["name"], "id": f"g-{g['name']}", "title": "x"} for g in fields["groups"]],
        "extras": list(reversed(fields["extras"])),
        "metadata_modified": "2026-01-01T00:00:00",
        "resources": [],
    }
    for i, r in enumerate(want.resources):
        have["resources"].append(
            {**r.fields, "id": f"res-{i}", "url_type": "upload", "datastore_active": r.datastore, "size": 10}
        )
    return have


def test_is_a_missing_dataset_created(catalogue):
    """Is a dataset CKAN does not have planned as a creation?"""
    want = catalogue[2][0]
    assert plan_dataset(want, None).action == "create"


def test_does_a_faithful_copy_need_no_write(catalogue):
    """Is every manifest dataset, as CKAN returns it after a seed, planned as unchanged?"""
    for want in catalogue[2]:
        plan = plan_dataset(want, as_ckan(want))
        assert plan.action == "unchanged", (want.name, plan.changes)


def test_does_a_changed_file_replace_only_that_resource(catalogue):
    """Is a different SHA-256 planned as an upload of that one resource, labelled for the report?"""
    want = next(w for w in catalogue[2] if len(w.resources) == 3)
    have = as_ckan(want)
    have["resources"][1]["sha256"] = "0" * 64
    plan = plan_dataset(want, have)
    assert plan.action == "update" and plan.metadata == []
    assert [(op.kind, op.resource_id) for op in plan.resource_ops] == [("upload", "res-1")]
    assert plan.changes == [f"リソース「{want.resources[1].name}」のファイル"]


def test_are_edited_fields_and_extras_detected(catalogue):
    """Are a title edited in the CKAN UI, a removed tag and a changed extra all detected?"""
    want = catalogue[2][0]
    have = as_ckan(want)
    have["title"] = "別の題名"
    have["tags"] = have["tags"][1:]
    have["extras"] = [e if e["key"] != "update_frequency" else {**e, "value": "毎日"} for e in have["extras"]]
    plan = plan_dataset(want, have)
    assert sorted(plan.metadata) == ["extras", "tags", "title"]


def test_are_extra_resources_deleted_and_a_deleted_dataset_restored(catalogue):
    """Is a resource not in the manifest deleted, and a deleted dataset brought back?"""
    want = catalogue[2][0]
    have = as_ckan(want)
    have["state"] = "deleted"
    have["resources"].append({"id": "stray", "name": "手で追加したファイル", "url_type": "upload"})
    plan = plan_dataset(want, have)
    assert "state" in plan.metadata
    assert [(op.kind, op.resource_id) for op in plan.resource_ops] == [("delete", "stray")]


def test_is_an_unloaded_datastore_table_loaded(catalogue):
    """Is a DataStore resource whose table is missing planned as a (re)load only?"""
    want = next(w for w in catalogue[2] if w.resources[0].datastore)
    have = as_ckan(want)
    have["resources"][0]["datastore_active"] = False
    plan = plan_dataset(want, have)
    assert [op.kind for op in plan.resource_ops] == ["load"]


def as_received(catalogue) -> tuple[desired.WantDataset, int]:
    """A dataset with a ``datastore: false`` CSV resource, and that resource's index."""
    for want in catalogue[2]:
        for i, r in enumerate(want.resources):
            if not r.datastore and r.fields["format"] == "CSV":
                return want, i
    raise AssertionError("the manifest has no datastore: false CSV")


def test_do_datastore_false_resources_opt_out_of_automatic_loads(catalogue):
    """Is datastore_load "false" on exactly the datastore: false resources (empty on the others)?"""
    resources = [r for want in catalogue[2] for r in want.resources]
    assert {r.fields["datastore_load"] for r in resources if not r.datastore} == {"false"}
    assert {r.fields["datastore_load"] for r in resources if r.datastore} == {""}


def test_is_a_resource_seeded_before_the_opt_out_patched_and_its_table_dropped(catalogue):
    """Does an as-received resource without datastore_load but with a leftover table get patch + unload?"""
    want, i = as_received(catalogue)
    have = as_ckan(want)
    del have["resources"][i]["datastore_load"]
    have["resources"][i]["datastore_active"] = True
    plan = plan_dataset(want, have)
    assert [(op.kind, op.resource_id) for op in plan.resource_ops] == [("patch", f"res-{i}"), ("unload", f"res-{i}")]


def test_is_a_leftover_load_record_removed_even_with_a_new_file(catalogue):
    """Is a load record on a datastore: false resource removed also when its file is replaced?"""
    want, i = as_received(catalogue)
    have = as_ckan(want)
    have["resources"][i] |= {"sha256": "0" * 64, LOAD_RECORD: True}
    plan = plan_dataset(want, have)
    assert [(op.kind, op.resource_id) for op in plan.resource_ops] == [("upload", f"res-{i}"), ("unload", f"res-{i}")]


def test_is_a_replaced_datastore_file_not_loaded_twice(catalogue):
    """Is a changed DataStore file only uploaded (the upload loads it), even while its table is missing?"""
    want = next(w for w in catalogue[2] if w.resources[0].datastore)
    have = as_ckan(want)
    have["resources"][0] |= {"sha256": "0" * 64, "datastore_active": False}
    plan = plan_dataset(want, have)
    assert [op.kind for op in plan.resource_ops] == ["upload"]


def test_are_licences_in_ckan_format():
    """Does the licence file list every manifest licence with the fields CKAN's License reads?"""
    data = json.loads(licenses_json(MANIFEST))
    manifest = check_manifest(MANIFEST).manifest
    assert [x["id"] for x in data] == [x["id"] for x in manifest["licenses"]]
    for lic in data:
        assert {"title", "url", "od_conformance", "osd_conformance", "status"} <= set(lic)
    assert next(x for x in data if x["id"] == "cc-by-4.0")["od_conformance"] == "approved"


def test_does_the_report_name_what_changed():
    """Does the Japanese summary count and name created, updated and unchanged datasets?"""
    report = Report(created=["a"], updated={"b": ["題名"]}, unchanged=["c", "d"])
    text = "\n".join(report.lines())
    assert "作成 1 件、更新 1 件、変更なし 2 件" in text and "b（題名）" in text
    assert not report.in_sync and Report(unchanged=["c"]).in_sync

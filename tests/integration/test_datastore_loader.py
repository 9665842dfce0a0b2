"""Does the testbed_loader plugin load uploaded Japanese tables into CKAN's DataStore?

Runs against the real stack: CKAN with ``datastore testbed_loader`` enabled and its
``ckan jobs worker`` running. Every test uploads through the API exactly as a trainee's
browser would, waits (bounded) for the load status, then reads the DataStore back.
"""

from __future__ import annotations

import io
import time

import ckanapi
import pytest
import requests

pytestmark = pytest.mark.integration

LOAD_TIMEOUT = 60  # seconds; a small file takes well under one
FINISHED = ("complete", "error")

POPULATION_CSV = (
    "年度,地区名,人口,団体コード,調査日\n"
    '2020,中央区,"1,234",012345,2020/10/1\n'
    "2021,北区,,131016,2021-10-01\n"
    "2022,南区,5678,011002,2022-10-01\n"
)
# Clean Shift_JIS, then one byte that is neither UTF-8 nor Shift_JIS deep in the file.
UNDECODABLE = ("年度,地区名\n" + "2020,中央区\n" * 200).encode("cp932") + b"2021,\xff\xfe\n"


@pytest.fixture
def dataset(ckan_admin, unique):
    """A fresh organisation and dataset; purged afterwards with their DataStore tables and statuses."""
    org = ckan_admin.action.organization_create(name=f"loader-org-{unique()}", title="読み込みテスト組織")
    pkg = ckan_admin.action.package_create(name=f"loader-{unique()}", title="読み込みテスト", owner_org=org["id"])
    yield pkg
    for resource in ckan_admin.action.package_show(id=pkg["id"])["resources"]:
        # calculate_record_count=False: CKAN would otherwise queue a count of the dropped table
        _ignore_missing(
            ckan_admin.action.datastore_delete, resource_id=resource["id"], force=True, calculate_record_count=False
        )
        task = _ignore_missing(
            ckan_admin.action.task_status_show,
            entity_id=resource["id"],
            task_type="datastore_load",
            key="testbed_loader",
        )
        if task:
            ckan_admin.action.task_status_delete(id=task["id"])
    ckan_admin.action.dataset_purge(id=pkg["id"])
    ckan_admin.action.organization_purge(id=org["id"])


def _ignore_missing(action, **kwargs):
    try:
        return action(**kwargs)
    except ckanapi.NotFound:
        return None


def upload(ckan, package_id: str, filename: str, data: bytes, fmt: str = "CSV", **fields) -> dict:
    """Create a resource by uploading ``data`` as the file ``filename`` (``fields``: extra resource fields)."""
    return ckan.action.resource_create(
        package_id=package_id, name=filename, format=fmt, upload=(filename, io.BytesIO(data)), **fields
    )


def reupload(ckan, resource_id: str, filename: str, data: bytes) -> dict:
    """Replace the file of an existing resource."""
    return ckan.action.resource_patch(id=resource_id, upload=(filename, io.BytesIO(data)))


def wait_for_load(ckan, resource_id: str) -> dict:
    """Poll testbed_datastore_status until the load has finished; fail after LOAD_TIMEOUT."""
    deadline = time.monotonic() + LOAD_TIMEOUT
    while True:
        status = ckan.action.testbed_datastore_status(resource_id=resource_id)
        if status["state"] in FINISHED:
            return status
        if time.monotonic() > deadline:
            pytest.fail(f"load of {resource_id} not finished after {LOAD_TIMEOUT} s: {status}")
        time.sleep(0.1)


def read_table(ckan, resource_id: str) -> tuple[dict[str, str], list[dict]]:
    """The DataStore's column types (without _id) and records in load order."""
    result = ckan.action.datastore_search(resource_id=resource_id, sort="_id", limit=1000)
    types = {field["id"]: field["type"] for field in result["fields"] if field["id"] != "_id"}
    records = [{key: value for key, value in record.items() if key != "_id"} for record in result["records"]]
    return types, records


def has_table(ckan, resource_id: str) -> bool:
    return _ignore_missing(ckan.action.datastore_search, resource_id=resource_id, limit=0) is not None


def test_is_a_shift_jis_csv_loaded_with_japanese_headers_and_types(ckan_admin, dataset):
    """Is a Shift_JIS CSV with Japanese headers loaded with its names, values and types intact?"""
    resource = upload(ckan_admin, dataset["id"], "人口.csv", POPULATION_CSV.encode("cp932"))

    status = wait_for_load(ckan_admin, resource["id"])

    assert status["state"] == "complete", status
    assert status["rows"] == 3
    assert status["encoding"] == "cp932"
    assert "3 行をデータストアに読み込みました" in status["message"]
    types, records = read_table(ckan_admin, resource["id"])
    assert types == {"年度": "int4", "地区名": "text", "人口": "int4", "団体コード": "text", "調査日": "date"}
    assert records[0] == {
        "年度": 2020,
        "地区名": "中央区",
        "人口": 1234,
        "団体コード": "012345",
        "調査日": "2020-10-01",
    }
    assert records[1]["人口"] is None  # a blank cell is NULL, not 0
    assert records[2]["団体コード"] == "011002"  # leading zero kept
    assert ckan_admin.action.resource_show(id=resource["id"])["datastore_active"] is True


def test_is_a_utf8_csv_with_bom_loaded_without_the_bom_in_the_first_header(ckan_admin, dataset):
    """Is a UTF-8 CSV with a BOM (Excel's "CSV UTF-8") loaded, its first column named 年度 exactly?"""
    resource = upload(ckan_admin, dataset["id"], "population-utf8.csv", POPULATION_CSV.encode("utf-8-sig"))

    status = wait_for_load(ckan_admin, resource["id"])

    assert status["state"] == "complete", status
    assert status["encoding"] == "utf-8-sig"
    types, records = read_table(ckan_admin, resource["id"])
    assert list(types) == ["年度", "地区名", "人口", "団体コード", "調査日"]
    assert [record["地区名"] for record in records] == ["中央区", "北区", "南区"]


def test_does_an_undecodable_file_fail_in_japanese_without_creating_a_table(ckan_admin, dataset):
    """Does a file that is neither UTF-8 nor Shift_JIS end in an error with a Japanese message and no table?"""
    resource = upload(ckan_admin, dataset["id"], "broken.csv", UNDECODABLE)

    status = wait_for_load(ckan_admin, resource["id"])

    assert status["state"] == "error"
    assert "文字コードを判別できません" in status["message"]
    assert "202 行目" in status["message"]
    assert not has_table(ckan_admin, resource["id"])
    assert not ckan_admin.action.resource_show(id=resource["id"]).get("datastore_active")


def test_does_a_reupload_with_changed_columns_replace_the_table(ckan_admin, dataset):
    """Does replacing the file with different columns (and a changed type) reload cleanly, with no leftovers?"""
    resource = upload(ckan_admin, dataset["id"], "v1.csv", "年度,人口\n2020,100\n2021,200\n".encode("cp932"))
    assert wait_for_load(ckan_admin, resource["id"])["state"] == "complete"

    reupload(ckan_admin, resource["id"], "v2.csv", "地区名,人口,面積\n中央区,不明,10.5\n".encode())
    status = wait_for_load(ckan_admin, resource["id"])

    assert status["state"] == "complete", status  # xloader fails here with "User not found"
    types, records = read_table(ckan_admin, resource["id"])
    assert types == {"地区名": "text", "人口": "text", "面積": "numeric"}
    assert records == [{"地区名": "中央区", "人口": "不明", "面積": 10.5}]


def test_does_a_failed_reload_keep_the_previous_data(ckan_admin, dataset):
    """Does a broken replacement file leave the previously loaded table untouched?"""
    resource = upload(ckan_admin, dataset["id"], "good.csv", POPULATION_CSV.encode("cp932"))
    assert wait_for_load(ckan_admin, resource["id"])["state"] == "complete"

    reupload(ckan_admin, resource["id"], "bad.csv", UNDECODABLE)
    status = wait_for_load(ckan_admin, resource["id"])

    assert status["state"] == "error"
    types, records = read_table(ckan_admin, resource["id"])
    assert len(records) == 3
    assert records[0]["地区名"] == "中央区"


def test_does_sync_load_finish_within_the_request(ckan_admin, dataset):
    """Does testbed_datastore_load with sync=true return a complete status and a readable table at once?"""
    resource = upload(ckan_admin, dataset["id"], "sync.csv", POPULATION_CSV.encode("cp932"))

    started = time.monotonic()
    status = ckan_admin.action.testbed_datastore_load(resource_id=resource["id"], sync=True)
    elapsed = time.monotonic() - started

    assert status["state"] == "complete", status
    assert status["rows"] == 3
    _types, records = read_table(ckan_admin, resource["id"])
    assert len(records) == 3
    assert elapsed < 5, f"sync load took {elapsed:.2f} s"


def test_is_a_ten_thousand_row_file_loaded_completely(ckan_admin, dataset):
    """Is a 10,000-row Shift_JIS file loaded completely, last row included?"""
    lines = ["番号,地区名,人口,日付"] + [f"{i},地区{i},{i * 7},2024-01-{i % 28 + 1:02d}" for i in range(1, 10_001)]
    resource = upload(ckan_admin, dataset["id"], "large.csv", "\n".join(lines).encode("cp932"))

    status = wait_for_load(ckan_admin, resource["id"])

    assert status["state"] == "complete", status
    assert status["rows"] == 10_000
    last = ckan_admin.action.datastore_search(resource_id=resource["id"], sort="_id desc", limit=1)
    assert last["total"] == 10_000
    record = last["records"][0]
    assert record == {"_id": 10_000, "番号": 10_000, "地区名": "地区10000", "人口": 70_000, "日付": "2024-01-05"}


def test_do_blank_and_duplicate_headers_get_usable_names(ckan_admin, dataset):
    """Do blank and repeated headers become 「列N」 and 「…_2」 columns, with a Japanese notice?"""
    resource = upload(ckan_admin, dataset["id"], "headers.csv", "人口,,人口\n1,2,3\n".encode("cp932"))

    status = wait_for_load(ckan_admin, resource["id"])

    assert status["state"] == "complete", status
    assert "「列2」" in status["message"]
    types, records = read_table(ckan_admin, resource["id"])
    assert list(types) == ["人口", "列2", "人口_2"]
    assert records == [{"人口": 1, "列2": 2, "人口_2": 3}]


def test_can_anyone_read_the_status_but_only_editors_load(ckan_admin, ckan_url, dataset):
    """Can an anonymous visitor read a public resource's load status but not trigger a load?"""
    resource = upload(ckan_admin, dataset["id"], "public.csv", POPULATION_CSV.encode("cp932"))
    wait_for_load(ckan_admin, resource["id"])
    anonymous = ckanapi.RemoteCKAN(ckan_url, user_agent="testbed-tests")

    assert anonymous.action.testbed_datastore_status(resource_id=resource["id"])["state"] == "complete"
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.testbed_datastore_load(resource_id=resource["id"], sync=True)


def test_does_a_loaded_resource_get_a_table_preview(ckan_admin, dataset):
    """Does the first successful load add the DataStore table view (datatables_view), as xloader does?"""
    if "datatables_view" not in ckan_admin.action.status_show()["extensions"]:
        pytest.skip("datatables_view is not enabled on this CKAN")
    resource = upload(ckan_admin, dataset["id"], "preview.csv", POPULATION_CSV.encode("cp932"))

    assert wait_for_load(ckan_admin, resource["id"])["state"] == "complete"

    view_types = [view["view_type"] for view in ckan_admin.action.resource_view_list(id=resource["id"])]
    assert "datatables_view" in view_types


def test_is_an_opted_out_upload_left_alone_until_loaded_explicitly(ckan_admin, ckan_url, layout, dataset):
    """Does datastore_load "false" mean no table, no status and no status box, while an explicit load still works?"""
    opted_out = upload(ckan_admin, dataset["id"], "as-received.csv", UNDECODABLE, datastore_load="false")
    # Uploaded after the opted-out file: once the worker has loaded this one, it would have loaded that one too.
    control = upload(ckan_admin, dataset["id"], "control.csv", POPULATION_CSV.encode("cp932"))
    assert wait_for_load(ckan_admin, control["id"])["state"] == "complete"

    with pytest.raises(ckanapi.NotFound):
        ckan_admin.action.testbed_datastore_status(resource_id=opted_out["id"])
    assert not has_table(ckan_admin, opted_out["id"])
    assert not ckan_admin.action.resource_show(id=opted_out["id"]).get("datastore_active")
    token = (layout.secrets / "ckan-admin-token").read_text().strip()
    page = requests.get(
        f"{ckan_url}/dataset/{dataset['id']}/resource/{opted_out['id']}", headers={"Authorization": token}, timeout=30
    )
    assert page.status_code == 200 and "as-received.csv" in page.text
    assert "testbed-loader-status" not in page.text

    reupload(ckan_admin, opted_out["id"], "as-received.csv", POPULATION_CSV.encode("cp932"))
    status = ckan_admin.action.testbed_datastore_load(resource_id=opted_out["id"], sync=True)
    assert status["state"] == "complete", status
    assert len(read_table(ckan_admin, opted_out["id"])[1]) == 3


def test_does_lifting_the_opt_out_load_the_file(ckan_admin, dataset):
    """Does setting datastore_load back to "true" on an opted-out upload queue its load, like a new upload?"""
    resource = upload(ckan_admin, dataset["id"], "later.csv", POPULATION_CSV.encode("cp932"), datastore_load="no")

    ckan_admin.action.resource_patch(id=resource["id"], datastore_load="true")
    status = wait_for_load(ckan_admin, resource["id"])

    assert status["state"] == "complete", status
    assert status["rows"] == 3

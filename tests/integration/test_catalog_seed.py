"""Does `./testbed catalog seed` publish datasets/manifest.yaml to the running CKAN, idempotently?

The real catalogue is seeded (and left seeded: other tests and notebooks read it). Changes are
tried on temporary manifests with unique names in a throw-away organisation, purged afterwards.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import ckanapi
import pytest
import yaml

from ckan_seed.manifest_check import check_manifest
from ckan_seed.problem import ManifestInvalid
from ckan_seed.purge import purge_datasets
from ckan_seed.seed import MANIFEST, catalog_status, seed_catalog

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
REAL = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def token(layout):
    return (layout.secrets / "ckan-admin-token").read_text().strip()


@pytest.fixture(scope="module")
def seeded(ckan_url, token):
    """The real catalogue, seeded (usually already in place: then nothing is written)."""
    report = seed_catalog(ckan_url, token, MANIFEST)
    assert not report.failures, report.failures
    return report


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "testbed"), *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def scratch(tmp_path, unique, ckan_url, token):
    """A temporary manifest with two small datasets (unique names) in a throw-away organisation."""
    suffix = unique()
    org = f"seedtest-org-{suffix}"
    root = tmp_path / "datasets"
    (root / "open").mkdir(parents=True)
    picked = []
    for source in ("midorino-events", "midorino-waste"):
        d = dict(next(d for d in REAL["datasets"] if d["name"] == source))
        d.update(name=f"{source}-{suffix}", owner_org=org, groups=[])
        d["resources"] = [dict(r) for r in d["resources"]]
        for r in d["resources"]:
            shutil.copy(MANIFEST.parent / r["path"], root / r["path"])
        picked.append(d)
    manifest = {
        "licenses": REAL["licenses"],
        "organizations": [{"name": org, "title": "シードテスト用の組織", "description": "テスト後に削除します。"}],
        "groups": [],
        "datasets": picked,
    }
    path = root / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    yield path, [d["name"] for d in picked], org
    purge_datasets(ckan_url, token, [d["name"] for d in picked], organization=org)


def test_is_every_manifest_dataset_in_ckan_with_its_resources(seeded, ckan_admin):
    """Does CKAN hold every organisation, group and dataset of the manifest, with every file uploaded?"""
    checked = check_manifest(MANIFEST)
    for org in REAL["organizations"]:
        assert ckan_admin.action.organization_show(id=org["name"])["title"] == org["title"]
    for group in REAL["groups"]:
        assert ckan_admin.action.group_show(id=group["name"])["title"] == group["title"]
    for d in REAL["datasets"]:
        pkg = ckan_admin.action.package_show(id=d["name"])
        assert (pkg["title"], pkg["organization"]["name"], pkg["private"]) == (d["title"], d["owner_org"], d["private"])
        assert pkg["license_id"] == d["license_id"]
        assert sorted(g["name"] for g in pkg["groups"]) == sorted(d.get("groups", []))
        extras = {e["key"]: e["value"] for e in pkg["extras"]}
        assert extras["update_frequency"] == d["update_frequency"]
        assert extras["temporal_coverage"] == f"{d['temporal_coverage']['start']}/{d['temporal_coverage']['end']}"
        assert [r["name"] for r in pkg["resources"]] == [r["name"] for r in d["resources"]]
        for res, r in zip(pkg["resources"], d["resources"], strict=True):
            assert res["url_type"] == "upload" and res["sha256"] == checked.files[r["path"]].sha256
            assert res["size"] == checked.files[r["path"]].size
            assert bool(res.get("datastore_active")) == bool(r.get("datastore")), (d["name"], r["name"])


def test_do_datastore_tables_keep_japanese_columns_with_sensible_types(seeded, ckan_admin):
    """Are the DataStore tables queryable by Japanese column names, with numbers and dates typed?"""

    def fields(name: str) -> dict[str, str]:
        res = ckan_admin.action.package_show(id=name)["resources"][0]
        result = ckan_admin.action.datastore_search(resource_id=res["id"], limit=1)
        return {f["id"]: f["type"] for f in result["fields"]}

    population = fields("midorino-population-by-area-age")
    assert population["総人口"].startswith("int") and population["調査年月日"] == "date"
    assert population["地域名"] == "text"
    aed = fields("midorino-aed")
    assert aed["緯度"] == "numeric" and aed["名称"] == "text" and aed["町字ID"] == "text"  # leading zeros kept
    res = ckan_admin.action.package_show(id="midorino-population-by-area-age")["resources"][0]
    hit = ckan_admin.action.datastore_search(resource_id=res["id"], filters={"調査年月日": "2025-01-01"}, limit=100)
    assert hit["total"] == 24


def test_are_datastore_false_files_kept_out_of_the_datastore(seeded, ckan_admin):
    """Do the manifest's datastore: false files (e.g. as received) opt out, with no table and no load status?"""
    off = {(d["name"], r["name"]) for d in REAL["datasets"] for r in d["resources"] if not r.get("datastore")}
    assert any(name.endswith("-as-received") for name, _ in off)
    for name in sorted({name for name, _ in off}):
        for res in ckan_admin.action.package_show(id=name)["resources"]:
            if (name, res["name"]) not in off:
                assert not res.get("datastore_load"), (name, res["name"])  # not set, or empty
                continue
            assert res["datastore_load"] == "false" and not res.get("datastore_active"), (name, res["name"])
            with pytest.raises(ckanapi.NotFound):
                ckan_admin.action.testbed_datastore_status(resource_id=res["id"])


def test_is_internal_data_invisible_to_anonymous_visitors(seeded, ckan_admin, ckan_anon):
    """Are the private 庁内 datasets, their files and tables hidden from someone not logged in?"""
    internal = [d["name"] for d in REAL["datasets"] if d["private"]]
    assert internal
    public_names, start = set(), 0
    while True:  # every dataset an anonymous visitor can list (other tests may have added many)
        page = ckan_anon.action.package_search(rows=1000, start=start, include_private=True)["results"]
        public_names |= {d["name"] for d in page}
        start += 1000
        if len(page) < 1000:
            break
    for name in internal:
        assert name not in public_names
        with pytest.raises((ckanapi.NotAuthorized, ckanapi.NotFound)):
            ckan_anon.action.package_show(id=name)
        res = ckan_admin.action.package_show(id=name)["resources"][0]
        with pytest.raises((ckanapi.NotAuthorized, ckanapi.NotFound)):
            ckan_anon.action.datastore_search(resource_id=res["id"], limit=1)
    assert "midorino-aed" in public_names


def test_does_a_second_seed_change_nothing(seeded, ckan_url, token, ckan_admin):
    """Does re-seeding an unchanged catalogue write nothing (metadata_modified identical)?"""
    before = {d["name"]: ckan_admin.action.package_show(id=d["name"])["metadata_modified"] for d in REAL["datasets"]}
    report = seed_catalog(ckan_url, token, MANIFEST)
    assert report.created == [] and report.updated == {} and not report.changed
    assert sorted(report.unchanged) == sorted(before)
    after = {name: ckan_admin.action.package_show(id=name)["metadata_modified"] for name in before}
    assert after == before
    status = catalog_status(ckan_url, token, MANIFEST)
    assert status.in_sync, status.lines(status=True)


def test_does_the_cli_report_counts_and_status(seeded):
    """Do `./testbed catalog seed` and `status` say the catalogue is unchanged / in sync (exit 0)?"""
    seed = run_cli("catalog", "seed")
    assert seed.returncode == 0, seed.stderr
    assert f"変更なし {len(REAL['datasets'])} 件" in seed.stdout
    status = run_cli("catalog", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "一致しています" in status.stdout


def test_does_a_changed_file_update_only_its_dataset(scratch, ckan_url, token, ckan_admin):
    """After one file changes, is only its dataset updated (the other keeps metadata_modified)?"""
    path, (changed, untouched), _org = scratch
    first = seed_catalog(ckan_url, token, path)
    assert sorted(first.created) == sorted([changed, untouched]) and not first.failures
    before = {n: ckan_admin.action.package_show(id=n) for n in (changed, untouched)}
    csv = path.parent / "open" / "events.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    csv.write_text("".join(lines + lines[-1:]), encoding="utf-8")  # one more row

    dry = seed_catalog(ckan_url, token, path, dry_run=True)
    assert list(dry.updated) == [changed]
    assert ckan_admin.action.package_show(id=changed)["metadata_modified"] == before[changed]["metadata_modified"]
    drift = run_cli("catalog", "status", "--manifest", str(path))
    assert drift.returncode == 1 and changed in drift.stdout

    second = seed_catalog(ckan_url, token, path)
    assert list(second.updated) == [changed] and second.unchanged == [untouched]
    assert "ファイル" in second.updated[changed][0]
    after = {n: ckan_admin.action.package_show(id=n) for n in (changed, untouched)}
    assert after[untouched]["metadata_modified"] == before[untouched]["metadata_modified"]
    assert after[changed]["metadata_modified"] > before[changed]["metadata_modified"]
    res = after[changed]["resources"][0]
    assert res["id"] == before[changed]["resources"][0]["id"]  # replaced in place, not re-created
    rows = ckan_admin.action.datastore_search(resource_id=res["id"], limit=0)["total"]
    assert rows == len(lines)  # header + data rows before, one extra row now


def test_does_a_broken_manifest_publish_nothing(scratch, ckan_url, token, ckan_admin):
    """With an undecodable file and an unknown organisation, is nothing at all created in CKAN?"""
    path, names, org = scratch
    (path.parent / "open" / "waste_monthly.csv").write_bytes("年度,月\n2024,４月\n".encode("cp932"))
    text = path.read_text(encoding="utf-8").replace(f"owner_org: {org}", "owner_org: no-such-org", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestInvalid) as info:
        seed_catalog(ckan_url, token, path)
    assert {"waste_monthly.csv", "no-such-org"} <= {
        w for w in ("waste_monthly.csv", "no-such-org") if w in str(info.value)
    }
    cli = run_cli("catalog", "seed", "--manifest", str(path))
    assert cli.returncode == 1 and "何も公開していません" in cli.stderr and "no-such-org" in cli.stderr
    for name in names:
        with pytest.raises(ckanapi.NotFound):
            ckan_admin.action.package_show(id=name)
    with pytest.raises(ckanapi.NotFound):
        ckan_admin.action.organization_show(id=org)


def test_does_turning_datastore_off_drop_the_table_once(scratch, ckan_url, token, ckan_admin):
    """When a loaded file becomes datastore: false, is its table and load status dropped, and then nothing more?"""
    path, (events, _waste), _org = scratch
    assert not seed_catalog(ckan_url, token, path).failures
    res_id = ckan_admin.action.package_show(id=events)["resources"][0]["id"]
    assert ckan_admin.action.testbed_datastore_status(resource_id=res_id)["state"] == "complete"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(d for d in manifest["datasets"] if d["name"] == events)["resources"][0]["datastore"] = False
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")

    report = seed_catalog(ckan_url, token, path)

    assert list(report.updated) == [events] and not report.failures
    assert any("不要な DataStore" in label for label in report.updated[events])
    res = ckan_admin.action.resource_show(id=res_id)
    assert res["datastore_load"] == "false" and not res.get("datastore_active")
    with pytest.raises(ckanapi.NotFound):
        ckan_admin.action.datastore_search(resource_id=res_id, limit=0)
    with pytest.raises(ckanapi.NotFound):
        ckan_admin.action.testbed_datastore_status(resource_id=res_id)
    assert seed_catalog(ckan_url, token, path).updated == {}


def test_catalogue_comes_with_usage_for_the_dashboard(ckan_anon):
    """Do the sample datasets show page views and downloads (CKAN tracking, the fictional history seeded by
    `up`), and does the home page's sort by recent views put the disaster-prevention data first?"""
    ds = ckan_anon.action.package_show(id="midorino-evacuation-sites")
    assert ds["tracking_summary"]["total"] > 100
    assert sum(r["tracking_summary"]["total"] for r in ds["resources"]) > 10
    quiet = ckan_anon.action.package_show(id="midorino-finance-as-received")
    assert quiet["tracking_summary"]["total"] < ds["tracking_summary"]["total"]
    top = ckan_anon.action.package_search(sort="views_recent desc", rows=3)["results"]
    assert {d["name"] for d in top} & {"midorino-evacuation-sites", "midorino-aed", "midorino-population-by-area-age"}

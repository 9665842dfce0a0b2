"""Publish datasets/manifest.yaml to CKAN: ``seed_catalog`` (also ``dry_run``) and ``catalog_status``.

Order (the seeder contract in datasets/README.md): validate the manifest and every file (publish
nothing if anything is wrong), check the licences CKAN knows, then organisations and groups,
then each dataset with its uploads and DataStore loads. A dataset is only written when it
differs from the manifest (fields compared one by one, files by SHA-256), so a re-run without
changes writes nothing and keeps every ``metadata_modified``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from ckan_seed import desired, diff
from ckan_seed.manifest_check import check_manifest
from ckan_seed.problem import ManifestInvalid, SeedError
from ckan_seed.report import Report
from testbed_config.ckan_client import CkanClient, CkanError

MANIFEST = Path(__file__).resolve().parent.parent / "datasets" / "manifest.yaml"
LOADABLE = {"CSV", "TSV", "XLSX"}  # formats the testbed_loader plugin loads on upload
Log = Callable[[str], None]
Progress = Callable[[int, int, str], None]
USER_AGENT = "testbed-catalog-seed"
TIMEOUT = 120  # seconds: an upload with a synchronous DataStore load is one request
RETRIES = 5  # about 15 s of waiting for a CKAN that is (re)starting, e.g. during ./testbed up


def _quiet(_msg: str) -> None:
    pass


def client_for(ckan_url: str, token: str) -> CkanClient:
    """The seeder's CKAN client: long timeout for uploads, patient with a CKAN that is starting."""
    return CkanClient(ckan_url, token, timeout=TIMEOUT, retries=RETRIES, user_agent=USER_AGENT)


def seed_catalog(
    ckan_url: str,
    token: str,
    manifest_path: Path = MANIFEST,
    *,
    dry_run: bool = False,
    log: Log = _quiet,
    progress: Progress | None = None,
    workers: int = 4,
) -> Report:
    """Make CKAN hold the manifest's catalogue; returns what was created, updated or left unchanged.

    Raises ManifestInvalid (nothing published) when the manifest or a file is invalid, and
    SeedError when CKAN cannot be reached or refuses the token. A dataset that fails half-way is
    listed in ``report.failures``; the next run finishes it.
    """
    started = time.monotonic()
    checked = check_manifest(Path(manifest_path))
    if checked.problems:
        raise ManifestInvalid(checked.problems)
    client = client_for(ckan_url, token)
    orgs, groups, datasets = desired.catalogue(checked)
    report = Report(dry_run=dry_run)
    try:
        report.warnings += _licence_warnings(client, checked.manifest)
        for action, items, kind in (("organization", orgs, report.organizations), ("group", groups, report.groups)):
            _sync_groups(client, action, items, kind, dry_run, log)
        plans = _plans(client, datasets, workers)
    except CkanError as exc:  # nothing can be published (CKAN unreachable, token refused ...)
        raise SeedError(str(exc)) from exc
    total = len(plans)
    for i, plan in enumerate(plans, start=1):
        try:
            if plan.action != "unchanged" and not dry_run:
                _apply(client, plan, log)
            _record(report, plan)
        except (SeedError, CkanError) as exc:
            report.failures[plan.want.name] = str(exc)
            log(f"{plan.want.name} の公開に失敗しました: {exc}")
        if progress:
            progress(i, total, plan.want.name)
    report.seconds = round(time.monotonic() - started, 2)
    return report


def catalog_status(ckan_url: str, token: str, manifest_path: Path = MANIFEST, *, workers: int = 4) -> Report:
    """Drift between the manifest and CKAN (nothing is written): missing, changed and extra datasets."""
    report = seed_catalog(ckan_url, token, manifest_path, dry_run=True, workers=workers)
    checked = check_manifest(Path(manifest_path))
    try:
        report.extra = _extra_datasets(client_for(ckan_url, token), checked.manifest)
    except CkanError as exc:
        raise SeedError(str(exc)) from exc
    return report


def _record(report: Report, plan: diff.DatasetPlan) -> None:
    if plan.action == "create":
        report.created.append(plan.want.name)
    elif plan.action == "update":
        report.updated[plan.want.name] = plan.changes
    else:
        report.unchanged.append(plan.want.name)


def _licence_warnings(client: CkanClient, manifest: dict) -> list[str]:
    known = {lic["id"] for lic in client.call("license_list")}
    missing = [lic["id"] for lic in manifest["licenses"] if lic["id"] not in known]
    if not missing:
        return []
    return [
        f"CKAN にライセンス {', '.join(missing)} が登録されていません（データセットにライセンス名が表示されません）。"
        "ckan.ini の licenses_group_url でマニフェストのライセンス一覧（python -m ckan_seed.licenses が出力）を"
        "読み込ませ、CKAN を再起動してください。"
    ]


def _sync_groups(client: CkanClient, kind: str, items: list[dict], into: dict, dry_run: bool, log: Log) -> None:
    """Create or update organisations (``kind`` organization) or groups (``kind`` group)."""
    label = {"organization": "組織", "group": "グループ"}[kind]
    haves = client.map(lambda item: client.show(f"{kind}_show", id=item["name"]), items)
    for item, have in zip(items, haves, strict=True):
        action = diff.group_diff(item, have)
        if action == "unchanged":
            continue
        into[action].append(item["name"])
        if dry_run:
            continue
        if action == "create":
            client.call(f"{kind}_create", **item)
            log(f"{label}「{item['title']}」を作成しました")
        else:
            client.call(f"{kind}_patch", id=have["id"], state="active", **item)
            log(f"{label}「{item['title']}」を更新しました")


def _plans(client: CkanClient, datasets: list[desired.WantDataset], workers: int) -> list[diff.DatasetPlan]:
    haves = client.map(lambda want: _have(client, want), datasets, workers)
    return [diff.plan_dataset(want, have) for want, have in zip(datasets, haves, strict=True)]


def _have(client: CkanClient, want: desired.WantDataset) -> dict | None:
    """package_show, with a mark on resources that have a load record although the manifest says datastore: false."""
    have = client.show("package_show", id=want.name)
    unwanted = {r.name for r in want.resources if not r.datastore and r.fields["format"].upper() in LOADABLE}
    for res in (have or {}).get("resources", []):
        if res.get("name") in unwanted and not res.get("datastore_active"):
            if client.show("testbed_datastore_status", resource_id=res["id"]) is not None:
                res[diff.LOAD_RECORD] = True
    return have


def _apply(client: CkanClient, plan: diff.DatasetPlan, log: Log) -> None:
    """Write one dataset's plan."""
    want = plan.want
    if plan.action == "create":
        package = client.call("package_create", **want.fields)
        for r in want.resources:
            _upload(client, r, package_id=package["id"])
        log(f"データセット「{want.fields['title']}」を作成しました")
        return
    if plan.metadata:
        state = {"state": "active"} if "state" in plan.metadata else {}
        client.call("package_patch", retry=True, id=want.name, **want.fields, **state)
    for op in plan.resource_ops:
        if op.kind == "delete":
            client.call("resource_delete", id=op.resource_id)
        elif op.kind == "create":
            _upload(client, op.want, package_id=want.name)
        elif op.kind == "upload":
            _upload(client, op.want, resource_id=op.resource_id)
        elif op.kind == "unload":
            _unload(client, op.resource_id)
        elif op.kind == "patch":
            client.call("resource_patch", retry=True, id=op.resource_id, **op.want.fields)
        elif op.kind == "load":
            _load(client, op.resource_id, op.want)
    if plan.reorder or any(op.kind == "create" for op in plan.resource_ops):
        _reorder(client, want)
    log(f"データセット「{want.fields['title']}」を更新しました（{'、'.join(plan.changes)}）")


def _upload(client: CkanClient, r: desired.WantResource, *, package_id: str = "", resource_id: str = "") -> None:
    """Upload the file (new or replacement) and load it into the DataStore if wanted.

    A ``datastore: false`` resource is sent with ``datastore_load: "false"``, so the loader
    leaves it alone (no automatic load, no status on its page).
    """
    with open(r.path, "rb") as f:
        if resource_id:
            res = client.call("resource_patch", files={"upload": f}, id=resource_id, **r.fields)
        else:
            res = client.call("resource_create", files={"upload": f}, package_id=package_id, **r.fields)
    if r.datastore:
        _load(client, res["id"], r)


def _load(client: CkanClient, resource_id: str, r: desired.WantResource) -> None:
    """Load now, in the request (the automatic background job then finds the same file and skips)."""
    status = client.call("testbed_datastore_load", retry=True, resource_id=resource_id, sync=True)  # same file: skipped
    if status.get("state") != "complete":
        raise SeedError(f"「{r.name}」を DataStore に読み込めませんでした: {status.get('message')}")


def _unload(client: CkanClient, resource_id: str) -> None:
    """Drop the DataStore table and load record left on a ``datastore: false`` resource (e.g. by an older seeder)."""
    if client.call("resource_show", id=resource_id).get("datastore_active"):
        client.call("datastore_delete", resource_id=resource_id, force=True)
    task = client.show("task_status_show", entity_id=resource_id, task_type="datastore_load", key="testbed_loader")
    if task is None:
        return
    client.call("task_status_delete", id=task["id"])


def _reorder(client: CkanClient, want: desired.WantDataset) -> None:
    package = client.call("package_show", id=want.name)
    by_name = {res["name"]: res["id"] for res in package["resources"]}
    order = [by_name[r.name] for r in want.resources if r.name in by_name]
    if [res["id"] for res in package["resources"]] != order:
        client.call("package_resource_reorder", id=package["id"], order=order)


def _extra_datasets(client: CkanClient, manifest: dict) -> list[str]:
    """Datasets in the manifest's organisations that the manifest does not list."""
    wanted = {d["name"] for d in manifest["datasets"]}
    extra: list[str] = []
    for org in manifest["organizations"]:
        start = 0
        while True:
            page = client.show(
                "package_search",
                fq=f'organization:"{org["name"]}"',
                include_private=True,
                include_drafts=True,
                rows=1000,
                start=start,
                fl="name",
            )
            if page is None:
                break
            names = [d["name"] for d in page["results"]]
            extra += [n for n in names if n not in wanted]
            start += len(names)
            if not names or start >= page["count"]:
                break
    return sorted(set(extra))

"""Compare what CKAN holds with what the manifest wants, field by field, without any write.

The result says what a seed would do: create the dataset, or update the named fields and
resources (upload a changed file, patch fields, (re)load the DataStore, delete, reorder), or
nothing. Labels are Japanese because they end up in the admin's report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ckan_seed.desired import RESOURCE_TEXT, WantDataset, WantResource

# set by the seeder on a resource dict when the loader kept a status record for it
LOAD_RECORD = "_testbed_load_record"
FIELD_LABELS = {
    "title": "題名",
    "notes": "説明",
    "owner_org": "組織",
    "private": "公開範囲",
    "license_id": "ライセンス",
    "maintainer": "担当",
    "maintainer_email": "担当メール",
    "tags": "タグ",
    "groups": "グループ",
    "extras": "追加情報",
    "state": "削除済みからの復元",
}


@dataclass
class ResourceOp:
    """One step on a resource: create | upload | patch | load | unload | delete."""

    kind: str
    want: WantResource | None = None
    resource_id: str | None = None
    label: str = ""


@dataclass
class DatasetPlan:
    """What a seed does to one dataset: action is create | update | unchanged."""

    want: WantDataset
    action: str
    metadata: list[str] = field(default_factory=list)  # changed dataset fields (keys of FIELD_LABELS)
    resource_ops: list[ResourceOp] = field(default_factory=list)
    reorder: bool = False

    @property
    def changes(self) -> list[str]:
        """Japanese labels of everything that differs."""
        labels = [FIELD_LABELS[k] for k in self.metadata]
        labels += [op.label for op in self.resource_ops if op.label]
        if self.reorder:
            labels.append("リソースの順序")
        return labels


def _text(value) -> str:
    return "" if value is None else str(value)


def _have_fields(have: dict) -> dict:
    org = have.get("organization") or {}
    return {
        **{k: _text(have.get(k)) for k in ("title", "notes", "license_id", "maintainer", "maintainer_email")},
        "owner_org": org.get("name") or _text(have.get("owner_org")),
        "private": bool(have.get("private")),
        "tags": sorted(t["name"] for t in have.get("tags") or []),
        "groups": sorted(g["name"] for g in have.get("groups") or []),
        "extras": {e["key"]: _text(e["value"]) for e in have.get("extras") or []},
    }


def _want_fields(want: dict) -> dict:
    return {
        **{k: want[k] for k in ("title", "notes", "license_id", "maintainer", "maintainer_email", "owner_org")},
        "private": want["private"],
        "tags": sorted(t["name"] for t in want["tags"]),
        "groups": sorted(g["name"] for g in want["groups"]),
        "extras": {e["key"]: e["value"] for e in want["extras"]},
    }


def metadata_diff(want: WantDataset, have: dict) -> list[str]:
    """Keys of FIELD_LABELS whose values differ (``state`` when the dataset is deleted)."""
    w, h = _want_fields(want.fields), _have_fields(have)
    changed = [k for k in w if w[k] != h[k]]
    if have.get("state") != "active":
        changed.append("state")
    return changed


def resource_ops(want: WantDataset, have: dict) -> tuple[list[ResourceOp], bool]:
    """Steps that make the dataset's resources match, and whether their order must be fixed."""
    existing: dict[str, dict] = {}
    ops: list[ResourceOp] = []
    for res in have.get("resources") or []:
        if res.get("name") in existing or res.get("name") not in {r.name for r in want.resources}:
            ops.append(ResourceOp("delete", resource_id=res["id"], label=f"リソース「{res.get('name')}」の削除"))
        else:
            existing[res["name"]] = res
    for r in want.resources:
        res = existing.get(r.name)
        if res is None:
            ops.append(ResourceOp("create", r, label=f"リソース「{r.name}」の追加"))
            continue
        uploaded = res.get("sha256") != r.fields["sha256"] or res.get("url_type") != "upload"
        if uploaded:  # the upload also sends every field and loads the DataStore if wanted
            ops.append(ResourceOp("upload", r, res["id"], f"リソース「{r.name}」のファイル"))
        elif any(_text(res.get(k)) != r.fields[k] for k in RESOURCE_TEXT):
            ops.append(ResourceOp("patch", r, res["id"], f"リソース「{r.name}」の情報"))
        if r.datastore and not uploaded and not res.get("datastore_active"):
            ops.append(ResourceOp("load", r, res["id"], f"リソース「{r.name}」の DataStore"))
        if not r.datastore and (res.get("datastore_active") or res.get(LOAD_RECORD)):
            ops.append(ResourceOp("unload", r, res["id"], f"リソース「{r.name}」の不要な DataStore"))
    kept = [res["name"] for res in have.get("resources") or [] if existing.get(res.get("name")) is res]
    wanted_order = [r.name for r in want.resources if r.name in existing]
    return ops, kept != wanted_order


def plan_dataset(want: WantDataset, have: dict | None) -> DatasetPlan:
    """The plan for one dataset given CKAN's package_show dict (None when it does not exist)."""
    if have is None:
        return DatasetPlan(want, "create")
    ops, reorder = resource_ops(want, have)
    metadata = metadata_diff(want, have)
    action = "update" if metadata or ops or reorder else "unchanged"
    return DatasetPlan(want, action, metadata, ops, reorder)


def group_diff(want: dict, have: dict | None) -> str:
    """create | update | unchanged for an organisation or group."""
    if have is None:
        return "create"
    same = all(_text(have.get(k)) == want[k] for k in ("title", "description")) and have.get("state") == "active"
    return "unchanged" if same else "update"

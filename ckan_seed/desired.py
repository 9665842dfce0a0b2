"""What CKAN should hold for a checked manifest: organisation, group, dataset and resource dicts.

Every seeded field is always sent (empty string when the manifest leaves it out), so removing a
key from the manifest clears it in CKAN. Resources carry the file's SHA-256 (``sha256``) and its
manifest path (``seed_path``): that is how a re-run knows a file is unchanged without downloading it.
A resource with ``datastore: false`` carries ``datastore_load: "false"`` (empty otherwise), which
tells the ``testbed_loader`` plugin not to load the upload on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ckan_seed.manifest_check import Checked

# dataset extras owned by the seeder (the manifest's keys beyond CKAN's core fields)
EXTRA_KEYS = ("update_frequency", "spatial_coverage", "temporal_coverage", "conforms_to")
DATASET_TEXT = ("title", "notes", "license_id", "maintainer", "maintainer_email")
RESOURCE_TEXT = (
    "name",
    "description",
    "format",
    "encoding",
    "layout",
    "breaks",
    "clean_version",
    "seed_path",
    "sha256",
    "datastore_load",
)


@dataclass
class WantResource:
    fields: dict
    path: Path
    datastore: bool

    @property
    def name(self) -> str:
        return self.fields["name"]


@dataclass
class WantDataset:
    name: str
    fields: dict
    resources: list[WantResource] = field(default_factory=list)


def group_fields(item: dict) -> dict:
    """Organisation or group dict as sent to CKAN."""
    return {"name": item["name"], "title": item["title"], "description": item.get("description") or ""}


def _extras(d: dict) -> list[dict]:
    values = {key: d.get(key) or "" for key in EXTRA_KEYS}
    tc = d.get("temporal_coverage")
    values["temporal_coverage"] = f"{tc['start']}/{tc['end']}" if tc else ""
    return [{"key": k, "value": str(v)} for k, v in sorted(values.items()) if v]


def dataset(d: dict, checked: Checked) -> WantDataset:
    """The CKAN dataset (without resources) and its resources for manifest entry ``d``."""
    fields = {key: str(d.get(key) or "") for key in DATASET_TEXT}
    fields |= {
        "name": d["name"],
        "owner_org": d["owner_org"],
        "private": bool(d["private"]),
        "tags": [{"name": t} for t in d.get("tags") or []],
        "groups": [{"name": g} for g in d.get("groups") or []],
        "extras": _extras(d),
    }
    want = WantDataset(d["name"], fields)
    for r in d["resources"]:
        facts = checked.files[r["path"]]
        rf = {key: "" for key in RESOURCE_TEXT}
        rf |= {
            "name": r["name"],
            "description": r.get("description") or "",
            "format": r["format"],
            "encoding": r.get("encoding") or "",
            "layout": r.get("layout") or "",
            "breaks": " ".join(r.get("breaks") or []),
            "clean_version": r.get("clean_version") or "",
            "seed_path": r["path"],
            "sha256": facts.sha256,
            "datastore_load": "" if r.get("datastore") else "false",
        }
        want.resources.append(WantResource(rf, checked.root / r["path"], bool(r.get("datastore"))))
    return want


def catalogue(checked: Checked) -> tuple[list[dict], list[dict], list[WantDataset]]:
    """(organisations, groups, datasets) wanted in CKAN, in manifest order."""
    m = checked.manifest
    return (
        [group_fields(o) for o in m["organizations"]],
        [group_fields(g) for g in m["groups"]],
        [dataset(d, checked) for d in m["datasets"]],
    )

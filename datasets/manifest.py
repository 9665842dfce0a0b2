"""Load and check datasets/manifest.yaml, the CKAN metadata of every sample dataset.

`problems()` lists what is wrong (unknown organisation, duplicate or non-url-safe names, missing
files, unknown rules or layouts); an empty list means the seeder can publish the manifest.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.yaml"
NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
DATASET_KEYS = {
    "name",
    "title",
    "owner_org",
    "private",
    "license_id",
    "notes",
    "tags",
    "groups",
    "update_frequency",
    "spatial_coverage",
    "temporal_coverage",
    "conforms_to",
    "maintainer",
    "maintainer_email",
    "resources",
}
RESOURCE_KEYS = {
    "name",
    "path",
    "format",
    "encoding",
    "bom",
    "datastore",
    "layout",
    "description",
    "breaks",
    "clean_version",
}


def load(path: Path = MANIFEST) -> dict:
    """The manifest as a dict."""
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def resources(manifest: dict) -> list[tuple[dict, dict]]:
    """Every (dataset, resource) pair."""
    return [(d, r) for d in manifest["datasets"] for r in d["resources"]]


def problems(manifest: dict, root: Path = HERE) -> list[str]:
    """Everything that would stop the seeder or mislead a reader; empty when the manifest is sound."""
    from datasets.layouts import LAYOUTS
    from datasets.rules import RULES

    found = []
    orgs = [o["name"] for o in manifest["organizations"]]
    groups = [g["name"] for g in manifest["groups"]]
    licenses = [x["id"] for x in manifest["licenses"]]
    names = orgs + groups + [d["name"] for d in manifest["datasets"]]
    for name in names:
        if not NAME.match(name):
            found.append(f"name is not url-safe: {name}")
    duplicates = {n for n in names if names.count(n) > 1}
    found += [f"duplicate name (organisations, groups and datasets share CKAN's namespace): {n}" for n in duplicates]
    for d in manifest["datasets"]:
        where = d["name"]
        found += [f"{where}: unknown key {k}" for k in set(d) - DATASET_KEYS]
        if d["owner_org"] not in orgs:
            found.append(f"{where}: unknown organisation {d['owner_org']}")
        found += [f"{where}: unknown group {g}" for g in d.get("groups", []) if g not in groups]
        if d["license_id"] not in licenses:
            found.append(f"{where}: unknown licence {d['license_id']}")
        if d["private"] != (d["owner_org"] == "chonai-data"):
            found.append(f"{where}: internal data must be private and only internal data may be")
        for r in d["resources"]:
            found += [f"{where}: resource {r.get('path')}: unknown key {k}" for k in set(r) - RESOURCE_KEYS]
            if not (root / r["path"]).is_file():
                found.append(f"{where}: missing file {r['path']}")
            if "layout" in r and r["layout"] not in LAYOUTS:
                found.append(f"{where}: unknown layout {r['layout']}")
            found += [f"{where}: unknown rule {b}" for b in r.get("breaks", []) if b not in RULES]
            if "clean_version" in r and not (root / r["clean_version"]).is_file():
                found.append(f"{where}: missing clean version {r['clean_version']}")
    return found

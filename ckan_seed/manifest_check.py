"""Validate datasets/manifest.yaml and every file it names before anything is published.

``check_manifest(path)`` returns the parsed manifest, facts about each file (SHA-256, header) and
every problem found, each with file, line and column and a Japanese message saying what to fix.
The seeder publishes nothing unless the list is empty.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ckan_seed import located_yaml
from ckan_seed.file_check import DATASTORE_FORMATS, FileFacts, check_file, normalise_encoding
from ckan_seed.problem import Problem

NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
INTERNAL_ORG = "chonai-data"
RESERVED_PREFIX = "sandbox-"  # trainees' sandbox organisations (ckan_seed.trainees)
INTERNAL_LICENSE = "internal-only"

# key -> (required, allowed types, Japanese type name)
TEXT = (str, "文字列")
FLAG = (bool, "true / false")
TEXTS = (list, "文字列のリスト")
TOP = {
    "version": (False, int, "数値"),
    "city": (False, dict, "項目の集まり"),
    "licenses": (True, list, "リスト"),
    "organizations": (True, list, "リスト"),
    "groups": (True, list, "リスト"),
    "datasets": (True, list, "リスト"),
}
LICENSE = {"id": (True, *TEXT), "title": (True, *TEXT), "url": (False, *TEXT)}
LICENSE |= {"od_conformance": (False, *TEXT), "osd_conformance": (False, *TEXT)}
ORG = {"name": (True, *TEXT), "title": (True, *TEXT), "description": (False, *TEXT)}
DATASET = {
    "name": (True, *TEXT),
    "title": (True, *TEXT),
    "owner_org": (True, *TEXT),
    "private": (True, *FLAG),
    "license_id": (True, *TEXT),
    "notes": (False, *TEXT),
    "tags": (False, *TEXTS),
    "groups": (False, *TEXTS),
    "update_frequency": (False, *TEXT),
    "spatial_coverage": (False, *TEXT),
    "temporal_coverage": (False, dict, "start と end の組"),
    "conforms_to": (False, *TEXT),
    "maintainer": (False, *TEXT),
    "maintainer_email": (False, *TEXT),
    "resources": (True, list, "リスト"),
}
RESOURCE = {
    "name": (True, *TEXT),
    "path": (True, *TEXT),
    "format": (True, *TEXT),
    "encoding": (False, *TEXT),
    "bom": (False, *FLAG),
    "datastore": (False, *FLAG),
    "layout": (False, *TEXT),
    "description": (False, *TEXT),
    "breaks": (False, *TEXTS),
    "clean_version": (False, *TEXT),
}


@dataclass
class Checked:
    """The outcome of a check: the manifest (None if unreadable), file facts by path, problems."""

    path: Path
    manifest: dict | None
    files: dict[str, FileFacts] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.path.parent


def shown_path(path: Path) -> str:
    """The path as the admin should read it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


def check_manifest(path: Path) -> Checked:
    """Parse and validate the manifest at ``path`` and every file it lists."""
    path = Path(path).resolve()
    checked = Checked(path, None)
    shown = shown_path(path)
    try:
        data = located_yaml.load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        checked.problems.append(
            Problem(shown, None, None, "マニフェストのファイルがありません。パスを確かめてください。")
        )
        return checked
    except UnicodeDecodeError as exc:
        checked.problems.append(
            Problem(shown, None, None, f"UTF-8 として読めません（{exc.reason}）。UTF-8 で保存してください。")
        )
        return checked
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        reason = getattr(exc, "problem", None) or str(exc)
        checked.problems.append(
            Problem(shown, line, column, f"YAML として読めません（{reason}）。書式を直してください。")
        )
        return checked
    if not isinstance(data, dict):
        checked.problems.append(Problem(shown, 1, 1, "マニフェストの中身が項目の集まり（マッピング）ではありません。"))
        return checked
    checked.manifest = data
    _Checker(checked, shown).run(data)
    return checked


class _Checker:
    def __init__(self, checked: Checked, shown: str):
        self.checked = checked
        self.shown = shown

    def add(self, container, key, message: str) -> None:
        line, column = located_yaml.where(container, key)
        self.checked.problems.append(Problem(self.shown, line, column, message))

    def keys(self, item, spec: dict, what: str) -> bool:
        """Unknown keys, missing required keys, wrong types; False if ``item`` is not a mapping."""
        if not isinstance(item, dict):
            self.add(item, None, f"{what}が項目の集まり（key: value）になっていません。")
            return False
        for key in item:
            if key not in spec:
                known = "、".join(spec)
                self.add(item, key, f"{what}に知らない項目「{key}」があります。使える項目: {known}")
        for key, (required, kind, kind_name) in spec.items():
            if key not in item or item[key] is None:
                if required:
                    self.add(item, None, f"{what}に必須の項目「{key}」がありません。")
                continue
            value = item[key]
            wrong = not isinstance(value, kind) or (kind is int and isinstance(value, bool))
            if kind is list and not wrong and spec is not TOP and key != "resources":
                wrong = not all(isinstance(v, str) for v in value)
            if wrong:
                self.add(item, key, f"{what}の「{key}」は{kind_name}で書いてください。")
        return True

    def run(self, data: dict) -> None:
        if not self.keys(data, TOP, "マニフェスト"):
            return
        licenses = self.named(data, "licenses", LICENSE, "ライセンス", key="id")
        orgs = self.named(data, "organizations", ORG, "組織")
        groups = self.named(data, "groups", ORG, "グループ")
        self.named(data, "datasets", DATASET, "データセット")
        self.duplicates(data)
        for d in data.get("datasets") or []:
            if isinstance(d, dict) and isinstance(d.get("name"), str):
                self.dataset(d, set(licenses), set(orgs), set(groups))

    def named(self, data: dict, section: str, spec: dict, what: str, key: str = "name") -> dict[str, dict]:
        """Items of ``section`` that are well-formed, by name; url-safe names checked."""
        found: dict[str, dict] = {}
        items = data.get(section)
        if not isinstance(items, list):
            return found
        for i, item in enumerate(items):
            label = f"{section} の {i + 1} 番目の{what}"
            if not self.keys(item, spec, label) or not isinstance(item.get(key), str):
                continue
            name = item[key]
            if key == "name" and not NAME.match(name):
                self.add(
                    item,
                    key,
                    f"{what}の名前「{name}」は使えません。半角英小文字・数字・「-」「_」の2～100文字にしてください。",
                )
            if key == "name" and name.startswith(RESERVED_PREFIX):
                self.add(
                    item,
                    key,
                    f"{what}の名前「{name}」は使えません。「{RESERVED_PREFIX}」で始まる名前は研修生のサンドボックス用です。",
                )
            if name in found and section == "licenses":
                self.add(item, key, f"ライセンスID「{name}」が重複しています。")
            found.setdefault(name, item)
        return found

    def duplicates(self, data: dict) -> None:
        seen: dict[str, str] = {}
        kinds = [("organizations", "組織"), ("groups", "グループ"), ("datasets", "データセット")]
        for section, what in kinds:
            for item in data.get(section) or []:
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    continue
                name = item["name"]
                if name in seen:
                    self.add(
                        item,
                        "name",
                        f"名前「{name}」が重複しています（{seen[name]}と{what}）。組織・グループ・データセットは"
                        "CKAN で同じ名前空間を使うため、別の名前にしてください。",
                    )
                else:
                    seen[name] = what

    def dataset(self, d: dict, licenses: set[str], orgs: set[str], groups: set[str]) -> None:
        what = f"データセット「{d['name']}」"
        org = d.get("owner_org")
        if isinstance(org, str) and org not in orgs:
            self.add(
                d,
                "owner_org",
                f"{what}の組織「{org}」は organizations にありません。"
                "organizations に追加するか、正しい組織名にしてください。",
            )
        if isinstance(d.get("license_id"), str) and d["license_id"] not in licenses:
            self.add(d, "license_id", f"{what}のライセンス「{d['license_id']}」は licenses にありません。")
        for i, g in enumerate(d.get("groups") or []):
            if isinstance(g, str) and g not in groups:
                self.add(d["groups"], i, f"{what}のグループ「{g}」は groups にありません。")
        if (org == INTERNAL_ORG or d.get("license_id") == INTERNAL_LICENSE) and d.get("private") is not True:
            self.add(d, "private", f"{what}は庁内データです。公開しないよう private: true にしてください。")
        self.temporal(d, what)
        resources = d.get("resources") if isinstance(d.get("resources"), list) else []
        if isinstance(d.get("resources"), list) and not resources:
            self.add(d, "resources", f"{what}にリソース（ファイル）が1つもありません。")
        names: set[str] = set()
        for i, r in enumerate(resources):
            if not self.keys(r, RESOURCE, f"{what}の {i + 1} 番目のリソース"):
                continue
            if r.get("name") in names:
                self.add(r, "name", f"{what}にリソース名「{r['name']}」が2つあります。別の名前にしてください。")
            names.add(r.get("name"))
            self.resource(r, what)

    def temporal(self, d: dict, what: str) -> None:
        tc = d.get("temporal_coverage")
        if not isinstance(tc, dict):
            return
        for key in ("start", "end"):
            try:
                datetime.date.fromisoformat(str(tc.get(key)))
            except ValueError:
                self.add(tc, key, f"{what}の temporal_coverage の {key} は YYYY-MM-DD の日付で書いてください。")

    def resource(self, r: dict, what: str) -> None:
        from datasets.layouts import LAYOUTS
        from datasets.rules import RULES

        if not isinstance(r.get("path"), str) or not isinstance(r.get("format"), str):
            return
        root = self.checked.root
        fmt = r["format"].upper()
        target = (root / r["path"]).resolve()
        if not target.is_relative_to(root) or Path(r["path"]).is_absolute():
            self.add(r, "path", f"{what}のファイル「{r['path']}」はマニフェストのフォルダーの外を指しています。")
            return
        if not target.is_file():
            self.add(r, "path", f"{what}のファイル「{r['path']}」がありません。パスを確かめてください。")
            return
        encoding = normalise_encoding(r.get("encoding"))
        if fmt in ("CSV", "TSV") and encoding is None:
            self.add(
                r,
                "encoding" if "encoding" in r else None,
                f"{what}のファイル「{r['path']}」の encoding がない、または不明です。"
                "UTF-8 か Shift_JIS (cp932) を書いてください。",
            )
        if r.get("datastore") and fmt not in DATASTORE_FORMATS:
            self.add(
                r,
                "datastore",
                f"{what}の {r['format']} ファイルは DataStore に読み込めません。datastore: false にしてください。",
            )
        if isinstance(r.get("layout"), str) and r["layout"] not in LAYOUTS:
            self.add(r, "layout", f"{what}の layout「{r['layout']}」は datasets/layouts.py にありません。")
        for i, rule in enumerate(r.get("breaks") or []):
            if rule not in RULES:
                self.add(r["breaks"], i, f"{what}の breaks「{rule}」は datasets/rules.py のルールIDではありません。")
        if isinstance(r.get("clean_version"), str) and not (root / r["clean_version"]).is_file():
            self.add(r, "clean_version", f"{what}の clean_version「{r['clean_version']}」のファイルがありません。")
        facts, found = check_file(target, shown_path(target), r)
        self.checked.problems += found
        if facts is not None:
            self.checked.files[r["path"]] = facts

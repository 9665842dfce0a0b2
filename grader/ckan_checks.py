"""CKAN-aware checks, evaluated by the TRUSTED grader (never inside the sandbox, which has no network).

An assignment marks a graded test cell as a CKAN check by starting it with ``# testbed-ckan-check``
followed by one comment line of JSON (see grader/README.md). In the sandbox that cell is only
comments; after autograding, the worker runs the check against CKAN's read-only action API
(anonymous, or a non-sysadmin token) and sets that cell's score and a Japanese explanation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from testbed_config.ckan_client import CkanClient, CkanError

MARK = "# testbed-ckan-check"


@dataclass
class CkanSpec:
    """What a trainee must have published. ``dataset`` may contain ``{student}``."""

    dataset: str
    required: list[str] = field(default_factory=lambda: ["title", "notes", "license_id"])
    formats: list[str] = field(default_factory=list)
    encoding: str | None = None
    datastore_columns: list[str] = field(default_factory=list)


def parse_spec(source: str) -> CkanSpec | None:
    """The spec of a check cell, or None when the cell is not a CKAN check."""
    lines = [ln.strip() for ln in source.strip().splitlines()]
    if not lines or lines[0] != MARK:
        return None
    body = " ".join(ln.lstrip("#").strip() for ln in lines[1:])
    return CkanSpec(**json.loads(body))


class ReadOnlyCkan:
    """The grader's view of CKAN: the project's client in read-only mode (GET, every write refused)."""

    MISSING = (CkanError.NOT_FOUND, CkanError.NOT_AUTHORIZED, CkanError.VALIDATION)

    def __init__(self, url: str, token: str | None = None, timeout: float = 10):
        self.client = CkanClient(url, token, timeout=timeout, read_only=True)

    def action(self, name: str, **params) -> dict | None:
        """The action's result, or None when CKAN says not found / not authorised / invalid (e.g. no table)."""
        try:
            return self.client.call(name, **params)
        except CkanError as e:
            if e.kind in self.MISSING:
                return None
            raise

    def head_bytes(self, url: str, n: int = 1_000_000) -> bytes:
        """The first ``n`` bytes of a resource's file."""
        return self.client.download(url, n)


def check(ckan: ReadOnlyCkan, spec: CkanSpec, student: str) -> list[str]:
    """Problems found (Japanese, each saying what was expected); empty when everything is right."""
    name = spec.dataset.format(student=student)
    pkg = ckan.action("package_show", id=name)
    if pkg is None:
        return [f"データセット「{name}」が見つかりません (公開されているか、名前が正しいか確認してください)。"]
    problems = [f"データセットの「{k}」が空です (入力が必要です)。" for k in spec.required if not pkg.get(k)]
    resources = pkg.get("resources", [])
    if not resources:
        return [*problems, "リソース (データファイル) がありません。"]
    if spec.formats:
        want = {f.upper() for f in spec.formats}
        bad = [r.get("name") or r["id"] for r in resources if (r.get("format") or "").upper() not in want]
        if bad:
            problems.append(f"リソースの形式が {'/'.join(sorted(want))} ではありません: {', '.join(bad)}")
    if spec.encoding:
        for r in resources:
            try:
                ckan.head_bytes(r["url"]).decode(spec.encoding)
            except UnicodeDecodeError:
                problems.append(
                    f"リソース「{r.get('name') or r['id']}」の文字コードが {spec.encoding} ではありません。"
                )
            except CkanError:
                problems.append(f"リソース「{r.get('name') or r['id']}」をダウンロードできません。")
    if spec.datastore_columns:
        found = set()
        for r in resources:
            res = ckan.action("datastore_search", resource_id=r["id"], limit=0)
            if res:
                found |= {f["id"] for f in res.get("fields", [])}
        missing = [c for c in spec.datastore_columns if c not in found]
        if missing:
            problems.append(f"DataStore に必要な列がありません: {', '.join(missing)}")
    return problems

"""CKAN-aware checks, evaluated by the TRUSTED grader (never inside the sandbox, which has no network).

An assignment marks a graded test cell as a CKAN check by starting it with ``# testbed-ckan-check``
followed by comment lines of JSON (see grader/README.md); any code after them is the trainee's own
self-check (it runs in their kernel and in the sandbox, and its outcome is replaced here). After
autograding, the worker runs the check against CKAN's read-only action API (anonymous, or the grader's
non-sysadmin read-only account) and sets that cell's score and a Japanese explanation.

Two kinds: a **dataset** check (what a trainee published, ``CkanSpec``) and a **request** check (how a
trainee answered their training copy of a data request in the role-play, ``RequestSpec``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from testbed_config import names
from testbed_config.ckan_client import CkanClient, CkanError
from testbed_config.names import sandbox_org_name

MARK = "# testbed-ckan-check"
# The grader's own CKAN account (testbed_config/names.py): not a sysadmin, a ``member`` of every trainee's sandbox
# (so it sees their training copies of requests; ckan_seed/trainees.py adds it), its token only in the secrets
# directory (root only).
READER_USER = names.CKAN_GRADER_USER
READER_TOKEN_FILE = names.CKAN_GRADER_TOKEN


@dataclass
class CkanSpec:
    """What a trainee must have published. ``dataset`` may contain ``{student}``."""

    dataset: str
    required: list[str] = field(default_factory=lambda: ["title", "notes", "license_id"])
    formats: list[str] = field(default_factory=list)
    encoding: str | None = None
    datastore_columns: list[str] = field(default_factory=list)


EXPECTS = ("published", "rejected")


@dataclass
class RequestSpec:
    """How the trainee must close the training copy of a data request titled ``request`` in their sandbox:
    ``published`` (公開済み, with a public dataset of their sandbox that has a resource) or ``rejected``
    (対応不可 with ``reason``, and nothing published for it)."""

    request: str
    expect: str
    reason: str | None = None

    def __post_init__(self):
        if self.expect not in EXPECTS:
            raise ValueError(f"expect must be one of {EXPECTS}, not {self.expect!r}")


def parse_spec(source: str) -> CkanSpec | RequestSpec | None:
    """The spec of a check cell, or None when the cell is not a CKAN check. The JSON is the comment lines
    right after the mark; lines after them (the trainee's self-check) are not part of it."""
    lines = [ln.strip() for ln in source.strip().splitlines()]
    if not lines or lines[0] != MARK:
        return None
    body = []
    for ln in lines[1:]:
        if not ln.startswith("#"):
            break
        body.append(ln.lstrip("#").strip())
    data = json.loads(" ".join(body))
    return RequestSpec(**data) if "request" in data else CkanSpec(**data)


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


# request checks (the role-play) --------------------------------------------------------------------

RESOLUTION_LABELS = {"published": "公開済み", "partial": "一部対応", "rejected": "対応不可", "duplicate": "重複"}
REASON_LABELS = {"personal_data": "個人情報を含むため"}
PUBLISHING = ("published", "partial")


def find_request(ckan: ReadOnlyCkan, org: str, title: str) -> dict | None:
    """The request titled ``title`` routed to the organisation ``org`` (a training copy), in full; None if none."""
    found = ckan.action("testbed_request_list", organization=org, q=title, limit=100)
    match = next((r for r in (found or {}).get("results", []) if r.get("title") == title), None)
    return ckan.action("testbed_request_show", id=match["id"]) if match else None


def _published_problems(ckan: ReadOnlyCkan, request: dict, org: str) -> list[str]:
    if request.get("resolution") != "published":
        got = RESOLUTION_LABELS.get(request.get("resolution") or "", "未完了")
        return [f"要望が「公開済み」で完了になっていません (いまは「{got}」)。データを公開してから完了にします。"]
    linked = request.get("dataset")
    if not linked:
        return ["要望に、公開したデータセットが結び付いていません (公開されていないか、削除されています)。"]
    pkg = ckan.action("package_show", id=linked["id"])
    if pkg is None or pkg.get("private") or pkg.get("state") != "active":
        return [f"結び付けたデータセット「{linked['name']}」が公開されていません。"]
    problems = []
    if (pkg.get("organization") or {}).get("name") != org:
        problems.append(
            f"結び付けたデータセット「{linked['name']}」が、自分のサンドボックス ({org}) のものではありません。"
        )
    if not pkg.get("resources"):
        problems.append(f"結び付けたデータセット「{linked['name']}」にリソース (データファイル) がありません。")
    return problems


def _rejected_problems(request: dict, spec: RequestSpec) -> list[str]:
    resolution = request.get("resolution")
    if resolution in PUBLISHING or request.get("dataset") or request.get("dataset_hidden"):
        return [
            f"この要望に応えてデータを公開しました (「{RESOLUTION_LABELS.get(resolution or '', resolution)}」で完了"
            "、またはデータセットを結び付けています)。個人情報を含むデータは、オープンデータとして公開できません"
            " (第4回)。この問いは0点です。"
        ]
    if resolution != "rejected":
        got = RESOLUTION_LABELS.get(resolution or "", "未完了")
        return [f"要望が「対応不可」で完了になっていません (いまは「{got}」)。"]
    if spec.reason and request.get("reason") != spec.reason:
        want = REASON_LABELS.get(spec.reason, spec.reason)
        got = request.get("reason_label") or request.get("reason") or "なし"
        return [f"対応不可の理由が「{want}」ではありません (いまは「{got}」)。"]
    return []


def check_request(ckan: ReadOnlyCkan, spec: RequestSpec, student: str) -> list[str]:
    """Problems with how the trainee answered their training copy of a request (Japanese); empty when right."""
    org = sandbox_org_name(student)
    request = find_request(ckan, org, spec.request)
    if request is None:
        return [f"研修用の要望「{spec.request}」が、サンドボックス ({org}) に見つかりません。講師に知らせてください。"]
    if spec.expect == "published":
        return _published_problems(ckan, request, org)
    return _rejected_problems(request, spec)


def run(ckan: ReadOnlyCkan, spec: CkanSpec | RequestSpec, student: str) -> list[str]:
    """Problems found by a check of either kind."""
    if isinstance(spec, RequestSpec):
        return check_request(ckan, spec, student)
    return check(ckan, spec, student)

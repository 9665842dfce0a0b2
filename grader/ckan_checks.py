"""CKAN-aware checks, evaluated by the TRUSTED grader (never inside the sandbox, which has no network).

An assignment marks a graded test cell as a CKAN check by starting it with ``# testbed-ckan-check``
followed by one comment line of JSON (see grader/README.md). In the sandbox that cell is only
comments; after autograding, the worker runs the check against CKAN's read-only action API
(anonymous, or a non-sysadmin token) and sets that cell's score and a Japanese explanation.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

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
    """GET-only client of CKAN's action API."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 10):
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def _get(self, url: str, limit: int | None = None) -> bytes:
        req = urllib.request.Request(url)
        if self.token:
            req.add_header("Authorization", self.token)
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            return resp.read(limit) if limit else resp.read()

    def action(self, name: str, **params) -> dict | None:
        """The action's result, or None when CKAN says not found / not authorised."""
        url = f"{self.url}/api/3/action/{name}?{urllib.parse.urlencode(params)}"
        try:
            return json.loads(self._get(url))["result"]
        except urllib.error.HTTPError as e:
            if e.code in (403, 404, 409):
                return None
            raise

    def head_bytes(self, url: str, n: int = 1_000_000) -> bytes:
        return self._get(url, n)


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
            except (urllib.error.URLError, OSError):
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


def apply_to_notebook(nb, gb, *, assignment: str, notebook: str, student: str, ckan: ReadOnlyCkan | None) -> int:
    """Scores the CKAN check cells of one autograded notebook (in ``nb`` and the gradebook ``gb``)."""
    from nbformat.notebooknode import NotebookNode

    n = 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        spec = parse_spec(cell.source) if cell.cell_type == "code" and meta.get("grade") else None
        if spec is None:
            continue
        n += 1
        try:
            problems = check(ckan, spec, student) if ckan else ["CKAN の URL が設定されていないため確認できません。"]
        except (urllib.error.URLError, OSError) as e:
            problems = [f"CKAN に接続できないため確認できません ({e})。"]
        grade = gb.find_grade(meta["grade_id"], notebook, assignment, student)
        grade.auto_score = 0 if problems else grade.max_score
        gb.db.commit()
        text = "\n".join(f"不合格: {p}" for p in problems) if problems else "合格: CKAN の公開内容を確認しました。"
        cell.outputs = [
            NotebookNode(output_type="stream", name="stdout" if not problems else "stderr", text=text + "\n")
        ]
    return n

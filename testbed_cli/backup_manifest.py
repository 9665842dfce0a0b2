"""The manifest of a backup (what is in it, each member's size and sha256, the layout and version it came from)
and the checks `./testbed restore` makes before it changes anything."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from testbed_cli.errors import SetupError
from testbed_cli.layout import REPO, Layout

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"


def project_version() -> str | None:
    """The checkout's git commit, or None when it is not a git checkout."""
    try:
        proc = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def layout_signature(layout: Layout) -> dict:
    """What a backup must match to be restored here without --force."""
    cfg = layout.cfg
    return {
        "state_dir": str(layout.state),
        "unix_user_prefix": cfg.unix_user_prefix,
        "courses": [c.id for c in cfg.courses],
        "mode": cfg.mode,
    }


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def seal(work: Path, fields: dict) -> dict:
    """Write ``manifest.json`` (format, version, state_dir, ``fields``, each file's size and sha256) and
    ``manifest.sha256`` into ``work``; returns the manifest."""
    members = []
    for path in sorted(p for p in work.rglob("*") if p.is_file() and p.name not in (MANIFEST, MANIFEST_SUM)):
        members.append(
            {"path": path.relative_to(work).as_posix(), "size": path.stat().st_size, "sha256": sha256_of(path)}
        )
    manifest = {
        "format": FORMAT,
        "testbed_version": project_version(),
        "state_dir": fields.get("layout", {}).get("state_dir"),
        **fields,
        "members": members,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (work / MANIFEST).write_text(text, encoding="utf-8")
    (work / MANIFEST_SUM).write_text(hashlib.sha256(text.encode()).hexdigest() + "  " + MANIFEST + "\n")
    return manifest


def _damaged(backup: Path, what: str) -> SetupError:
    return SetupError(
        f"バックアップ {backup} は壊れています: {what}\n"
        "何も変更していません。別のバックアップ (./testbed backup で作ったもの、または保管している複製) を"
        "指定してください。"
    )


def verify(backup: Path, *, log=None) -> dict:
    """Check the manifest and every member's size and sha256; return the manifest or raise SetupError naming
    the first damaged member (nothing is changed either way)."""
    backup = Path(backup)
    if not backup.is_dir():
        raise SetupError(f"バックアップ {backup} が見つかりません (testbed-backup-… のフォルダを指定してください)。")
    try:
        text = (backup / MANIFEST).read_text(encoding="utf-8")
        want = (backup / MANIFEST_SUM).read_text().split()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        raise _damaged(backup, f"{MANIFEST} または {MANIFEST_SUM} が読めません。") from None
    if hashlib.sha256(text.encode()).hexdigest() != want:
        raise _damaged(backup, f"{MANIFEST} のチェックサムが合いません。")
    manifest = json.loads(text)
    if manifest.get("format") != FORMAT:
        raise SetupError(
            f"バックアップ {backup} はこの版の ./testbed が読めない形式です (形式 {manifest.get('format')})。"
        )
    for m in manifest["members"]:
        path = backup / m["path"]
        if log:
            log(f"チェックサムを確かめています: {m['path']}")
        if not path.is_file():
            raise _damaged(backup, f"{m['path']} がありません。")
        size = path.stat().st_size
        if size != m["size"]:
            raise _damaged(
                backup,
                f"{m['path']} の大きさが違います ({size} バイト、正しくは {m['size']} バイト。途中で切れています)。",
            )
        if sha256_of(path) != m["sha256"]:
            raise _damaged(backup, f"{m['path']} のチェックサム (sha256) が合いません。")
    return manifest


def compatibility_problems(manifest: dict, layout: Layout, version: str | None) -> list[str]:
    """Why this backup should not be restored here (Japanese sentences); empty when it fits."""
    problems = []
    theirs, ours = manifest.get("layout", {}), layout_signature(layout)
    labels = {
        "state_dir": "状態ディレクトリ",
        "unix_user_prefix": "Unix アカウントの接頭辞",
        "courses": "コース",
        "mode": "研修モード",
    }
    for key, label in labels.items():
        if theirs.get(key) != ours[key]:
            problems.append(f"{label}が違います (バックアップ: {theirs.get(key)}、この環境: {ours[key]})")
    backup_version = manifest.get("testbed_version")
    if backup_version and version and backup_version != version:
        problems.append(f"テストベッドの版が違います (バックアップ: {backup_version[:12]}、この環境: {version[:12]})")
    return problems

"""A fresh copy (配布時の状態に戻す): an assignment in a trainee's home put back to its released state.

Every released file (``<exchange>/<course>/outbound/<assignment>/``, readable by everyone) is written into the
trainee's ``~/<course>/<assignment>/`` again; a file there that differs from the released one is first renamed
aside in the same folder with a Japan-time stamp (``01_kadai_退避_20261207-083015.ipynb``), never deleted; files
the trainee added are left alone. The grader skips the renamed notebooks (nbgrader grades only the notebooks
of the source).

Everything is done through the trainee's own JupyterLab server (its contents API), so the files are written by
the trainee's Unix account and nobody else gets rights on their home: the console sends the token the hub gave
the person who asked (an instructor's admin rights, or a trainee's rights on their own server), the
``./testbed class fresh-copy`` command the operator's admin token.
"""

from __future__ import annotations

import base64
import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import requests

from testbed_config.japan_time import to_japan

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")  # an assignment folder name, no path
ASIDE_WORD = "退避"
MAX_FILES = 200
MAX_BYTES = 50 * 1024 * 1024

UNKNOWN_ASSIGNMENT = (
    "課題「{name}」は配布されていません。課題の名前を確かめてください (配布済み: {known})。何も変更していません。"
)
NOT_FETCHED = (
    "{user} さんはまだ課題「{name}」を取得していません。取得していない課題は戻せません "
    "(JupyterLab のメニュー「課題」→「課題の一覧」で「受け取る」を押すと、配布時の状態で届きます)。"
    "何も変更していません。"
)
ALREADY_SUBMITTED = "課題「{name}」は提出済みなので、自分では配布時の状態に戻せません。講師に相談してください。"
SERVER_DOWN = (
    "{user} さんの作業環境 (サーバー) が起動していないため、戻せませんでした。"
    "ハブのホームからサーバーを起動してから、もう一度試してください。何も変更していません。"
)
NO_RIGHTS = (
    "{user} さんの作業環境を操作する権限がありません。講師としてサインインし直してから試してください。"
    "何も変更していません。"
)
FAILED = "{user} さんのファイルを書き換えられませんでした ({why})。もう一度試してください。"


class Refused(ValueError):
    """The restore cannot be done; the message is the Japanese text to show (nothing was changed)."""


@dataclass
class Result:
    assignment: str
    restored: list[str] = field(default_factory=list)  # paths (relative to the home) written from the release
    kept: list[tuple[str, str]] = field(default_factory=list)  # (path, where the trainee's version now is)
    unchanged: list[str] = field(default_factory=list)  # already as released


def released(course_exchange: Path) -> list[str]:
    """The course's released assignments (folders of ``outbound``), by name."""
    try:
        return sorted(p.name for p in (course_exchange / "outbound").iterdir() if p.is_dir() and NAME_RE.match(p.name))
    except OSError:
        return []


def check_assignment(name: str, known: list[str]) -> str:
    """The assignment name when it is a released one; Refused (Japanese) for anything else, path tricks included."""
    name = (name or "").strip()
    if not NAME_RE.match(name) or name not in known:
        raise Refused(UNKNOWN_ASSIGNMENT.format(name=name[:60], known="、".join(known) or "なし"))
    return name


def released_files(course_exchange: Path, assignment: str) -> dict[str, bytes]:
    """The released files of an assignment: path relative to its folder -> bytes (hidden files and links skipped)."""
    root = course_exchange / "outbound" / assignment
    out: dict[str, bytes] = {}
    total = 0
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        total += len(data)
        if len(out) >= MAX_FILES or total > MAX_BYTES:
            raise Refused("配布された課題のファイルが多すぎるか大きすぎるため、戻せません。運用者に連絡してください。")
        out[rel.as_posix()] = data
    return out


def aside_path(path: str, at: datetime, taken: set[str]) -> str:
    """Where the trainee's version of ``path`` goes: same folder, ``<stem>_退避_<YYYYMMDD-HHMMSS><ext>`` in Japan
    time (``-2``, ``-3``... when that name is taken)."""
    folder, base = posixpath.split(path)
    stem, ext = posixpath.splitext(base)
    stamp = to_japan(at).strftime("%Y%m%d-%H%M%S")
    n = 1
    while True:
        name = f"{stem}_{ASIDE_WORD}_{stamp}{'' if n == 1 else f'-{n}'}{ext}"
        candidate = posixpath.join(folder, name)
        if candidate not in taken:
            return candidate
        n += 1


class Contents:
    """One trainee's server, through its contents API (``/user/<name>/api/contents``), with one token."""

    def __init__(self, hub_url: str, user: str, token: str, *, timeout: float = 30):
        self.user, self.timeout = user, timeout
        self.base = f"{hub_url.rstrip('/')}/user/{quote(user, safe='')}/api/contents/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def _call(self, method: str, path: str, **kw) -> requests.Response:
        try:
            r = self.session.request(method, self.base + quote(path), timeout=self.timeout, allow_redirects=False, **kw)
        except requests.RequestException as e:
            raise Refused(SERVER_DOWN.format(user=self.user)) from e
        if r.status_code in (301, 302, 303, 307, 424, 502, 503) or (
            r.status_code < 400 and "json" not in r.headers.get("Content-Type", "")
        ):
            raise Refused(SERVER_DOWN.format(user=self.user))  # the hub answers for a server that is not running
        if r.status_code in (401, 403):
            raise Refused(NO_RIGHTS.format(user=self.user))
        return r

    def listing(self, folder: str) -> dict[str, str] | None:
        """Name -> type of a folder's entries; None when the folder does not exist."""
        r = self._call("GET", folder, params={"content": "1"})
        if r.status_code == 404:
            return None
        self._ok(r)
        model = r.json()
        if model.get("type") != "directory":
            return None
        return {e["name"]: e["type"] for e in model.get("content") or []}

    def read(self, path: str) -> bytes:
        r = self._call("GET", path, params={"type": "file", "format": "base64", "content": "1"})
        self._ok(r)
        return base64.b64decode(r.json()["content"])

    def rename(self, path: str, new: str) -> None:
        self._ok(self._call("PATCH", path, json={"path": new}))

    def write(self, path: str, data: bytes) -> None:
        body = {"type": "file", "format": "base64", "content": base64.b64encode(data).decode()}
        self._ok(self._call("PUT", path, json=body))

    def mkdir(self, path: str) -> None:
        self._ok(self._call("PUT", path, json={"type": "directory"}))

    def _ok(self, r: requests.Response) -> None:
        if r.status_code >= 400:
            try:
                why = r.json().get("message") or r.reason
            except ValueError:
                why = r.reason
            raise Refused(FAILED.format(user=self.user, why=f"{r.status_code} {why}"[:200]))


def restore(contents: Contents, *, course: str, assignment: str, files: dict[str, bytes], at: datetime) -> Result:
    """Put ``files`` (the release) back into ``<course>/<assignment>/`` of the trainee's home, keeping aside every
    file of theirs that differs. Refused (nothing changed) when the assignment was never fetched."""
    folder = f"{course}/{assignment}"
    top = contents.listing(folder)
    if top is None:
        raise Refused(NOT_FETCHED.format(user=contents.user, name=assignment))
    listings: dict[str, dict[str, str] | None] = {folder: top}
    result = Result(assignment)
    plan: list[tuple[str, bytes, bool]] = []  # (path, data, exists)
    taken: set[str] = set()
    for rel, data in files.items():
        path = f"{folder}/{rel}"
        parent, name = posixpath.split(path)
        if parent not in listings:
            listings[parent] = contents.listing(parent)
        entries = listings[parent] or {}
        taken |= {posixpath.join(parent, n) for n in entries}
        kind = entries.get(name)
        if kind == "directory":
            raise Refused(FAILED.format(user=contents.user, why=f"{path} がフォルダーになっています"))
        if kind is not None and contents.read(path) == data:
            result.unchanged.append(path)
            continue
        plan.append((path, data, kind is not None))
    for path, data, exists in plan:  # every check passed: now change things
        if exists:
            aside = aside_path(path, at, taken)
            taken.add(aside)
            contents.rename(path, aside)
            result.kept.append((path, aside))
        parent = posixpath.dirname(path)
        if listings.get(parent) is None:
            _mkdirs(contents, folder, parent, listings)
        contents.write(path, data)
        result.restored.append(path)
    return result


def _mkdirs(contents: Contents, top: str, parent: str, listings: dict) -> None:
    parts = posixpath.relpath(parent, top).split("/")
    for i in range(1, len(parts) + 1):
        p = posixpath.join(top, *parts[:i])
        if listings.get(p) is None:
            contents.mkdir(p)
            listings[p] = {}


def summary(result: Result) -> str:
    """What was done, in Japanese (one paragraph)."""
    if not result.restored:
        return f"課題「{result.assignment}」はすでに配布時の状態です。何も変更していません。"
    text = f"課題「{result.assignment}」を配布時の状態に戻しました ({len(result.restored)} 個のファイル)。"
    if result.kept:
        moved = "、".join(f"{posixpath.basename(a)} → {posixpath.basename(b)}" for a, b in result.kept)
        text += f" 戻す前のファイルは同じフォルダーに名前を変えて残してあります: {moved}。"
    return text

"""Team deliverables (班の成果物): what teams submitted from their shared workspaces, read for grading.

A team server (``hub_config/team_submit.py``, running as the team's Unix account) writes one folder per submission
into the course's drop box ``<exchange>/<course>/team_inbound`` (3733, owned by the grader account: anyone may add,
only the grader may list): ``<team user>+<YYYYMMDDTHHMMSS>+<8 hex>/`` holding the chosen notebooks and
``submission.json`` (team_user, team, submitted_by, submitted_at, files). Any account may plant a folder there, so,
like the marks of ``marks.py``, a folder counts only when it is owned by the Unix account of the team it names, and
everything read from it is checked: no symlinks, no file other than the listed notebooks, sizes bounded, a folder
still being written (its temporary name) is not seen. Nothing here writes.
"""

from __future__ import annotations

import base64
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from testbed_config.names import TEAM_INBOUND, TEAM_SUBMISSION_META, TEAM_USER_PREFIX

DIRNAME = TEAM_INBOUND
META = TEAM_SUBMISSION_META
MAX_META_BYTES = 64 * 1024  # a submission.json is a few hundred bytes
FOLDER_RE = re.compile(rf"({re.escape(TEAM_USER_PREFIX)}[0-9a-f]{{8}})\+(\d{{8}}T\d{{6}})\+([0-9a-f]{{8}})")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DELIVERABLE_KEY = "testbed_workshop"  # cell metadata: {"testbed_workshop": {"deliverable": true}}


@dataclass(frozen=True)
class Submission:
    team_user: str
    team: str
    name: str  # the folder's name
    folder: Path
    submitted_at: datetime  # aware
    submitted_by: str  # hub user name of the member who submitted
    files: tuple[str, ...]  # the notebooks, as listed and found
    owner_uid: int = field(default=-1, repr=False, compare=False)  # the folder's owner when it was read


@dataclass(frozen=True)
class Part:
    notebook: str
    kind: str  # "markdown" | "code" | "output" | "image"
    text: str = ""
    png: bytes = b""


def valid_file_name(name: object) -> bool:
    """A notebook name a submission may list: a plain top-level ``.ipynb`` name, nothing hidden or odd."""
    return (
        isinstance(name, str)
        and name.endswith(".ipynb")
        and len(name) > len(".ipynb")
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and not any(ord(c) < 32 or ord(c) == 127 for c in name)
        and len(name.encode("utf-8", "surrogatepass")) <= 255
    )


def _open_folder(folder: Path) -> int | None:
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None


def _read_own_file(dir_fd: int, name: str, uid: int, limit: int) -> bytes | None:
    """The bytes of regular file ``name`` in the folder, when owned by ``uid`` and at most ``limit`` bytes."""
    try:
        # O_NONBLOCK: a FIFO planted under the name must not hang the reader
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != uid or st.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _is_own_file(dir_fd: int, name: str, uid: int) -> bool:
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_uid == uid


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def read_folder(folder: Path, team_user: str, uid: int) -> Submission | None:
    """One submission folder, or None when it is not a genuine, complete submission of ``team_user`` (owner ``uid``)."""
    dir_fd = _open_folder(folder)
    if dir_fd is None:
        return None
    try:
        if os.fstat(dir_fd).st_uid != uid:
            return None
        raw = _read_own_file(dir_fd, META, uid, MAX_META_BYTES)
        if raw is None:
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("team_user") != team_user:
            return None
        team, by, files = data.get("team"), data.get("submitted_by"), data.get("files")
        at = _parse_time(data.get("submitted_at"))
        if not (isinstance(team, str) and isinstance(by, str) and by and at and isinstance(files, list)):
            return None
        found = tuple(f for f in dict.fromkeys(f for f in files if valid_file_name(f)) if _is_own_file(dir_fd, f, uid))
        return Submission(team_user, team, folder.name, folder, at, by, found, owner_uid=uid)
    except OSError:
        return None
    finally:
        os.close(dir_fd)


def submissions(course_exchange: Path, owner_uid: Callable[[str], int | None]) -> dict[str, list[Submission]]:
    """Team user -> its genuine submissions, oldest first. ``owner_uid(team_user)``: the uid of the team's Unix
    account (None: unknown, its folders are ignored)."""
    box = Path(course_exchange) / DIRNAME
    try:
        entries = sorted(e.name for e in os.scandir(box))
    except OSError:
        return {}
    uids: dict[str, int | None] = {}
    found: dict[str, list[Submission]] = {}
    for name in entries:
        m = FOLDER_RE.fullmatch(name)
        if not m:  # temporary names (a submission being written) and anything else
            continue
        team_user = m.group(1)
        if team_user not in uids:
            uids[team_user] = owner_uid(team_user)
        uid = uids[team_user]
        if uid is None:
            continue
        sub = read_folder(box / name, team_user, uid)
        if sub is not None:
            found.setdefault(team_user, []).append(sub)
    for subs in found.values():
        subs.sort(key=lambda s: (s.submitted_at, s.name))
    return found


def latest(course_exchange: Path, owner_uid: Callable[[str], int | None]) -> dict[str, Submission]:
    """Team user -> its newest genuine submission."""
    return {team_user: subs[-1] for team_user, subs in submissions(course_exchange, owner_uid).items() if subs}


def _text(source: object) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _is_deliverable(cell: dict) -> bool:
    meta = cell.get("metadata")
    mark = meta.get(DELIVERABLE_KEY) if isinstance(meta, dict) else None
    return isinstance(mark, dict) and mark.get("deliverable") is True


def _output_parts(notebook: str, output: object) -> list[Part]:
    if not isinstance(output, dict):
        return []
    kind = output.get("output_type")
    if kind == "stream":
        text = _text(output.get("text"))
        return [Part(notebook, "output", text=text)] if text else []
    if kind == "error":
        return [Part(notebook, "output", text=f"{output.get('ename', '')}: {output.get('evalue', '')}")]
    if kind not in ("execute_result", "display_data") or not isinstance(output.get("data"), dict):
        return []
    data = output["data"]
    png = _text(data.get("image/png"))
    if png:
        try:
            raw = base64.b64decode("".join(png.split()), validate=True)
        except ValueError:
            raw = b""
        if raw.startswith(PNG_SIGNATURE):
            return [Part(notebook, "image", png=raw)]
    text = _text(data.get("text/plain"))
    return [Part(notebook, "output", text=text)] if text else []


def notebook_parts(notebook: str, raw: bytes) -> list[Part]:
    """The deliverable cells of one notebook's bytes (all cells when it marks none), with their outputs."""
    try:
        nb = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return []
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return []
    cells = [c for c in cells if isinstance(c, dict) and c.get("cell_type") in ("markdown", "code")]
    chosen = [c for c in cells if _is_deliverable(c)] or cells
    parts: list[Part] = []
    for cell in chosen:
        parts.append(Part(notebook, cell["cell_type"], text=_text(cell.get("source"))))
        if cell["cell_type"] == "code" and isinstance(cell.get("outputs"), list):
            for output in cell["outputs"]:
                parts += _output_parts(notebook, output)
    return parts


def deliverable_parts(sub: Submission, max_bytes: int = 20_000_000) -> list[Part]:
    """Per notebook of ``sub``, in its order: the cells marked ``metadata.testbed_workshop.deliverable`` (all cells
    when a notebook marks none), their text outputs and PNG images. A notebook larger than ``max_bytes``, unreadable,
    replaced by a symlink or not owned by the folder's owner is left out."""
    dir_fd = _open_folder(sub.folder)
    if dir_fd is None:
        return []
    try:
        uid = os.fstat(dir_fd).st_uid
        if sub.owner_uid >= 0 and uid != sub.owner_uid:
            return []
        parts: list[Part] = []
        for name in sub.files:
            if not valid_file_name(name):
                continue
            raw = _read_own_file(dir_fd, name, uid, max_bytes)
            if raw is not None:
                parts += notebook_parts(name, raw)
        return parts
    finally:
        os.close(dir_fd)

"""JupyterLab's Japanese language pack with its gaps filled: strings the pack does not translate, written into
its catalogue at install.

jupyterlab-language-pack-ja-JP 4.5.post3 lags JupyterLab 4.6: the status bar's "Cell 1/14", the launcher's
"Python File" (``%1 File``), the news notification's "Open full post" and a few hover texts have no Japanese.
JupyterLab's own way for a package to add translations (a ``jupyterlab.locale`` entry point whose catalogue is
merged over the pack) needs the pack's catalogue to carry a version, and this pack's says
``"version": "jupyterlab"``, which ``packaging`` refuses (jupyterlab_server would fail on every translation
request). So ``ensure`` writes the table into the
pack's two catalogues of the ``jupyterlab`` domain:

- ``jupyterlab.json``, read by the browser (``/lab/api/translations/ja_JP``);
- ``jupyterlab.mo``, read by the server's gettext (the news handler's "Open full post").

The files pip installed are kept beside them (``*.testbed-pristine``); the catalogues carry the table's digest,
so re-running is a no-op, a changed table is re-applied to the pristine files, and after a pack upgrade (pip
writes new catalogues without the digest) the new ones become the pristine copies. A table entry the pack has
since translated itself is left to the pack (``ensure`` reports it, so the table can shrink).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path

PACK = "jupyterlab_language_pack_ja_JP"
MESSAGES = Path("locale/ja_JP/LC_MESSAGES")  # inside the pack's package folder
DOMAIN = "jupyterlab"
PRISTINE = ".testbed-pristine"  # suffix of the copies pip installed (not *.json: the server loads every *.json)
MARK = "testbed"  # key in the JSON catalogue's "" header: the digest of the table applied

# msgid (exactly as JupyterLab passes it to trans.__) -> Japanese
TABLE: dict[str, str] = {
    "Cell %1/%2": "セル %1/%2",  # status bar: the active cell among the notebook's cells
    "Open full post": "お知らせを開く",  # news notification's link (our feed: the course's お知らせ page)
    # launcher tiles, 「新規」 menu and palette for a kernel's language ("Python File"): "%1" is the language
    "%1 File": "%1 ファイル",
    "New %1 File": "新規 %1 ファイル",
    "Create a new %1 File": "新しい %1 ファイルを作成",
    "Topbar toolbar": "トップバーのツールバー",  # aria-label of the bar beside the menus
    "Delete the cell": "セルを削除します",  # cell toolbar's 🗑 (hover text)
    "Go to cell…": "セルへ移動…",  # status bar's cell position (hover text)
    "Cells": "セル",
    "Duplicate %1": "%1 を複製",  # 「ファイル」 menu: "Duplicate Notebook"
    # the notebook's trust indicator (hover text); the pack writes the document type "Notebook" in Latin letters
    "Notebook not trusted: %1 of %2 code cells trusted.": "Notebook は未信頼です (コードセル %2 個中 %1 個が信頼済み)",
    "Notebook trusted: %1 of %2 code cells trusted.": "Notebook は信頼済みです (コードセル %2 個中 %1 個が信頼済み)",
}


def table_digest(table: dict[str, str] = TABLE) -> str:
    return hashlib.sha256(json.dumps(table, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def pack_messages(hub_venv: Path) -> Path | None:
    """The pack's LC_MESSAGES folder in the hub venv, or None when the pack is not installed."""
    for site in sorted(hub_venv.glob("lib/python3*/site-packages")):
        folder = site / PACK / MESSAGES
        if (folder / f"{DOMAIN}.json").is_file():
            return folder
    return None


def _pristine(path: Path, applied: bool) -> bytes:
    """The catalogue pip installed: the kept copy when ``path`` holds our translation, else ``path`` itself
    (which is then kept)."""
    copy = path.with_name(path.name + PRISTINE)
    if applied and copy.is_file():
        return copy.read_bytes()
    data = path.read_bytes()
    copy.write_bytes(data)
    return data


def read_mo(data: bytes) -> dict[bytes, bytes]:
    """Every (original, translation) pair of a GNU .mo catalogue, as stored (context and plural forms included)."""
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _rev, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    pairs = {}
    for i in range(count):
        olen, ooff = struct.unpack(order + "2I", data[originals + 8 * i : originals + 8 * i + 8])
        tlen, toff = struct.unpack(order + "2I", data[translations + 8 * i : translations + 8 * i + 8])
        pairs[data[ooff : ooff + olen]] = data[toff : toff + tlen]
    return pairs


def write_mo(pairs: dict[bytes, bytes]) -> bytes:
    """A GNU .mo catalogue (little-endian, no hash table) holding ``pairs``, sorted as gettext expects."""
    keys = sorted(pairs)
    ids = strs = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(pairs[k])))
        ids += k + b"\0"
        strs += pairs[k] + b"\0"
    start = 7 * 4 + 16 * len(keys)
    table = []
    for o1, l1, _o2, _l2 in offsets:
        table += [l1, start + o1]
    for _o1, _l1, o2, l2 in offsets:
        table += [l2, start + len(ids) + o2]
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    return header + struct.pack(f"<{len(table)}I", *table) + ids + strs


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o644)
    tmp.replace(path)


def ensure(hub_venv: Path, table: dict[str, str] = TABLE, log=print) -> bool:
    """Fill the pack's gaps from ``table`` (idempotent); True when a catalogue was written."""
    folder = pack_messages(hub_venv)
    if folder is None:
        return False
    digest = table_digest(table)
    js, mo = folder / f"{DOMAIN}.json", folder / f"{DOMAIN}.mo"
    current = json.loads(js.read_text(encoding="utf-8"))
    mark = current.get("", {}).get(MARK)
    if mark == digest and mo.with_name(mo.name + PRISTINE).is_file():
        return False
    catalogue = json.loads(_pristine(js, applied=mark is not None))
    done = [k for k in table if catalogue.get(k) and catalogue[k] != [k]]
    if done:
        log(f"JupyterLab の日本語パックが訳すようになった語です (testbed_cli/lab_language_ja.py から外せます): {done}")
    gaps = {k: v for k, v in table.items() if k not in done}
    catalogue.update({k: [v] for k, v in gaps.items()})
    catalogue.setdefault("", {})[MARK] = digest
    _write(js, (json.dumps(catalogue, ensure_ascii=False) + "\n").encode())
    if mo.is_file():
        pairs = read_mo(_pristine(mo, applied=mark is not None))
        pairs.update({k.encode(): v.encode() for k, v in gaps.items()})
        _write(mo, write_mo(pairs))
    return True

"""Check one resource file against what the manifest declares (encoding, BOM, format, columns).

A CSV is decoded strictly with the declared encoding (cp932 "as received" files are intended
when the manifest says so); an undecodable byte is reported with its line and column.
DataStore tables must have a usable header (no blank or repeated names) and rectangular rows;
a standard layout's required columns must be present.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ckan_seed.problem import Problem

BOM = b"\xef\xbb\xbf"
ENCODING_LABELS = {"utf-8": "UTF-8", "cp932": "Shift_JIS (cp932)", "binary": "binary"}
DATASTORE_FORMATS = {"CSV", "TSV", "XLSX"}


@dataclass
class FileFacts:
    """What the seeder needs to know about a file that passed the checks."""

    sha256: str
    size: int
    header: list[str] = field(default_factory=list)


def normalise_encoding(declared: str | None) -> str | None:
    """'utf-8', 'cp932' or 'binary' for a declared encoding label, None if unknown."""
    label = (declared or "").strip().lower().replace("_", "-")
    if label in ("utf-8", "utf8"):
        return "utf-8"
    if any(word in label for word in ("cp932", "shift-jis", "sjis", "windows-31j")):
        return "cp932"
    if label == "binary":
        return "binary"
    return None


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of byte ``offset``."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def check_file(path: Path, shown: str, resource: dict) -> tuple[FileFacts | None, list[Problem]]:
    """Facts about ``path`` and the problems found; facts are None when the file cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, None, None, f"ファイルを読めません（{exc.strerror}）。")]
    facts = FileFacts(hashlib.sha256(raw).hexdigest(), len(raw))
    fmt = str(resource.get("format", "")).upper()
    encoding = normalise_encoding(resource.get("encoding"))
    if fmt in ("CSV", "TSV"):
        return facts, _check_csv(raw, shown, resource, encoding, fmt, facts)
    if fmt == "XLSX":
        return facts, _check_xlsx(raw, shown)
    if fmt in ("GEOJSON", "JSON"):
        return facts, _check_json(raw, shown)
    return facts, []


def _check_csv(
    raw: bytes, shown: str, resource: dict, encoding: str | None, fmt: str, facts: FileFacts
) -> list[Problem]:
    if encoding not in ("utf-8", "cp932"):
        return []  # the manifest check already reported the unknown or missing encoding
    found: list[Problem] = []
    body = raw
    if raw.startswith(BOM):
        if encoding == "utf-8" and resource.get("bom") is False:
            found.append(
                Problem(
                    shown,
                    1,
                    1,
                    "先頭に BOM があります（マニフェストでは bom: false）。"
                    "BOM なしの UTF-8 で保存し直すか、bom: true にしてください。",
                )
            )
        body = raw[len(BOM) :]
    elif encoding == "utf-8" and resource.get("bom") is True:
        found.append(
            Problem(shown, 1, 1, "先頭に BOM がありません（マニフェストでは bom: true）。bom: false にしてください。")
        )
    if encoding == "cp932" and not body.isascii() and _is_utf8(body):
        message = "UTF-8 のファイルです（マニフェストでは Shift_JIS）。encoding を UTF-8 にしてください。"
        return [*found, Problem(shown, None, None, message)]
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(raw) - len(body))
        line, column = _position(raw, offset)
        label = ENCODING_LABELS[encoding]
        found.append(
            Problem(
                shown,
                line,
                column,
                f"文字コード {label} として読めないバイト（0x{raw[offset]:02X}）があります。"
                "マニフェストの encoding を実際の文字コードに直すか、"
                "ファイルを正しい文字コードで保存し直してください。",
            )
        )
        return found
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "TSV" else ","))
    if not rows:
        return [*found, Problem(shown, None, None, "ファイルが空です。")]
    facts.header = rows[0]
    found += _required_columns(shown, resource, rows[0])
    if resource.get("datastore"):
        found += _datastore_shape(shown, rows, text)
    return found


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _required_columns(shown: str, resource: dict, header: list[str]) -> list[Problem]:
    layout_key = resource.get("layout")
    if not layout_key:
        return []
    from datasets.layouts import LAYOUTS

    layout = LAYOUTS.get(layout_key)
    if layout is None:
        return []  # reported by the manifest check
    missing = [c for c in layout.required if c not in header]
    if not missing:
        return []
    return [
        Problem(
            shown,
            1,
            None,
            f"標準データセット「{layout.title}」の必須の列がありません: {'、'.join(missing)}。"
            "1行目（項目名の行）に列を追加してください。",
        )
    ]


def _datastore_shape(shown: str, rows: list[list[str]], text: str) -> list[Problem]:
    found: list[Problem] = []
    header = rows[0]
    for i, name in enumerate(header, start=1):
        if not name.strip():
            found.append(Problem(shown, 1, i, f"{i}番目の列に項目名がありません。項目名を付けてください。"))
    repeated = sorted({n for n in header if n.strip() and header.count(n) > 1})
    if repeated:
        found.append(
            Problem(shown, 1, None, f"項目名が重複しています: {'、'.join(repeated)}。別の名前にしてください。")
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    for row in reader:
        if row and len(row) != len(header):
            found.append(
                Problem(
                    shown,
                    reader.line_num,
                    None,
                    f"列の数が {len(row)} です（項目名の行は {len(header)} 列）。"
                    '区切りのカンマや引用符（"）を確かめてください。',
                )
            )
            if len(found) >= 5:
                break
    return found


def _check_xlsx(raw: bytes, shown: str) -> list[Problem]:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            if "xl/workbook.xml" in zf.namelist():
                return []
    except zipfile.BadZipFile:
        pass
    return [
        Problem(
            shown, None, None, "Excel（.xlsx）ファイルとして開けません。Excel で .xlsx 形式で保存し直してください。"
        )
    ]


def _check_json(raw: bytes, shown: str) -> list[Problem]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        return [Problem(shown, line, column, "UTF-8 として読めません。GeoJSON/JSON は UTF-8 で保存してください。")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Problem(shown, exc.lineno, exc.colno, f"JSON として読めません（{exc.msg}）。")]
    if not isinstance(data, dict | list):
        return [Problem(shown, 1, 1, "JSON の中身がオブジェクトでも配列でもありません。")]
    return []

"""Turn the bytes of an uploaded file into a typed table ready for the DataStore (no CKAN here).

Everything that can fail because of the *file* happens here, before the DataStore is touched,
so a bad upload never replaces or half-writes an existing table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .decode import decode_bytes
from .headers import normalize_headers
from .infer import convert_rows, infer_types
from .messages import HEADER_ONLY
from .tabular import RawTable, read_delimited
from .xlsx import read_xlsx

# Canonical format -> how to read it. Aliases (MIME types, upper case) map onto these.
DELIMITERS = {"csv": ",", "tsv": "\t"}
FORMAT_ALIASES = {
    "csv": "csv",
    "text/csv": "csv",
    "application/csv": "csv",
    "tsv": "tsv",
    "text/tab-separated-values": "tsv",
    "xlsx": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


@dataclass
class Column:
    """A DataStore column: its name as stored and its type (``int``, ``numeric``, ``date``, ...)."""

    name: str
    type: str


@dataclass
class PreparedTable:
    """Columns, converted rows (``None`` for blank cells) and what the trainee should be told."""

    columns: list[Column]
    rows: list[list[str | None]]
    encoding: str
    notices: list[str] = field(default_factory=list)


def canonical_format(resource_format: str | None) -> str | None:
    """Map a resource's ``format`` field (``"CSV"``, ``"text/csv"``, ...) to csv/tsv/xlsx or ``None``."""
    return FORMAT_ALIASES.get((resource_format or "").strip().lower())


def prepare_table(data: bytes, file_format: str, max_rows: int) -> PreparedTable:
    """Decode, parse, name and type the file ``data`` of canonical format ``file_format``."""
    if file_format == "xlsx":
        raw, encoding = read_xlsx(data, max_rows), "xlsx"
    else:
        decoded = decode_bytes(data)
        raw, encoding = read_delimited(decoded.text, DELIMITERS[file_format], max_rows), decoded.encoding
    return _typed(raw, encoding)


def _typed(raw: RawTable, encoding: str) -> PreparedTable:
    names, header_notices = normalize_headers(raw.header)
    types = infer_types(raw.rows, len(names))
    row_notices = raw.notices if raw.rows else [*raw.notices, HEADER_ONLY]
    return PreparedTable(
        columns=[Column(name, kind) for name, kind in zip(names, types, strict=True)],
        rows=list(convert_rows(raw.rows, types)),
        encoding=encoding,
        notices=header_notices + row_notices,
    )

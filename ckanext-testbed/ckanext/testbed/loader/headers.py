"""Turn a file's header row into valid, unique DataStore column names, keeping Japanese as is.

No transliteration: 「年度」 stays 「年度」. Only what PostgreSQL or the DataStore cannot store is
changed, and every change is reported back as a Japanese notice for the load status:
blank headers get 「列N」, duplicates get a 「_2」 suffix, names are cut to PostgreSQL's 63-byte
identifier limit (21 kanji), and characters the DataStore rejects (a leading ``_``, ``"``,
control characters) are replaced.
"""

from __future__ import annotations

import re
import unicodedata

from .messages import NOTICE_BLANK_HEADER, NOTICE_DUPLICATE_HEADER, NOTICE_LONG_HEADER, NOTICE_RENAMED_HEADER

MAX_IDENTIFIER_BYTES = 63  # PostgreSQL NAMEDATALEN - 1; longer names are silently truncated by the server
_SPACES = re.compile(r"\s+")


def normalize_headers(raw: list[str]) -> tuple[list[str], list[str]]:
    """Return ``(column_names, notices)`` for the header cells ``raw`` (1 name per cell)."""
    names: list[str] = []
    notices: list[str] = []
    taken: set[str] = set()
    for position, original in enumerate(raw, start=1):
        name = _clean(original)
        if not name:
            name = f"列{position}"
            notices.append(NOTICE_BLANK_HEADER.format(position=position, name=name))
        elif name != original.strip():
            notices.append(NOTICE_RENAMED_HEADER.format(position=position, original=original.strip(), name=name))
        if len(name.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
            name = _truncate(name, MAX_IDENTIFIER_BYTES)
            notices.append(NOTICE_LONG_HEADER.format(position=position, name=name))
        if name in taken:
            unique = _deduplicate(name, taken)
            notices.append(NOTICE_DUPLICATE_HEADER.format(original=name, position=position, name=unique))
            name = unique
        taken.add(name)
        names.append(name)
    return names, notices


def _clean(cell: str) -> str:
    """Replace what ``ckanext.datastore.helpers.is_valid_field_name`` rejects; keep everything else."""
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in cell)
    text = _SPACES.sub(" ", text.replace('"', "'")).strip()
    return text.lstrip("_").strip()


def _truncate(name: str, limit: int) -> str:
    """Cut ``name`` to at most ``limit`` UTF-8 bytes without splitting a character."""
    return name.encode("utf-8")[:limit].decode("utf-8", errors="ignore").rstrip()


def _deduplicate(name: str, taken: set[str]) -> str:
    """Return ``name_2``, ``name_3``, ... (shortened if needed) that is not yet in ``taken``."""
    counter = 2
    while True:
        suffix = f"_{counter}"
        candidate = _truncate(name, MAX_IDENTIFIER_BYTES - len(suffix)) + suffix
        if candidate not in taken:
            return candidate
        counter += 1

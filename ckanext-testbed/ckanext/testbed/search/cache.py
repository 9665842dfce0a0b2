"""Per-process cache of search statement rows, keyed by the search index's generation token."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

MIB = 1024 * 1024


def weight(rows: list[Any]) -> int:
    """Approximate bytes held by a statement's rows (text dominates: the page's stored JSON)."""
    return sum(64 + sum(len(v) * 2 if isinstance(v, str) else 16 for v in row) for row in rows)


class ResultCache:
    """The rows of recent search statements, valid while the index keeps one generation token.

    Solr keeps a query-result cache that a commit invalidates; this is its counterpart. Each search
    first reads the index's generation token (``statements.GENERATION``, changed by a trigger in the
    transaction of every index write), then looks up (token, SQL, parameters). Permission labels are
    parameters, so users who may see different datasets never share an entry. Per process, least
    recently used first out, within ``max_bytes`` (an answer over an eighth of it is not kept: a
    1,000-row page of full datasets would crowd out every common search).
    """

    def __init__(self, max_bytes: int = 8 * MIB) -> None:
        self.max_bytes = max_bytes
        self._rows: OrderedDict[tuple[str, str, str], tuple[list[Any], int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(token: str, sql: str, params: dict[str, Any]) -> tuple[str, str, str]:
        return token, sql, json.dumps(params, sort_keys=True, default=str, ensure_ascii=False)

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, key: tuple[str, str, str]) -> list[Any] | None:
        with self._lock:
            entry = self._rows.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._rows.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: tuple[str, str, str], rows: list[Any]) -> None:
        size = weight(rows)
        if self.max_bytes <= 0 or size > self.max_bytes // 8:
            return
        with self._lock:
            for old in [k for k in self._rows if k[0] != key[0] or k == key]:  # older index versions
                self._bytes -= self._rows.pop(old)[1]
            self._rows[key] = (rows, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._bytes -= self._rows.popitem(last=False)[1][1]

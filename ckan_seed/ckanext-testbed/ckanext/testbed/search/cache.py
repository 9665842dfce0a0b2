"""Per-process cache of search statement rows, keyed by the search index's generation token."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any


class ResultCache:
    """The rows of recent search statements, valid while the index keeps one generation token.

    Solr keeps a query-result cache that a commit invalidates; this is its counterpart. Each search
    first reads the index's generation token (``statements.GENERATION``, changed by a trigger in the
    transaction of every index write), then looks up (token, SQL, parameters). Permission labels are
    parameters, so users who may see different datasets never share an entry. Per process, least
    recently used first out; ``size`` entries of at most one page of stored JSON each.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._rows: OrderedDict[tuple[str, str, str], list[Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(token: str, sql: str, params: dict[str, Any]) -> tuple[str, str, str]:
        return token, sql, json.dumps(params, sort_keys=True, default=str, ensure_ascii=False)

    def get(self, key: tuple[str, str, str]) -> list[Any] | None:
        with self._lock:
            rows = self._rows.get(key)
            if rows is None:
                self.misses += 1
                return None
            self._rows.move_to_end(key)
            self.hits += 1
            return rows

    def put(self, key: tuple[str, str, str], rows: list[Any]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            stale = [k for k in self._rows if k[0] != key[0]]  # entries of older index versions
            for k in stale:
                del self._rows[k]
            self._rows[key] = rows
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)

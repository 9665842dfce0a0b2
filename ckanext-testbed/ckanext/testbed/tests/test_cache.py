"""The per-process search result cache (no CKAN, no database)."""

from __future__ import annotations

import pytest
from ckanext.testbed.search.cache import MIB, ResultCache, weight

pytestmark = pytest.mark.unit

PAGE = [("r", None, None, n, 0.0, f"id-{n}", "{" + "あ" * 4000 + "}") for n in range(20)]  # ~160 KB


def test_is_an_entry_found_only_for_the_same_token_statement_and_parameters():
    """Does a cached answer come back only for the same index version, SQL and parameters
    (permission labels included), so a change or another user's labels never reuse it?"""
    cache = ResultCache()
    key = ResultCache.key("t1", "SELECT 1", {"labels": ["public"], "_limit": 20})
    cache.put(key, PAGE)
    assert cache.get(ResultCache.key("t1", "SELECT 1", {"_limit": 20, "labels": ["public"]})) == PAGE
    assert cache.get(ResultCache.key("t2", "SELECT 1", {"labels": ["public"], "_limit": 20})) is None
    assert cache.get(ResultCache.key("t1", "SELECT 2", {"labels": ["public"], "_limit": 20})) is None
    labels = ["public", "member-of-internal"]
    assert cache.get(ResultCache.key("t1", "SELECT 1", {"labels": labels, "_limit": 20})) is None
    assert (cache.hits, cache.misses) == (1, 3)


def test_does_a_new_index_version_drop_the_older_entries():
    """When a search sees a new token, are the entries of the older versions released?"""
    cache = ResultCache()
    cache.put(ResultCache.key("t1", "a", {}), PAGE)
    cache.put(ResultCache.key("t1", "b", {}), PAGE)
    cache.put(ResultCache.key("t2", "a", {}), PAGE[:1])
    assert cache.bytes == weight(PAGE[:1])
    assert cache.get(ResultCache.key("t1", "b", {})) is None


def test_is_memory_bounded_least_recently_used_first_and_zero_off():
    """Does the cache stay within its bytes, evicting the least recently used; refuse an answer over an
    eighth of its budget (a 1,000-row page); and keep nothing at 0?"""
    per_page = weight(PAGE)
    cache = ResultCache(max_bytes=8 * per_page + 1)
    keys = [ResultCache.key("t", f"q{n}", {}) for n in range(9)]
    for k in keys[:8]:
        cache.put(k, PAGE)
    assert cache.get(keys[0]) == PAGE  # now the most recently used
    cache.put(keys[8], PAGE)
    assert cache.bytes <= cache.max_bytes
    assert cache.get(keys[1]) is None and cache.get(keys[0]) == PAGE and cache.get(keys[8]) == PAGE
    big = ResultCache(max_bytes=8 * MIB)
    big.put(keys[0], PAGE * 50)  # 1,000 rows of full datasets
    assert big.get(keys[0]) is None and big.bytes == 0
    off = ResultCache(max_bytes=0)
    off.put(keys[0], PAGE)
    assert off.get(keys[0]) is None

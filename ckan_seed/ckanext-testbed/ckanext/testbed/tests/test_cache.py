"""The per-process search result cache (no CKAN, no database)."""

from __future__ import annotations

from ckanext.testbed.search.cache import ResultCache


def test_is_an_entry_found_only_for_the_same_token_statement_and_parameters():
    """Does a cached answer come back only for the same index version, SQL and parameters
    (permission labels included), so a change or another user's labels never reuse it?"""
    cache = ResultCache(size=8)
    key = ResultCache.key("t1", "SELECT 1", {"labels": ["public"], "_limit": 20})
    cache.put(key, ["rows"])
    assert cache.get(ResultCache.key("t1", "SELECT 1", {"_limit": 20, "labels": ["public"]})) == ["rows"]
    assert cache.get(ResultCache.key("t2", "SELECT 1", {"labels": ["public"], "_limit": 20})) is None
    assert cache.get(ResultCache.key("t1", "SELECT 2", {"labels": ["public"], "_limit": 20})) is None
    labels = ["public", "member-of-internal"]
    assert cache.get(ResultCache.key("t1", "SELECT 1", {"labels": labels, "_limit": 20})) is None
    assert (cache.hits, cache.misses) == (1, 3)


def test_does_a_new_index_version_drop_the_older_entries():
    """When a search sees a new token, are the entries of the older versions released?"""
    cache = ResultCache(size=8)
    cache.put(ResultCache.key("t1", "a", {}), [1])
    cache.put(ResultCache.key("t1", "b", {}), [2])
    cache.put(ResultCache.key("t2", "a", {}), [3])
    assert len(cache._rows) == 1
    assert cache.get(ResultCache.key("t1", "b", {})) is None


def test_is_the_least_recently_used_entry_dropped_first_and_size_zero_off():
    """Does the cache keep at most ``size`` entries, evicting the least recently used; and does
    size 0 keep nothing?"""
    cache = ResultCache(size=2)
    a, b, c = (ResultCache.key("t", sql, {}) for sql in "abc")
    cache.put(a, [1])
    cache.put(b, [2])
    assert cache.get(a) == [1]  # a is now the most recent
    cache.put(c, [3])
    assert cache.get(b) is None and cache.get(a) == [1] and cache.get(c) == [3]
    off = ResultCache(size=0)
    off.put(a, [1])
    assert off.get(a) is None

"""The embedded in-process tile cache is a byte-bounded LRU (see docs/tiles.md)."""

from __future__ import annotations

from typing import Any

from slides.tilecache import LocalTileCache, get_tile_cache, reset_tile_cache


def test_it_returns_what_was_stored() -> None:
    cache = LocalTileCache(1000)
    cache.set("a", b"x" * 10)
    assert cache.get("a") == b"x" * 10
    assert cache.get("b") is None


def test_it_evicts_the_least_recently_used_past_its_byte_budget() -> None:
    cache = LocalTileCache(300)
    for key in "abc":
        cache.set(key, b"x" * 100)
    cache.get("a")  # a is now the most recently used
    cache.set("d", b"x" * 100)
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None and cache.get("d") is not None
    assert cache.size_bytes == 300


def test_it_ignores_values_larger_than_the_whole_budget() -> None:
    cache = LocalTileCache(50)
    cache.set("big", b"x" * 51)
    assert cache.get("big") is None and cache.size_bytes == 0


def test_replacing_a_value_keeps_the_byte_count_right() -> None:
    cache = LocalTileCache(1000)
    cache.set("a", b"x" * 100)
    cache.set("a", b"x" * 40)
    assert cache.size_bytes == 40 and len(cache) == 1


def test_the_embedded_default_is_in_process_only(settings: Any) -> None:
    settings.MEMCACHED_SERVERS = []
    settings.TILE_CACHE_LOCAL_MB = 8
    reset_tile_cache()
    cache = get_tile_cache()
    assert cache.remote is None
    assert cache.local is not None and cache.local.max_bytes == 8 * 1024 * 1024

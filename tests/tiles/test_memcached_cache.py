"""The tile cache on real memcached: hit, miss and failure (see docs/tiles.md)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import AsyncClient
from pymemcache.client.base import Client as MemcacheClient

from scopecast.env import MemcachedServer
from slides.models import Slide
from slides.tilecache import TileKey, reset_tile_cache, tile_cache_key
from slides.tokens import issue_tile_token
from tests.support.browser import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def _server(text: str) -> MemcachedServer:
    host, _, port = text.split(",")[0].rpartition(":")
    return MemcachedServer(host, int(port))


@pytest.fixture
def memcached(settings: Any, memcached_servers: str, cache_prefix: str) -> MemcacheClient:
    server = _server(memcached_servers)
    settings.MEMCACHED_SERVERS = [server]
    settings.TILE_CACHE_PREFIX = cache_prefix
    reset_tile_cache()
    return MemcacheClient((server.host, server.port), connect_timeout=1, timeout=1)


def stored(client: MemcacheClient, key: str) -> bytes | None:
    """The value under ``key``, allowing memcached a moment for a noreply set."""
    for _ in range(200):
        value = client.get(key)
        if value is not None:
            return value  # type: ignore[no-any-return]
        time.sleep(0.01)
    return None


async def get(slide: Slide, level: int = 12, col: int = 3, row: int = 3) -> Any:
    return await AsyncClient().get(
        f"/slides/{slide.pk}_files/{level}/{col}_{row}.jpeg",
        {"v": str(slide.version), "t": issue_tile_token(slide.pk, slide.version)},
    )


async def test_the_etag_leaves_out_any_prefix(course_slide: Slide, settings: Any) -> None:
    settings.TILE_CACHE_PREFIX = "my:site"
    response = await get(course_slide, 12, 1, 2)
    v = course_slide.version
    assert response["ETag"] == f'"t:{course_slide.pk}:{v}:254:1:80:12:1_2.jpeg"'


def test_the_key_format_is_the_documented_one(settings: Any) -> None:
    settings.TILE_CACHE_PREFIX = "sc"
    key = tile_cache_key(TileKey(42, 3, 15, 7, 9))
    assert key == "sc:t:42:3:254:1:80:15:7_9.jpeg"
    assert key.isascii() and " " not in key and len(key) < 250


async def test_a_miss_is_rendered_and_stored_as_raw_jpeg_bytes(
    course_slide: Slide, memcached: MemcacheClient, read_counter: Callable[[], int], settings: Any
) -> None:
    key = tile_cache_key(TileKey(course_slide.pk, course_slide.version, 12, 3, 3))
    assert memcached.get(key) is None
    response = await get(course_slide)
    assert response.status_code == 200
    assert read_counter() == 1
    assert stored(memcached, key) == response.content  # nginx can serve these bytes as is


async def test_a_hit_in_memcached_is_served_without_reading_the_slide(
    course_slide: Slide, memcached: MemcacheClient, read_counter: Callable[[], int], settings: Any
) -> None:
    key = tile_cache_key(TileKey(course_slide.pk, course_slide.version, 12, 3, 3))
    memcached.set(key, b"\xff\xd8 cached bytes")
    response = await get(course_slide)
    assert response.status_code == 200
    assert response.content == b"\xff\xd8 cached bytes"
    assert read_counter() == 0


async def test_another_process_finds_the_tile_in_memcached(
    course_slide: Slide, memcached: MemcacheClient, read_counter: Callable[[], int], settings: Any
) -> None:
    first = await get(course_slide)
    assert stored(
        memcached, tile_cache_key(TileKey(course_slide.pk, course_slide.version, 12, 3, 3))
    )
    reset_tile_cache()  # a fresh process: empty in-process cache, same memcached
    second = await get(course_slide)
    assert second.content == first.content
    assert read_counter() == 1


async def test_memcached_down_degrades_to_uncached_serving(
    course_slide: Slide,
    settings: Any,
    read_counter: Callable[[], int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.MEMCACHED_SERVERS = [MemcachedServer("127.0.0.1", free_port())]
    settings.TILE_CACHE_LOCAL_MB = 0  # nothing in-process either: every request renders
    reset_tile_cache()
    caplog.set_level(logging.WARNING, logger="slides.tilecache")
    responses = [await get(course_slide) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert len({r.content for r in responses}) == 1
    assert read_counter() == 3
    warnings = [r for r in caplog.records if "memcached" in r.getMessage()]
    assert len(warnings) == 1


async def test_an_unreachable_memcached_host_times_out_and_serves_the_tile(
    course_slide: Slide, settings: Any
) -> None:
    # 192.0.2.0/24 is TEST-NET-1: packets go nowhere, so the connect times out.
    settings.MEMCACHED_SERVERS = [MemcachedServer("192.0.2.1", 11211)]
    reset_tile_cache()
    response = await get(course_slide)
    assert response.status_code == 200


async def test_memcached_comes_back_after_the_pause(
    course_slide: Slide, memcached: MemcacheClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slides.tilecache import MemcachedTileCache, get_tile_cache

    remote = get_tile_cache().remote
    assert isinstance(remote, MemcachedTileCache)
    remote._failed("get", OSError("simulated outage"))
    key = tile_cache_key(TileKey(course_slide.pk, course_slide.version, 12, 3, 3))
    assert remote.get(key) is None and remote.failures == 1
    monkeypatch.setattr(remote, "_down_until", 0.0)  # the pause is over
    await get(course_slide)
    assert stored(memcached, key) is not None

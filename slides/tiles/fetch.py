"""Coalesced fetches: what the views and prewarm ask the tile path for.

``fetch_future(cache_key, produce)`` gives the bytes for a cache key: from
memcached, else produced once on the tile pool and cached. Concurrent
callers for one key share one future, so a tile a whole class asks for at
once is read and encoded once (docs/tiles.md, "The tile path"). The stages run
on other threads: the memcached lookup and fill on the tile cache's batcher
thread, the read and encode on the tile pool.

The async entry points (``get_tile_bytes``, ``get_thumbnail_bytes``,
``get_associated_bytes``, ``get_handle``, ``get_dzi``) answer from the
in-process cache when they can and otherwise await the shared future through
the loop's inbox (``slides.tiles.inbox``). They raise ``TileNotFound``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future

from slides.tilecache import TileKey, get_tile_cache, image_cache_key, tile_cache_key
from slides.tiles.handles import SlideHandle, handle_for, handles
from slides.tiles.inbox import await_bytes
from slides.tiles.pools import in_pool, tile_executor
from slides.tiles.render import dzi_xml, render_associated, render_thumbnail, render_tile

_inflight: dict[str, Future[bytes]] = {}
_inflight_lock = threading.Lock()


def fetch_future(cache_key: str, produce: Callable[[], bytes]) -> Future[bytes]:
    """The bytes for ``cache_key``: from memcached, else produced once and cached.

    Concurrent callers for the same key share one future (and one read).
    The future cannot be cancelled, so a client that goes away never cancels
    the work other waiters depend on.
    """
    with _inflight_lock:
        fut = _inflight.get(cache_key)
        if fut is not None:
            return fut
        fut = Future()
        fut.set_running_or_notify_cancel()
        _inflight[cache_key] = fut
    get_tile_cache().lookup(cache_key, lambda data: _looked_up(cache_key, produce, fut, data))
    return fut


def _finish(
    cache_key: str, fut: Future[bytes], data: bytes | None, error: BaseException | None
) -> None:
    with _inflight_lock:
        _inflight.pop(cache_key, None)
    if error is not None:
        fut.set_exception(error)
    else:
        assert data is not None
        fut.set_result(data)


def _looked_up(
    cache_key: str, produce: Callable[[], bytes], fut: Future[bytes], data: bytes | None
) -> None:
    """Memcached answered (on the batcher thread): finish, or render on the tile pool."""
    if data is not None:
        _finish(cache_key, fut, data, None)
    else:
        tile_executor().submit(_produce_stage, cache_key, produce, fut)


def _produce_stage(cache_key: str, produce: Callable[[], bytes], fut: Future[bytes]) -> None:
    try:
        data = in_pool(produce)
    except BaseException as e:
        _finish(cache_key, fut, None, e)
        return
    get_tile_cache().store(cache_key, data)
    _finish(cache_key, fut, data, None)


def tile_future(key: TileKey, cache_key: str | None = None) -> Future[bytes]:
    ck = tile_cache_key(key) if cache_key is None else cache_key
    return fetch_future(ck, lambda: render_tile(key))


async def get_tile_bytes(key: TileKey, cache_key: str | None = None) -> bytes:
    """The tile's JPEG bytes (cache, else a coalesced read). Raises TileNotFound."""
    ck = tile_cache_key(key) if cache_key is None else cache_key
    data = get_tile_cache().get_local(ck)
    if data is not None:
        return data
    return await await_bytes(tile_future(key, ck))


async def get_thumbnail_bytes(slide_id: int, version: int, max_size: int) -> bytes:
    ck = image_cache_key(slide_id, version, "th", str(max_size))
    data = get_tile_cache().get_local(ck)
    if data is not None:
        return data
    fut = fetch_future(ck, lambda: render_thumbnail(slide_id, version, max_size))
    return await await_bytes(fut)


async def get_associated_bytes(slide_id: int, version: int, name: str) -> bytes:
    ck = image_cache_key(slide_id, version, "a", name)
    data = get_tile_cache().get_local(ck)
    if data is not None:
        return data
    fut = fetch_future(ck, lambda: render_associated(slide_id, version, name))
    return await await_bytes(fut)


async def get_handle(slide_id: int, version: int) -> SlideHandle:
    """The open handle, opening the slide on the tile pool if needed (TileNotFound if not)."""
    handle = handles().peek(slide_id, version)
    if handle is not None:
        return handle
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(tile_executor(), in_pool, handle_for, slide_id, version)


async def get_dzi(slide_id: int, version: int) -> str:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(tile_executor(), in_pool, dzi_xml, slide_id, version)

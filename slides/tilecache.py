"""The tile cache: raw JPEG bytes under one deterministic key.

See docs/tiles.md ("Cache key" and "Failure modes").

Two tiers:

* **L1**, an in-process, byte-bounded LRU (``TILE_CACHE_LOCAL_MB``). It is the
  whole cache in the embedded default and sits in front of memcached in
  production, so the tiles a whole class is looking at are served without
  any I/O. Keys carry the slide version, so L1 can never go stale.
* **L2**, memcached through pymemcache (``MEMCACHED_SERVERS``), shared by
  every process and by nginx's memcached module. A memcached failure (down,
  timeout, protocol error) is logged at most once a minute and reads as a
  miss: tiles are then served uncached, never a 500.

The cache stores the bytes that go on the wire, never pickled responses.

The tile path reaches memcached through one ``RemoteBatcher`` thread per
process, which sends whatever lookups and fills have queued up as one
multi-get and one batch of noreply sets (docs/tiles.md, "Memcached batching").
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from pymemcache.client.base import PooledClient
from pymemcache.client.hash import HashClient

logger = logging.getLogger(__name__)

_FAILURE_LOG_INTERVAL = 60.0


@dataclass(frozen=True, slots=True)
class TileKey:
    """Everything that determines a tile's bytes."""

    slide_id: int
    version: int
    level: int
    col: int
    row: int
    fmt: str = "jpeg"


def tile_cache_key(key: TileKey, *, prefix: str | None = None) -> str:
    """``{prefix}:t:{slide}:{version}:{tile_size}:{overlap}:{quality}:{level}:{col}_{row}.{fmt}``

    ASCII, no spaces, well under memcached's 250 bytes, and computable from a
    tile URL plus the deployment's settings (see docs/tiles.md for nginx).
    """
    p = settings.TILE_CACHE_PREFIX if prefix is None else prefix
    return (
        f"{p}:t:{key.slide_id}:{key.version}:{settings.TILE_SIZE}:{settings.TILE_OVERLAP}:"
        f"{settings.TILE_QUALITY}:{key.level}:{key.col}_{key.row}.{key.fmt}"
    )


def image_cache_key(slide_id: int, version: int, kind: str, name: str) -> str:
    """Key for thumbnails (``kind="th"``, name = max size) and associated images (``"a"``)."""
    return (
        f"{settings.TILE_CACHE_PREFIX}:{kind}:{slide_id}:{version}:{settings.TILE_QUALITY}:"
        f"{name}.jpeg"
    )


def check_prefix(prefix: str) -> None:
    if not prefix or len(prefix) > 100 or not all(33 <= ord(c) < 127 for c in prefix):
        raise ValueError("TILE_CACHE_PREFIX must be 1-100 printable ASCII characters, no spaces")


class LocalTileCache:
    """A thread-safe LRU bounded by the total size of the values it holds."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        size = len(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._items[key] = value
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size_bytes(self) -> int:
        return self._bytes


class MemcachedTileCache:
    """pymemcache with short timeouts, pooled connections and a circuit breaker.

    One server: a ``PooledClient`` (``HashClient`` hashes every key in pure
    Python, ~3x the CPU per operation). Several: a ``HashClient`` (rendezvous
    hashing). After a failure memcached is skipped for ``DEAD_SECONDS`` so a
    dead or black-holed server costs one timeout, not one per tile.

    Blocking: call it from a worker thread, never from the event loop.
    """

    DEAD_SECONDS = 10.0

    def __init__(self, servers: list[tuple[str, int]], *, ttl: int) -> None:
        self.ttl = ttl
        options: dict[str, Any] = {
            "connect_timeout": 0.25,
            "timeout": 0.5,
            "no_delay": True,
            "max_pool_size": 32,
            "default_noreply": True,
        }
        self._client: Any
        if len(servers) == 1:
            self._client = PooledClient(servers[0], **options)
        else:
            self._client = HashClient(
                servers,
                use_pooling=True,
                retry_attempts=1,
                retry_timeout=1,
                dead_timeout=int(self.DEAD_SECONDS),
                ignore_exc=False,
                **options,
            )
        self._down_until = 0.0
        self._last_failure_log = 0.0
        self._log_lock = threading.Lock()
        self.failures = 0

    def _failed(self, op: str, error: Exception) -> None:
        self.failures += 1
        now = time.monotonic()
        self._down_until = now + self.DEAD_SECONDS
        with self._log_lock:
            if now - self._last_failure_log < _FAILURE_LOG_INTERVAL:
                return
            self._last_failure_log = now
        logger.warning(
            "memcached %s failed, serving tiles uncached for %.0f s: %s",
            op,
            self.DEAD_SECONDS,
            error,
        )

    def _up(self) -> bool:
        return time.monotonic() >= self._down_until

    def get(self, key: str) -> bytes | None:
        if not self._up():
            return None
        try:
            value: Any = self._client.get(key)
        except Exception as e:  # any client/socket/protocol failure is a miss
            self._failed("get", e)
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        if not self._up():
            return
        try:
            self._client.set(key, value, expire=self.ttl, noreply=True)
        except Exception as e:
            self._failed("set", e)

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        """The values found (one ``get k1 k2 ...`` a server); {} while memcached is down."""
        if not keys or not self._up():
            return {}
        try:
            values: Any = self._client.get_many(keys)
        except Exception as e:
            self._failed("get", e)
            return {}
        return {k: v for k, v in values.items() if isinstance(v, bytes)}

    def set_many(self, items: dict[str, bytes]) -> None:
        """Store every item with noreply: one write a server."""
        if not items or not self._up():
            return
        try:
            self._client.set_many(items, expire=self.ttl, noreply=True)
        except Exception as e:
            self._failed("set", e)

    def close(self) -> None:
        try:
            self._client.close()
        except Exception:  # closing a dead pool must not raise
            logger.debug("closing memcached client failed", exc_info=True)


Lookup = Callable[[bytes | None], None]


class RemoteBatcher:
    """One thread that does the tile path's memcached I/O a batch at a time.

    ``lookup`` and ``store`` only queue. The thread takes everything queued
    (up to ``MAX_BATCH``), sends the fills as one noreply ``set_many`` and the
    lookups as one ``get_many``, and calls each lookup's callback with the
    bytes or None, on this thread. Under load a batch holds tens of requests,
    so a cold tile costs a share of one round trip instead of two round trips
    on pool threads, each with its GIL hand-offs (docs/tiles.md, "Memcached
    batching"). Fills go first, so a lookup queued after a fill of the same
    key finds it.
    """

    MAX_BATCH = 64

    def __init__(self, remote: MemcachedTileCache, local: LocalTileCache | None) -> None:
        self.remote = remote
        self.local = local
        self._queue: queue.SimpleQueue[tuple[str, bytes | Lookup] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="tile-memcached", daemon=True)
        self._thread.start()
        self.batches = 0

    def lookup(self, key: str, callback: Lookup) -> None:
        self._queue.put((key, callback))

    def store(self, key: str, value: bytes) -> None:
        self._queue.put((key, value))

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        self._queue.put(None)
        if self._thread is not threading.current_thread():
            self._thread.join(5)

    def _take(self) -> tuple[list[tuple[str, bytes | Lookup]], bool]:
        item = self._queue.get()
        if item is None:
            return [], False
        batch = [item]
        while len(batch) < self.MAX_BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, False
            batch.append(item)
        return batch, True

    def _run(self) -> None:
        running = True
        while running:
            batch, running = self._take()
            if batch:
                self.batches += 1
                self._serve(batch)

    def _serve(self, batch: list[tuple[str, bytes | Lookup]]) -> None:
        fills: dict[str, bytes] = {}
        lookups: list[tuple[str, Lookup]] = []
        for key, item in batch:
            if isinstance(item, bytes):
                fills[key] = item
            else:
                lookups.append((key, item))
        self.remote.set_many(fills)
        found = self.remote.get_many(list({key: None for key, _ in lookups}))
        for key, callback in lookups:
            value = found.get(key)
            if value is None:
                value = fills.get(key)
            elif self.local is not None:
                self.local.set(key, value)
            try:
                callback(value)
            except Exception:  # one broken waiter must not stop the thread
                logger.exception("tile cache lookup callback for %s failed", key)


class TileCache:
    """L1 (in-process) in front of an optional L2 (memcached)."""

    def __init__(self, local: LocalTileCache | None, remote: MemcachedTileCache | None) -> None:
        self.local = local
        self.remote = remote
        self._batcher: RemoteBatcher | None = None
        self._batcher_lock = threading.Lock()

    def _remote_batcher(self) -> RemoteBatcher:
        assert self.remote is not None
        batcher = self._batcher
        if batcher is None:
            with self._batcher_lock:
                if self._batcher is None:
                    self._batcher = RemoteBatcher(self.remote, self.local)
                batcher = self._batcher
        return batcher

    def lookup(self, key: str, callback: Lookup) -> None:
        """Non-blocking: ``callback(bytes or None)`` once memcached answered.

        Without memcached the callback runs at once with None. With it, the
        callback runs on the batcher thread, so it must be quick (hand work
        to a pool). A hit fills L1.
        """
        if self.remote is None:
            callback(None)
        else:
            self._remote_batcher().lookup(key, callback)

    def store(self, key: str, value: bytes) -> None:
        """Non-blocking: into L1 now, into memcached with the batcher's next write."""
        if self.local is not None:
            self.local.set(key, value)
        if self.remote is not None:
            self._remote_batcher().store(key, value)

    def get_local(self, key: str) -> bytes | None:
        """Non-blocking: safe on the event loop."""
        return self.local.get(key) if self.local is not None else None

    def close(self) -> None:
        if self._batcher is not None:
            self._batcher.close()
        if self.remote is not None:
            self.remote.close()


_cache: TileCache | None = None
_cache_lock = threading.Lock()


def build_tile_cache() -> TileCache:
    check_prefix(settings.TILE_CACHE_PREFIX)
    local_bytes = settings.TILE_CACHE_LOCAL_MB * 1024 * 1024
    local = LocalTileCache(local_bytes) if local_bytes > 0 else None
    servers = [(s.host, s.port) for s in settings.MEMCACHED_SERVERS]
    remote = MemcachedTileCache(servers, ttl=settings.TILE_CACHE_TTL) if servers else None
    return TileCache(local, remote)


def get_tile_cache() -> TileCache:
    """The process-wide tile cache, built from settings on first use."""
    global _cache
    cache = _cache
    if cache is None:
        with _cache_lock:
            if _cache is None:
                _cache = build_tile_cache()
            cache = _cache
    return cache


def reset_tile_cache() -> None:
    """Drop the process-wide cache (tests, settings changes)."""
    global _cache
    with _cache_lock:
        if _cache is not None:
            _cache.close()
        _cache = None


_CACHE_SETTINGS = {
    "MEMCACHED_SERVERS",
    "TILE_CACHE_LOCAL_MB",
    "TILE_CACHE_PREFIX",
    "TILE_CACHE_TTL",
}


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in _CACHE_SETTINGS:
        reset_tile_cache()


setting_changed.connect(_on_setting_changed)

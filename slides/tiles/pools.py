"""The tile path's thread pools (see docs/tiles.md, "The tile path").

* ``tile_executor``: the bounded pool (``TILE_WORKERS``) for OpenSlide reads
  and JPEG encodes.
* ``io_executor``: a small pool for short blocking I/O (slide record lookups).

Work submitted to either goes through ``in_pool``, which closes the pool
thread's database connections afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections

T = TypeVar("T")

IO_WORKERS = 2

_tile_pool: ThreadPoolExecutor | None = None
_io_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def tile_executor() -> ThreadPoolExecutor:
    """The bounded pool (TILE_WORKERS) for OpenSlide reads and JPEG encodes."""
    global _tile_pool
    if _tile_pool is None:
        with _pool_lock:
            if _tile_pool is None:
                _tile_pool = ThreadPoolExecutor(settings.TILE_WORKERS, thread_name_prefix="tile")
    return _tile_pool


def io_executor() -> ThreadPoolExecutor:
    """A small pool for short blocking I/O: slide record lookups."""
    global _io_pool
    if _io_pool is None:
        with _pool_lock:
            if _io_pool is None:
                _io_pool = ThreadPoolExecutor(IO_WORKERS, thread_name_prefix="tile-io")
    return _io_pool


def in_pool(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` on one of our pool threads, then close that thread's DB connections.

    Pool threads live forever and Django only recycles connections around
    requests, so a connection opened here would otherwise stay open (and keep
    a test database busy). Lookups are rare (once per RECORD_TTL per slide).
    """
    try:
        return fn(*args)
    finally:
        connections.close_all()

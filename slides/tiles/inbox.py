"""Finished tile futures handed to the event loop, one wake-up a batch.

``asyncio.wrap_future`` wakes the loop once per future (a write to its
self-pipe from the finishing thread, a GIL hand-off, a loop iteration).
Cold tiles finish hundreds a second, so ``await_bytes`` queues them in the
waiting loop's inbox instead, and the loop is woken only when the inbox goes
from empty to not empty (docs/tiles.md, "The tile path").
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from concurrent.futures import Future

from scopecast.loops import LoopLocal


class _LoopInbox:
    """One event loop's finished futures; made on that loop (``LoopLocal``)."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._items: list[tuple[asyncio.Future[bytes], Future[bytes]]] = []
        self._lock = threading.Lock()

    def put(self, waiter: asyncio.Future[bytes], done: Future[bytes]) -> None:
        with self._lock:
            self._items.append((waiter, done))
            if len(self._items) > 1:
                return  # a drain is already scheduled
        # A closed loop (a finished test, a stopping server) has no waiters left.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        with self._lock:
            items, self._items = self._items, []
        for waiter, done in items:
            if waiter.done():  # the request went away
                continue
            error = done.exception()
            if error is not None:
                waiter.set_exception(error)
            else:
                waiter.set_result(done.result())


_inboxes: LoopLocal[_LoopInbox] = LoopLocal(_LoopInbox)


async def await_bytes(fut: Future[bytes]) -> bytes:
    """Await a tile future from the event loop (batched wake-ups, see ``_LoopInbox``)."""
    if fut.done():
        return fut.result()
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[bytes] = loop.create_future()
    inbox = _inboxes.for_loop(loop)
    fut.add_done_callback(lambda done: inbox.put(waiter, done))
    return await waiter

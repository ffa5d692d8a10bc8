"""Tile futures reach the event loop in batches (slides.tiles.inbox.await_bytes)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

import pytest

from slides.tiles import errors, inbox


def running() -> Future[bytes]:
    fut: Future[bytes] = Future()
    fut.set_running_or_notify_cancel()
    return fut


async def test_futures_finished_together_wake_the_loop_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()
    wakeups = 0
    real = loop.call_soon_threadsafe

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal wakeups
        wakeups += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(loop, "call_soon_threadsafe", counting)
    futures = [running() for _ in range(50)]
    waiters = [asyncio.ensure_future(inbox.await_bytes(f)) for f in futures]
    await asyncio.sleep(0)  # every waiter is registered

    def finish_all() -> None:
        for i, fut in enumerate(futures):
            fut.set_result(b"tile %d" % i)

    thread = threading.Thread(target=finish_all)
    thread.start()
    thread.join()
    assert await asyncio.gather(*waiters) == [b"tile %d" % i for i in range(50)]
    assert wakeups == 1  # not one self-pipe write a tile


async def test_a_failure_reaches_the_waiter_and_a_gone_waiter_is_skipped() -> None:
    failing, abandoned, fine = running(), running(), running()
    a = asyncio.ensure_future(inbox.await_bytes(failing))
    b = asyncio.ensure_future(inbox.await_bytes(abandoned))
    c = asyncio.ensure_future(inbox.await_bytes(fine))
    await asyncio.sleep(0)
    b.cancel()  # the client went away
    failing.set_exception(errors.TileNotFound("tile cannot be read"))
    abandoned.set_result(b"nobody waits")
    fine.set_result(b"tile")
    with pytest.raises(errors.TileNotFound):
        await a
    assert await c == b"tile"
    with pytest.raises(asyncio.CancelledError):
        await b


async def test_a_finished_future_returns_without_waiting() -> None:
    fut = running()
    fut.set_result(b"cached")
    assert await inbox.await_bytes(fut) == b"cached"

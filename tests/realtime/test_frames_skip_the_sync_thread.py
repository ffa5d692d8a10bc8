"""Inbound frames never wait for Django's single sync thread (see docs/protocol.md,
"Fan-out and state"): a teacher's pointer reaches students while that thread is
busy, because only ORM work (in its own ``database_sync_to_async`` calls) uses it.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async

from tests.support.realtime import connect, disconnect, recv, send

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_pointer_reaches_students_while_the_sync_thread_is_busy(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    busy, release = threading.Event(), threading.Event()

    def hog_the_sync_thread() -> None:
        busy.set()
        release.wait(10)

    hog = asyncio.ensure_future(sync_to_async(hog_the_sync_thread, thread_sensitive=True)())
    try:
        assert await asyncio.to_thread(busy.wait, 5)
        await send(t, type="pointer", point=[3.0, 4.0])
        event = await recv(a)
        assert (event["type"], event["point"]) == ("pointer", [3.0, 4.0])
        await send(a, type="ping", seq=0)
        assert (await recv(a))["type"] == "pong"
    finally:
        release.set()
        await hog
    await disconnect(t, a)

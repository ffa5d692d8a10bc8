"""The session event log is written in batches and flushed on close."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from classroom.models import SessionEvent
from realtime import eventlog
from tests.support.realtime import connect, disconnect, recv, send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.REALTIME_RATE_SCALE = 100


async def test_events_are_buffered_then_written_in_one_batch(live, teacher, settings):
    settings.REALTIME_EVENTLOG_INTERVAL = 60.0
    t, _ = await connect(live.session.pk, user=teacher)
    for i in range(5):
        await send(t, type="lock", locked=i % 2 == 0)
        await recv(t)
    await send(t, type="pointer", point=[1.0, 2.0])  # ephemeral: not logged
    await recv(t)
    assert eventlog.writer.pending() == 1 + 5  # the teacher's join and the locks
    assert await SessionEvent.objects.acount() == 0  # nothing written per event
    flushes = eventlog.writer.flushes
    await eventlog.flush()
    assert eventlog.writer.flushes == flushes + 1
    rows = [r async for r in SessionEvent.objects.filter(type="lock").order_by("seq")]
    assert [(r.seq, r.type, r.actor) for r in rows] == [
        (i, "lock", f"u:{teacher.pk}") for i in range(1, 6)
    ]
    assert rows[0].payload == {"type": "lock", "locked": True}
    await disconnect(t)


async def test_a_full_batch_is_written_without_waiting(live, teacher, settings):
    settings.REALTIME_EVENTLOG_INTERVAL = 60.0
    settings.REALTIME_EVENTLOG_BATCH = 3
    flushes = eventlog.writer.flushes
    t, _ = await connect(live.session.pk, user=teacher)
    for i in range(3):
        await send(t, type="lock", locked=i % 2 == 0)
        await recv(t)
    # Wait for the writer, not the table: reading the rows while the log's
    # thread writes them fails that write on SQLite's shared in-memory test
    # database ("table is locked").
    for _ in range(100):
        if eventlog.writer.flushes > flushes:
            break
        await asyncio.sleep(0.02)
    assert await SessionEvent.objects.acount() == 3  # the join and two locks; one waits
    await disconnect(t)


async def test_the_log_is_flushed_when_the_last_socket_leaves(live, teacher, settings):
    settings.REALTIME_EVENTLOG_INTERVAL = 60.0
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="lock", locked=True)
    await recv(t)
    assert eventlog.writer.pending() == 2  # the join and the lock
    await t.disconnect()
    assert eventlog.writer.pending() == 0
    assert await SessionEvent.objects.filter(type="lock").acount() == 1


async def test_the_atexit_flush_writes_what_is_pending(live):
    eventlog.record(live.session.pk, 7, "lock", "u:1", {"type": "lock", "locked": True})
    from channels.db import database_sync_to_async

    await database_sync_to_async(eventlog._flush_at_exit)()
    assert await SessionEvent.objects.filter(seq=7).aexists()


def _count_in_own_thread(seq: int) -> int:
    try:
        return SessionEvent.objects.filter(seq=seq).count()
    finally:
        connections.close_all()


async def test_it_flushes_while_djangos_sync_thread_is_busy(live):
    busy, release = threading.Event(), threading.Event()

    def hog_the_sync_thread() -> None:
        busy.set()
        release.wait(10)

    hog = asyncio.ensure_future(sync_to_async(hog_the_sync_thread, thread_sensitive=True)())
    try:
        assert await asyncio.to_thread(busy.wait, 5)
        eventlog.record(live.session.pk, 11, "lock", "u:1", {"type": "lock", "locked": True})
        await asyncio.wait_for(eventlog.flush(), 5)
        assert eventlog.writer.pending() == 0
        assert await asyncio.to_thread(_count_in_own_thread, 11) == 1
    finally:
        release.set()
        await hog


async def test_a_failed_flush_keeps_the_events_for_the_next_one(live):
    eventlog.record(10**9, 12, "lock", "u:1", {"type": "lock", "locked": True})  # no such session
    await eventlog.flush()
    assert eventlog.writer.pending() == 1
    eventlog.writer.discard()

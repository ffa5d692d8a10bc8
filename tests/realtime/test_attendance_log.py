"""Joins, leaves and follow changes go into the session event log, never to a
socket (see docs/protocol.md, "Event log"): attendance and "who followed"."""

from __future__ import annotations

from typing import Any

import pytest

from classroom.models import SessionEvent
from realtime import eventlog
from tests.support.realtime import capture_send_event_calls, connect, disconnect, send, silent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def generous_rate_limits(settings: Any) -> None:
    settings.REALTIME_RATE_SCALE = 100


async def _rows() -> list[SessionEvent]:
    await eventlog.flush()
    return [r async for r in SessionEvent.objects.order_by("created_at", "id")]


async def test_joining_following_and_leaving_land_in_the_log(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    with capture_send_event_calls() as captured:
        a, _ = await connect(live.session.pk, user=alice)
        await send(a, type="follow", following=False)
        await send(a, type="follow", following=False)  # no change: not logged again
        await send(a, type="follow", following=True)
        assert await silent(a) and await silent(t)  # nothing is broadcast
        await a.disconnect()
    assert {e["audience"] for e in captured.events} == {"none"}
    rows = [r for r in await _rows() if r.actor == f"u:{alice.pk}"]
    assert [r.type for r in rows] == ["joined", "follow", "follow", "left"]
    assert all(r.seq is None and r.session_id == live.session.pk for r in rows)
    joined, off, on, left = (r.payload for r in rows)
    assert joined == {
        "type": "joined",
        "participant": f"u:{alice.pk}",
        "role": "student",
        "name": "Alice",
        "connection": joined["connection"],
    }
    assert (off["following"], on["following"]) == (False, True)
    assert left == {
        "type": "left",
        "participant": f"u:{alice.pk}",
        "role": "student",
        "connection": joined["connection"],
        "code": 1000,
    }
    await disconnect(t)


async def test_the_last_socket_leaving_writes_its_own_leave(live, teacher, settings):
    settings.REALTIME_EVENTLOG_INTERVAL = 60.0
    t, _ = await connect(live.session.pk, user=teacher)
    await t.disconnect()  # the hub closes and flushes: the leave is in that flush
    assert eventlog.writer.pending() == 0
    rows = [r async for r in SessionEvent.objects.order_by("created_at", "id")]
    assert [(r.type, r.actor) for r in rows] == [
        ("joined", f"u:{teacher.pk}"),
        ("left", f"u:{teacher.pk}"),
    ]

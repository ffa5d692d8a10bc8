"""Each process paces the continuous streams (docs/protocol.md, "Fan-out").

A stream gets one frame per interval on average, with a burst of two; a
viewport that finds no token waits (a newer one replaces it) and goes out
when a token is back; any other frame sends the waiting viewport first, so
sequenced frames still arrive in seq order. The interval grows with the
number of local sockets.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.support.realtime import connect, disconnect, recv, send, the_hub

pytestmark = pytest.mark.django_db(transaction=True)


def _view(live: Any, x: float) -> dict[str, Any]:
    return {"type": "set_viewport", "slide_id": live.slide.pk, "x": x, "y": 5.0, "zoom": 1.0}


@pytest.fixture
def paced(settings: Any) -> None:
    settings.REALTIME_STREAM_MIN_INTERVAL = 0.2
    settings.REALTIME_RATE_SCALE = 100


async def test_a_burst_of_viewports_reaches_students_as_two_and_then_the_last(
    live, teacher, alice, paced
) -> None:
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="open_item", index=0)
    await recv(a)
    for x in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0):
        await send(t, **_view(live, x))
        await asyncio.sleep(0.01)
    first, second = await recv(a), await recv(a)
    started = time.monotonic()
    last = await recv(a, wait=2)
    assert [f["viewport"]["x"] for f in (first, second, last)] == [1.0, 2.0, 6.0]
    assert time.monotonic() - started > 0.1  # the last waited for a token
    assert first["seq"] < second["seq"] < last["seq"]
    await disconnect(t, a)


async def test_a_frame_behind_a_waiting_viewport_sends_it_first(
    live, teacher, alice, paced
) -> None:
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="open_item", index=0)
    await recv(a)
    await send(t, **_view(live, 1.0))
    assert (await recv(a))["viewport"]["x"] == 1.0
    await send(t, **_view(live, 1.5))  # the burst's second token
    assert (await recv(a))["viewport"]["x"] == 1.5
    await send(t, **_view(live, 2.0))  # waits for a token ...
    await send(t, type="lock", locked=True)  # ... until this lock comes
    held, lock = await recv(a), await recv(a)
    assert (held["type"], held["viewport"]["x"], lock["type"]) == ("viewport", 2.0, "lock")
    assert held["seq"] < lock["seq"]
    await disconnect(t, a)


async def test_the_interval_grows_with_the_sockets_of_the_process(live, teacher, settings) -> None:
    settings.REALTIME_STREAM_MIN_INTERVAL = 0.05
    settings.REALTIME_STREAM_FRAMES = 10_000
    t, _ = await connect(live.session.pk, user=teacher)
    hub = the_hub(live.session.pk)
    assert hub.stream_interval() == 0.05  # 20 a second for a class of any usual size
    hub.conns |= {object() for _ in range(999)}  # type: ignore[misc]
    assert hub.stream_interval() == pytest.approx(0.1)  # 1,000 sockets: 10 a second
    hub.conns = {c for c in hub.conns if hasattr(c, "session_id")}
    await disconnect(t)

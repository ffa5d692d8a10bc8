"""A client that stops acking gets the latest viewport, never a backlog
(see docs/protocol.md, "Delivery: latest value wins, slow clients").

The server writes at most ``REALTIME_SEND_WINDOW`` seqs past a client's last
ack; further frames wait in its outbox, where viewports coalesce.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from realtime.events import validate_event
from realtime.state import get_store
from tests.support.realtime import QUIET, connect, disconnect, recv, send, silent

pytestmark = pytest.mark.django_db(transaction=True)

WINDOW = 4


@pytest.fixture(autouse=True)
def small_window(settings: Any) -> None:
    settings.REALTIME_RATE_SCALE = 100
    settings.REALTIME_SEND_WINDOW = WINDOW


async def _command(session_id: int, comm: WebsocketCommunicator, **frame: Any) -> int:
    """Send a teacher command and wait until it has taken its seq."""
    store = get_store()
    before = (await store.get(session_id)).seq
    await send(comm, **frame)
    for _ in range(300):
        seq = (await store.get(session_id)).seq
        if seq > before:
            return seq
        await asyncio.sleep(0.01)
    raise AssertionError(f"{frame['type']} took no seq")


async def _frame(comm: WebsocketCommunicator, wait: float = 3) -> dict[str, Any]:
    """The next frame that is not a pong or presence chatter."""
    while True:
        frame: dict[str, Any] = json.loads(await comm.receive_from(wait))
        validate_event(frame, delivered=True)
        if frame["type"] not in QUIET and frame["type"] != "pong":
            return frame


async def test_a_client_that_stops_acking_gets_the_latest_viewport_and_every_event_in_order(
    live, teacher, alice
):
    sid = live.session.pk
    t, _ = await connect(sid, user=teacher)
    a, _ = await connect(sid, user=alice)
    last = 0

    async def viewports(*xs: float) -> None:
        nonlocal last
        for x in xs:
            last = await _command(
                sid, t, type="set_viewport", slide_id=live.slide.pk, x=x, y=1.0, zoom=1.0
            )

    await _command(sid, t, type="open_item", index=0)  # seq 1
    await viewports(2, 3, 4, 5, 6)  # seqs 2-6
    lock_on = await _command(sid, t, type="lock", locked=True)  # 7
    await viewports(8, 9, 10, 11, 12)
    lock_off = await _command(sid, t, type="lock", locked=False)  # 13
    await viewports(14, 15, 16, 17, 18)
    assert last == 18

    # Alice never acked: the server wrote one window past her snapshot, then held.
    early = [await _frame(a) for _ in range(WINDOW + 1)]
    assert [f["seq"] for f in early] == [1, 2, 3, 4, 5]
    assert await silent(a)

    # She acks what she has seen, then keeps acking each frame as it arrives.
    seen = early[-1]["seq"]
    resumed: list[dict[str, Any]] = []
    while not resumed or resumed[-1]["type"] != "viewport":
        await send(a, type="ping", seq=seen)
        frame = await _frame(a)
        resumed.append(frame)
        seen = frame["seq"]
    assert [(f["type"], f["seq"]) for f in resumed] == [
        ("lock", lock_on),
        ("lock", lock_off),
        ("viewport", last),
    ]
    assert resumed[-1]["viewport"]["x"] == 18.0
    await send(a, type="ping", seq=seen)
    assert (await recv(a))["type"] == "pong"
    assert await silent(a)
    await disconnect(t, a)


async def test_a_client_that_acks_every_half_window_gets_every_viewport(live, teacher, alice):
    sid = live.session.pk
    t, _ = await connect(sid, user=teacher)
    a, _ = await connect(sid, user=alice)
    await _command(sid, t, type="open_item", index=0)
    assert (await _frame(a))["type"] == "slide_opened"
    acked = 0
    xs = []
    for x in range(2, 30):
        await _command(sid, t, type="set_viewport", slide_id=live.slide.pk, x=x, y=1.0, zoom=1.0)
        frame = await _frame(a)
        if frame["type"] == "viewport":
            xs.append(frame["viewport"]["x"])
        if frame["seq"] - acked >= WINDOW // 2:
            await send(a, type="ping", seq=frame["seq"])
            acked = frame["seq"]
    assert xs == [float(x) for x in range(2, 30)]  # nothing coalesced away
    await disconnect(t, a)


async def test_a_held_client_is_still_closed_when_its_queue_overflows(
    live, teacher, alice, settings
):
    settings.REALTIME_MAX_PENDING = 3
    sid = live.session.pk
    t, _ = await connect(sid, user=teacher)
    a, _ = await connect(sid, user=alice)
    for i in range(WINDOW + 1 + 4):  # one window written, then four queued locks
        await _command(sid, t, type="lock", locked=i % 2 == 0)
    while True:
        output = await a.receive_output(3)
        if output["type"] == "websocket.close":
            assert output["code"] == 4408
            break
    await disconnect(t)

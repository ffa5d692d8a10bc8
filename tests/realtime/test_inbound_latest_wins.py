"""Inbound latest-value-wins for continuous streams (see docs/protocol.md, "Fan-out").

While a teacher's viewport is being handled, newer viewport frames replace the
pending one: only the newest is stored and fanned out. Every frame is still
validated and counted for rate limits, and other commands keep their order.
The handler is held on a gate so the backlog is deterministic.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from realtime import commands as c
from realtime import consumers
from realtime.connection import Connection
from realtime.state import get_store
from tests.support.realtime import connect, disconnect, recv, send, silent

pytestmark = pytest.mark.django_db(transaction=True)


@dataclasses.dataclass
class Gate:
    open: asyncio.Event
    entered: asyncio.Event
    seen: list[float]


@pytest.fixture
def gated_viewport(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    """set_viewport's real handler, run only once the gate opens."""
    spec = c.COMMANDS["set_viewport"]
    real = spec.handler
    assert real is not None
    gate = Gate(asyncio.Event(), asyncio.Event(), [])

    async def held(conn: Connection, cmd: Any) -> None:
        gate.seen.append(cmd.x)
        gate.entered.set()
        await gate.open.wait()
        await real(conn, cmd)

    monkeypatch.setitem(c.COMMANDS, "set_viewport", dataclasses.replace(spec, handler=held))
    yield gate


async def _superseded_reaches(count: int) -> None:
    for _ in range(200):
        if consumers.inbound_stats["superseded"] >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"only {consumers.inbound_stats['superseded']} superseded, not {count}")


def _viewport(live: Any, x: float) -> dict[str, Any]:
    return {"type": "set_viewport", "slide_id": live.slide.pk, "x": x, "y": 1.0, "zoom": 1.0}


async def test_it_fans_out_only_the_newest_of_a_backlog_of_viewports(
    live, teacher, alice, gated_viewport, settings
):
    settings.REALTIME_RATE_SCALE = 100
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="open_item", index=0)
    await recv(a)
    await send(t, **_viewport(live, 1.0))
    await asyncio.wait_for(gated_viewport.entered.wait(), 3)
    before = consumers.inbound_stats["superseded"]
    for x in range(2, 11):
        await send(t, **_viewport(live, float(x)))
    await _superseded_reaches(before + 8)  # 2..9 were each replaced while pending
    gated_viewport.open.set()
    first, last = await recv(a), await recv(a)
    assert (first["viewport"]["x"], last["viewport"]["x"]) == (1.0, 10.0)
    assert await silent(a)
    assert gated_viewport.seen == [1.0, 10.0]
    assert (await get_store().get(live.session.pk)).get("viewport")["x"] == 10.0
    await disconnect(t, a)


async def test_superseded_viewports_still_count_for_rate_limits(live, teacher, gated_viewport):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_item", index=0)
    await recv(t)
    spec = c.COMMANDS["set_viewport"]
    for x in range(int(spec.burst) + 1):
        await send(t, **_viewport(live, float(x)))
    error = await recv(t)
    assert (error["type"], error["code"]) == ("error", "rate_limited")
    gated_viewport.open.set()
    await disconnect(t)


async def test_a_bad_viewport_is_refused_even_while_one_is_pending(live, teacher, gated_viewport):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_item", index=0)
    await recv(t)
    await send(t, **_viewport(live, 1.0))
    await asyncio.wait_for(gated_viewport.entered.wait(), 3)
    await send(t, type="set_viewport", slide_id=live.slide.pk, x="far", y=1.0, zoom=1.0)
    assert (await recv(t))["code"] == "invalid"
    gated_viewport.open.set()
    assert (await recv(t))["viewport"]["x"] == 1.0
    await disconnect(t)


async def test_a_command_after_pending_viewports_runs_after_them(
    live, teacher, alice, gated_viewport
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="open_item", index=0)
    await recv(a)
    await send(t, **_viewport(live, 5.0))
    await asyncio.wait_for(gated_viewport.entered.wait(), 3)
    await send(t, type="lock", locked=True)
    assert await silent(a)  # the lock waits for the viewport ahead of it
    gated_viewport.open.set()
    assert (await recv(a))["type"] == "viewport"
    assert (await recv(a))["type"] == "lock"
    await disconnect(t, a)


async def test_a_pending_viewport_is_dropped_when_the_teacher_disconnects(
    live, teacher, alice, gated_viewport
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="open_item", index=0)
    await recv(a)
    await send(t, **_viewport(live, 1.0))
    await asyncio.wait_for(gated_viewport.entered.wait(), 3)
    await send(t, **_viewport(live, 2.0))
    await disconnect(t)
    gated_viewport.open.set()
    assert await silent(a)
    assert gated_viewport.seen == [1.0]
    await disconnect(a)

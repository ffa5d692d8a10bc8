"""The naive fan-out baseline (REALTIME_FANOUT="naive") speaks the same protocol."""

from __future__ import annotations

from typing import Any

import pytest

from tests.realtime.conftest import connect, disconnect, recv, send, silent, the_hub

pytestmark = pytest.mark.django_db(transaction=True)


async def test_naive_fanout_delivers_the_same_frames_per_socket(live, teacher, alice, settings):
    settings.REALTIME_FANOUT = "naive"
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="open_item", index=0)
    opened = await recv(a)
    assert opened == await recv(t)
    await send(t, type="set_viewport", slide_id=live.slide.pk, x=3.0, y=4.0, zoom=1.0)
    assert (await recv(a))["viewport"]["x"] == 3.0
    await send(a, type="hand", raised=True)
    assert (await recv_until(t, "hand"))["seq"] == 3
    assert await silent(a)
    assert the_hub(live.session.pk).received == 0  # sockets subscribe, not the hub
    await disconnect(t, a)


async def recv_until(comm: Any, type_name: str) -> dict[str, Any]:
    while (frame := await recv(comm))["type"] != type_name:
        pass
    return frame

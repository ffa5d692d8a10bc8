"""Slow clients are disconnected with 4408; nobody else notices."""

from __future__ import annotations

import pytest

from realtime.connection import Connection
from tests.support.realtime import close_code, connect, disconnect, recv, send, the_hub

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.REALTIME_RATE_SCALE = 100


def _conn_of(session_id: int, participant: str) -> Connection:
    return next(c for c in the_hub(session_id).conns if c.participant == participant)


async def test_a_client_whose_queue_overflows_is_closed_with_4408(
    live, teacher, alice, bob, settings
):
    settings.REALTIME_MAX_PENDING = 3
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    b, _ = await connect(live.session.pk, user=bob)
    _conn_of(live.session.pk, f"u:{alice.pk}").holding = True  # alice stops draining
    for i in range(5):
        await send(t, type="lock", locked=i % 2 == 0)
        await recv(t)
    assert await close_code(a) == 4408
    assert [(await recv(b))["seq"] for _ in range(5)] == [1, 2, 3, 4, 5]
    await disconnect(t, b)


async def test_a_client_whose_acks_lag_too_far_is_closed(live, teacher, alice, settings):
    settings.REALTIME_MAX_LAG = 2
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    for i in range(4):
        await send(t, type="lock", locked=i % 2 == 0)
        await recv(a)
    await send(a, type="ping", seq=1)  # it has seen 4 but claims 1: 3 behind
    assert await close_code(a) == 4408
    await disconnect(t)


async def test_a_client_that_acks_keeps_its_socket(live, teacher, alice, settings):
    settings.REALTIME_MAX_LAG = 2
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    for i in range(4):
        await send(t, type="lock", locked=i % 2 == 0)
        seq = (await recv(a))["seq"]
        await send(a, type="ping", seq=seq)
        pong = await recv(a)
        assert pong == {"type": "pong", "last_seq": seq}
    await disconnect(t, a)


async def test_a_client_that_stops_acking_is_closed_on_the_next_tick(
    live, teacher, alice, settings
):
    settings.REALTIME_ACK_TIMEOUT = 0.0
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="lock", locked=True)
    await recv(a)
    await the_hub(live.session.pk).tick()
    assert await close_code(a) == 4408
    await disconnect(t)

"""Resuming by seq: replay from the ring, or a snapshot when too much was missed."""

from __future__ import annotations

import pytest

from tests.support.realtime import connect, disconnect, recv, send, silent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.REALTIME_RATE_SCALE = 100


async def _lock_toggles(t, n: int) -> None:
    for i in range(n):
        await send(t, type="lock", locked=i % 2 == 0)
        assert (await recv(t))["type"] == "lock"


async def test_a_reconnecting_client_gets_exactly_the_missed_events(live, teacher, alice, settings):
    t, _ = await connect(live.session.pk, user=teacher)
    await _lock_toggles(t, 2)  # seq 1, 2
    await send(t, type="pointer", point=[1.0, 1.0])  # ephemeral: never replayed
    await recv(t)
    await _lock_toggles(t, 3)  # seq 3, 4, 5
    a, hello = await connect(live.session.pk, user=alice, since=2)
    assert hello["type"] == "hello"
    assert (hello["protocol"], hello["resumed_from"], hello["last_seq"]) == (1, 2, 5)
    replay = [await recv(a) for _ in range(3)]
    assert [(e["type"], e["seq"]) for e in replay] == [("lock", 3), ("lock", 4), ("lock", 5)]
    assert await silent(a)
    await _lock_toggles(t, 1)
    assert (await recv(a))["seq"] == 6
    await disconnect(t, a)


async def test_a_client_that_is_up_to_date_gets_only_a_hello(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    await _lock_toggles(t, 2)
    a, hello = await connect(live.session.pk, user=alice, since=2)
    assert hello["type"] == "hello" and hello["last_seq"] == 2
    assert await silent(a)
    await disconnect(t, a)


async def test_replay_respects_the_audience(live, teacher, alice, bob):
    t, _ = await connect(live.session.pk, user=teacher)
    b, _ = await connect(live.session.pk, user=bob)
    await send(b, type="hand", raised=True)  # seq 1, staff only
    await recv(t)
    await _lock_toggles(t, 1)  # seq 2
    a, hello = await connect(live.session.pk, user=alice, since=0)
    assert hello["type"] == "hello"
    assert [(await recv(a))["seq"]] == [2]
    assert await silent(a)
    t2, hello = await connect(live.session.pk, user=teacher, since=0)
    assert [(await recv(t2))["type"], (await recv(t2))["type"]] == ["hand", "lock"]
    await disconnect(t, t2, a, b)


async def test_too_much_missed_falls_back_to_a_snapshot(live, teacher, alice, settings):
    settings.REALTIME_RING_SIZE = 4
    t, _ = await connect(live.session.pk, user=teacher)
    await _lock_toggles(t, 7)  # ring holds seq 4..7
    a, first = await connect(live.session.pk, user=alice, since=2)
    assert first["type"] == "snapshot"
    assert first["last_seq"] == 7 and first["locked"] is True
    assert await silent(a)
    b, first = await connect(live.session.pk, user=alice, since=3)
    assert first["type"] == "hello"
    assert [(await recv(b))["seq"] for _ in range(4)] == [4, 5, 6, 7]
    await disconnect(t, a, b)


async def test_a_seq_from_the_future_gets_a_snapshot(live, alice):
    a, first = await connect(live.session.pk, user=alice, since=99)
    assert first["type"] == "snapshot" and first["last_seq"] == 0
    await disconnect(a)


async def test_the_resume_command_replays_on_an_open_socket(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await _lock_toggles(t, 3)
    assert [(await recv(a))["seq"] for _ in range(3)] == [1, 2, 3]
    await send(a, type="resume", since=1)
    hello = await recv(a)
    assert hello["type"] == "hello" and hello["resumed_from"] == 1
    assert [(await recv(a))["seq"] for _ in range(2)] == [2, 3]
    assert await silent(a)
    await disconnect(t, a)


async def test_a_replay_keeps_only_the_latest_viewport(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_item", index=0)  # seq 1
    await recv(t)
    for x in (1.0, 2.0, 3.0):  # seq 2, 3, 4
        await send(t, type="set_viewport", slide_id=live.slide.pk, x=x, y=1.0, zoom=1.0)
        await recv(t)
    await _lock_toggles(t, 1)  # seq 5
    await send(t, type="set_viewport", slide_id=live.slide.pk, x=9.0, y=1.0, zoom=1.0)  # seq 6
    await recv(t)
    a, hello = await connect(live.session.pk, user=alice, since=0)
    assert hello["type"] == "hello" and hello["last_seq"] == 6
    replay = [await recv(a) for _ in range(3)]
    assert [(e["type"], e["seq"]) for e in replay] == [
        ("slide_opened", 1),
        ("lock", 5),
        ("viewport", 6),
    ]
    assert replay[2]["viewport"]["x"] == 9.0
    assert await silent(a)
    await disconnect(t, a)

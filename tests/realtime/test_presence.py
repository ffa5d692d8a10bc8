"""Presence: roster for teachers, counts for all, cleanup of crashed clients."""

from __future__ import annotations

import asyncio
import time

import pytest

from realtime.presence import PresenceEntry, get_presence
from realtime.snapshot import ROSTER_TTL
from tests.support.realtime import connect, disconnect, recv_type, send, the_hub

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_roster(settings):
    settings.REALTIME_ROSTER_DELAY = 0.01


async def test_the_teacher_sees_who_joins_follows_and_raises_a_hand(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    roster = await recv_type(t, "roster")
    while len(roster["roster"]) < 2:
        roster = await recv_type(t, "roster")
    assert [(r["participant"], r["role"]) for r in roster["roster"]] == [
        (f"u:{teacher.pk}", "teacher"),
        (f"u:{alice.pk}", "student"),
    ]
    assert roster["counts"] == {
        "connected": 2,
        "students": 1,
        "staff": 1,
        "following": 1,
        "hands": 0,
    }
    presence = await recv_type(a, "presence")
    while presence["counts"]["students"] < 1:  # one announced before she joined may come first
        presence = await recv_type(a, "presence")
    assert "roster" not in presence and presence["counts"]["students"] == 1

    await send(a, type="follow", following=False)
    await send(a, type="hand", raised=True)
    roster = await recv_type(t, "roster")
    while roster["counts"]["hands"] == 0 or roster["counts"]["following"] == 1:
        roster = await recv_type(t, "roster")
    alice_row = roster["roster"][1]
    assert (alice_row["following"], alice_row["hand"]) == (False, True)
    await disconnect(a)
    roster = await recv_type(t, "roster")
    while roster["counts"]["students"]:
        roster = await recv_type(t, "roster")
    await disconnect(t)


async def test_a_snapshot_carries_presence_counts(live, teacher, alice, bob):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await asyncio.sleep(ROSTER_TTL)  # snapshots share a roster read for this long
    b, snap = await connect(live.session.pk, user=bob)
    assert snap["counts"] == {"connected": 3, "students": 2, "staff": 1, "following": 2, "hands": 0}
    await disconnect(t, a, b)


async def test_cleanup_drops_a_crashed_client_from_the_roster(live, teacher, settings):
    settings.REALTIME_PRESENCE_STALE = 30.0
    t, _ = await connect(live.session.pk, user=teacher)
    # A connection of a process that crashed: nobody refreshes it any more.
    ghost = PresenceEntry(
        participant="u:999", role="student", name="Ghost", last_seen=time.time() - 60
    )
    await get_presence().put(live.session.pk, "ghost-conn", ghost)
    assert len(await get_presence().entries(live.session.pk)) == 2
    await the_hub(live.session.pk).tick()
    entries = await get_presence().entries(live.session.pk)
    assert [e.participant for e in entries.values()] == [f"u:{teacher.pk}"]
    roster = await recv_type(t, "roster")
    while any(r["participant"] == "u:999" for r in roster["roster"]):
        roster = await recv_type(t, "roster")
    assert roster["counts"]["students"] == 0
    await disconnect(t)


async def test_a_tick_keeps_live_connections_fresh(live, alice, settings):
    a, _ = await connect(live.session.pk, user=alice)
    entry = next(iter((await get_presence().entries(live.session.pk)).values()))
    before = entry.last_seen
    await asyncio.sleep(0.01)
    await the_hub(live.session.pk).tick()
    entry = next(iter((await get_presence().entries(live.session.pk)).values()))
    assert entry.last_seen > before
    await disconnect(a)
    assert await get_presence().entries(live.session.pk) == {}

"""Latest value wins: a client never gets a backlog of stale viewports."""

from __future__ import annotations

import json

import pytest

from realtime.connection import Outbox
from tests.support.realtime import connect, disconnect, recv, send, silent, the_hub

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    settings.REALTIME_RATE_SCALE = 100


def test_the_outbox_drops_a_superseded_value_and_queues_the_newest_at_the_tail():
    box = Outbox()
    box.put("a1", None, 1)
    box.put("v2", "viewport", 2)
    box.put("a3", None, 3)
    box.put("v4", "viewport", 4)
    box.put("p", "pointer", None)
    box.put("v5", "viewport", 5)
    assert len(box) == 4
    assert [box.pop(), box.pop(), box.pop(), box.pop(), box.pop()] == [
        ("a1", 1),
        ("a3", 3),
        ("p", None),
        ("v5", 5),
        None,
    ]
    assert len(box) == 0


def test_the_seqs_an_outbox_hands_out_only_increase():
    box = Outbox()
    for seq in range(1, 2000):
        box.put(f"e{seq}", "viewport" if seq % 3 else None, seq)
    seqs: list[int] = []
    while (item := box.pop()) is not None:
        assert item[1] is not None
        seqs.append(item[1])
    assert seqs == sorted(seqs) and seqs[-1] == 1999
    assert len(seqs) == 1999 // 3 + 1  # every uncoalesced frame and the last viewport


def test_superseded_slots_do_not_pile_up_in_the_outbox():
    box = Outbox()
    for seq in range(1, 2000):
        box.put(f"v{seq}", "viewport", seq)
    assert len(box) == 1
    assert len(box._order) <= Outbox.COMPACT_AFTER + 2
    assert box.pop() == ("v1999", 1999) and box.pop() is None


def test_the_outbox_skips_frames_a_snapshot_already_covered():
    box = Outbox()
    for seq in (1, 2, 3):
        box.put(f"e{seq}", None, seq)
    box.put("ephemeral", "pointer", None)
    assert box.pop(min_seq=2) == ("e3", 3)
    assert box.pop(min_seq=2) == ("ephemeral", None)


async def test_a_stalled_client_gets_only_the_latest_viewport(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="open_item", index=0)
    await recv(t)
    await recv(a)
    hub = the_hub(live.session.pk)
    conn = next(c for c in hub.conns if c.participant == f"u:{alice.pk}")
    conn.holding = True  # the socket stops draining (as if the client were slow)
    for i in range(10):
        await send(t, type="set_viewport", slide_id=live.slide.pk, x=float(i), y=1.0, zoom=1.0)
        await recv(t)
    await send(t, type="lock", locked=True)
    await recv(t)
    await send(t, type="set_viewport", slide_id=live.slide.pk, x=99.0, y=1.0, zoom=1.0)
    await recv(t)
    assert len(conn.outbox) == 2  # one viewport slot and the lock
    conn.release(0)
    first, second = await recv(a), await recv(a)
    assert (first["type"], first["seq"]) == ("lock", 12)
    assert (second["type"], second["viewport"]["x"], second["seq"]) == ("viewport", 99.0, 13)
    assert await silent(a)
    await disconnect(t, a)


async def test_every_local_socket_gets_the_same_encoded_text(live, teacher, alice, bob):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    b, _ = await connect(live.session.pk, user=bob)
    await send(t, type="lock", locked=True)
    texts = [await a.receive_from(), await b.receive_from(), await t.receive_from()]
    assert len(set(texts)) == 1
    assert json.loads(texts[0]) == {"seq": 1, "type": "lock", "locked": True}
    assert the_hub(live.session.pk).received == 1  # one layer message per process
    await disconnect(t, a, b)

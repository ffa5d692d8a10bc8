"""Spotlighting one student's view to the class (see docs/protocol.md)."""

from __future__ import annotations

import pytest

from tests.support.realtime import connect, disconnect, recv, send, silent

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_spotlight_shows_the_students_view_to_everyone(live, teacher, alice, bob):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    b, _ = await connect(live.session.pk, user=bob)
    await send(a, type="report_viewport", slide_id=live.slide.pk, x=11.0, y=12.0, zoom=2.0)
    await send(t, type="spotlight", participant=f"u:{alice.pk}")
    event = await recv(b)
    assert event["type"] == "spotlight"
    assert event["spotlight"]["participant"] == f"u:{alice.pk}"
    assert event["spotlight"]["name"] == "Alice"
    assert event["spotlight"]["view"]["x"] == 11.0
    assert (await recv(t))["type"] == "spotlight"

    await send(a, type="report_viewport", slide_id=live.slide.pk, x=30.0, y=40.0, zoom=3.0)
    moved = await recv(b)
    assert moved["type"] == "spotlight_view" and moved["viewport"]["x"] == 30.0
    await send(b, type="report_viewport", slide_id=live.slide.pk, x=1.0, y=1.0, zoom=1.0)
    assert (await recv(t))["viewport"]["x"] == 30.0  # bob's view is not mirrored
    assert await silent(t)

    late, snap = await connect(live.session.pk, user=bob)
    assert snap["spotlight"]["view"]["x"] == 30.0

    await send(t, type="spotlight_end")
    assert (await recv(b)) == {"seq": moved["seq"] + 1, "type": "spotlight", "spotlight": None}
    await send(t, type="spotlight_end")
    while (frame := await recv(t))["type"] != "error":
        pass
    assert frame["code"] == "conflict"
    await disconnect(t, a, b, late)


async def test_it_refuses_to_spotlight_someone_not_connected(live, teacher, bob):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="spotlight", participant=f"u:{bob.pk}")
    assert (await recv(t))["code"] == "not_found"
    await send(t, type="spotlight", participant=f"u:{teacher.pk}")
    assert (await recv(t))["code"] == "invalid"
    await disconnect(t)

"""Student commands: follow, own viewport, hands and questions (see docs/protocol.md)."""

from __future__ import annotations

import asyncio

import pytest

from classroom.models import SessionEvent
from realtime import eventlog
from realtime.presence import PresenceEntry, get_presence
from tests.support.realtime import (
    capture_send_event_calls,
    connect,
    disconnect,
    recv,
    send,
    silent,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def _entry(session_id: int, participant: str) -> PresenceEntry:
    entries = await get_presence().entries(session_id)
    return next(e for e in entries.values() if e.participant == participant)


async def test_follow_off_and_on_is_tracked_in_presence(live, alice):
    a, _ = await connect(live.session.pk, user=alice)
    await send(a, type="follow", following=False)
    assert await silent(a)
    assert (await _entry(live.session.pk, f"u:{alice.pk}")).following is False
    await send(a, type="follow", following=True)
    assert await silent(a)
    assert (await _entry(live.session.pk, f"u:{alice.pk}")).following is True
    await disconnect(a)


async def test_follow_off_is_refused_while_locked(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="lock", locked=True)
    await recv(a)
    await send(a, type="follow", following=False, ref="f")
    error = await recv(a)
    assert (error["code"], error["ref"]) == ("locked", "f")
    assert (await _entry(live.session.pk, f"u:{alice.pk}")).following is True
    await disconnect(t, a)


async def test_a_raised_hand_reaches_teachers_only(live, teacher, alice, bob):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    b, _ = await connect(live.session.pk, user=bob)
    await send(a, type="hand", raised=True)
    event = await recv(t)
    assert event == {
        "seq": 1,
        "type": "hand",
        "participant": f"u:{alice.pk}",
        "name": "Alice",
        "raised": True,
    }
    assert await silent(a) and await silent(b)
    await send(a, type="hand", raised=True)  # already raised: nothing new
    assert await silent(t)
    await send(a, type="hand", raised=False)
    assert (await recv(t))["raised"] is False
    await disconnect(t, a, b)


async def test_a_question_goes_to_teachers_only(live, teacher, alice, bob):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    b, _ = await connect(live.session.pk, user=bob)
    with capture_send_event_calls() as captured:
        await send(a, type="ask", text="  What is this cell?  ")
        event = await recv(t)
    assert (event["type"], event["text"], event["name"]) == (
        "question_asked",
        "What is this cell?",
        "Alice",
    )
    assert captured.events[0]["audience"] == "staff"
    assert await silent(b) and await silent(a)
    await send(a, type="ask", text="   ")
    assert (await recv(a))["code"] == "invalid"
    await disconnect(t, a, b)


async def test_a_teacher_cannot_send_student_commands(live, teacher):
    t, _ = await connect(live.session.pk, user=teacher)
    for frame in (
        {"type": "follow", "following": False},
        {"type": "hand", "raised": True},
        {"type": "ask", "text": "hi"},
        {"type": "report_viewport", "slide_id": 1, "x": 1.0, "y": 1.0, "zoom": 1.0},
    ):
        await send(t, **frame)
        assert (await recv(t))["code"] == "forbidden"
    await disconnect(t)


async def test_own_viewport_reports_are_logged_throttled_and_not_broadcast(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    with capture_send_event_calls() as captured:
        for i in range(5):
            await send(
                a, type="report_viewport", slide_id=live.slide.pk, x=float(i), y=2.0, zoom=1.0
            )
        assert await silent(t) and await silent(a)
    logged = captured.of("student_view")
    assert len(logged) == 1  # one per second per connection
    assert logged[0]["viewport"]["x"] == 0.0
    # Presence keeps the throttled view too (spotlight starts from it).
    view = (await _entry(live.session.pk, f"u:{alice.pk}")).view
    assert view is not None and view["x"] == 0.0
    await eventlog.flush()
    row = await SessionEvent.objects.aget(type="student_view")
    assert (row.seq, row.actor) == (None, f"u:{alice.pk}")
    await disconnect(t, a)


async def test_guests_can_raise_hands_like_students(live, teacher):
    from channels.db import database_sync_to_async

    from classroom.actions.guests import do_join_as_guest

    guest, token = await database_sync_to_async(do_join_as_guest)(live.session.join_code, "Visitor")
    t, _ = await connect(live.session.pk, user=teacher)
    g, _ = await connect(live.session.pk, guest=token)
    await send(g, type="hand", raised=True)
    assert (await recv(t))["participant"] == f"g:{guest.pk}"
    await send(g, type="lock", locked=True)
    assert (await recv(g))["code"] == "forbidden"
    await disconnect(t, g)


async def test_a_lock_puts_roaming_students_back_to_following(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(a, type="follow", following=False)
    assert await silent(a)
    await send(t, type="lock", locked=True)
    assert (await recv(a))["locked"] is True
    await asyncio.sleep(0.05)
    assert (await _entry(live.session.pk, f"u:{alice.pk}")).following is True
    await disconnect(t, a)

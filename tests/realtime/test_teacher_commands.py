"""Teacher commands change the live state and reach everyone (see docs/protocol.md)."""

from __future__ import annotations

from typing import Any

import pytest

from classroom.models import LiveSession
from realtime.presence import get_presence
from realtime.state import get_store
from tests.support.realtime import (
    TEACHER_FRAMES,
    capture_send_event_calls,
    connect,
    disconnect,
    recv,
    send,
    silent,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def _open_first_item(comm: Any) -> dict[str, Any]:
    await send(comm, type="open_item", index=0)
    return await recv(comm)


async def test_opening_an_agenda_item_shows_its_slide_and_saved_view(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    with capture_send_event_calls() as captured:
        event = await _open_first_item(t)
    assert event["type"] == "slide_opened"
    assert event["seq"] == 1
    assert event["agenda_index"] == 0
    assert event["slide"]["id"] == live.slide.pk
    assert event["viewport"] == {
        "slide_id": live.slide.pk,
        "x": 25000.0,
        "y": 20000.0,
        "zoom": 0.5,
        "rotation": 0.0,
    }
    assert await recv(a) == event
    assert [e["audience"] for e in captured.events] == ["all"]
    session = await LiveSession.objects.aget(pk=live.session.pk)
    assert (session.current_slide_id, session.current_item) == (live.slide.pk, 0)
    await disconnect(t, a)


async def test_opening_an_item_without_a_saved_view_shows_the_whole_slide(live, teacher):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_item", index=1)
    event = await recv(t)
    assert event["viewport"]["x"] == 10_000.0 and event["viewport"]["y"] == 5_000.0
    assert event["viewport"]["zoom"] == pytest.approx(1920 / 20_000)
    await disconnect(t)


async def test_it_rejects_an_agenda_index_that_does_not_exist(live, teacher):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_item", index=9, ref="x")
    assert (await recv(t))["code"] == "not_found"
    await disconnect(t)


async def test_opening_a_slide_by_id_uses_the_given_view(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(
        t, type="open_slide", slide_id=live.other_slide.pk, view={"x": 5.0, "y": 6.0, "zoom": 2.0}
    )
    event = await recv(a)
    assert event["type"] == "slide_opened" and event["agenda_index"] is None
    assert event["viewport"]["x"] == 5.0
    await disconnect(t, a)


async def test_it_refuses_to_open_a_slide_outside_the_course(live, teacher):
    from slides.models import Slide

    stranger = await Slide.objects.acreate(title="Elsewhere", width=10, height=10, status="ready")
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_slide", slide_id=stranger.pk)
    assert (await recv(t))["code"] == "forbidden"
    await send(t, type="open_slide", slide_id=stranger.pk + 99)
    assert (await recv(t))["code"] == "not_found"
    await disconnect(t)


async def test_it_refuses_a_view_outside_the_slide(live, teacher):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(
        t, type="open_slide", slide_id=live.slide.pk, view={"x": 60_000.0, "y": 1.0, "zoom": 1.0}
    )
    assert (await recv(t))["code"] == "out_of_range"
    await disconnect(t)


async def test_setting_the_viewport_reaches_students_and_updates_the_state(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await _open_first_item(t)
    await recv(a)
    await send(
        t, type="set_viewport", slide_id=live.slide.pk, x=100.0, y=200, zoom=1.5, rotation=90
    )
    event = await recv(a)
    assert event == {
        "seq": 2,
        "type": "viewport",
        "viewport": {
            "slide_id": live.slide.pk,
            "x": 100.0,
            "y": 200.0,
            "zoom": 1.5,
            "rotation": 90.0,
        },
    }
    state = await get_store().get(live.session.pk)
    assert state.get("viewport")["zoom"] == 1.5 and state.seq == 2
    await disconnect(t, a)


async def test_it_refuses_a_viewport_on_another_slide(live, teacher):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="set_viewport", slide_id=live.slide.pk, x=1.0, y=1.0, zoom=1.0)
    assert (await recv(t))["code"] == "conflict"  # nothing open yet
    await _open_first_item(t)
    await send(t, type="set_viewport", slide_id=live.other_slide.pk, x=1.0, y=1.0, zoom=1.0)
    assert (await recv(t))["code"] == "wrong_slide"
    await disconnect(t)


async def test_the_pointer_is_ephemeral_and_carries_no_seq(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    with capture_send_event_calls() as captured:
        await send(t, type="pointer", point=[10.0, 20.0])
        assert await recv(a) == {"type": "pointer", "point": [10.0, 20.0]}
        await send(t, type="pointer", point=None)
        assert await recv(a) == {"type": "pointer", "point": None}
    assert [e["seq"] for e in captured.events] == [None, None]
    assert (await get_store().get(live.session.pk)).seq == 0
    await disconnect(t, a)


async def test_lock_and_unlock_reach_everyone_and_land_in_the_snapshot(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="lock", locked=True)
    assert (await recv(a))["locked"] is True
    b, snap = await connect(live.session.pk, user=alice)
    assert snap["locked"] is True
    await send(t, type="lock", locked=False)
    assert (await recv(a))["locked"] is False
    assert (await recv(b))["locked"] is False
    _, snap = await connect(live.session.pk, user=teacher)
    assert snap["locked"] is False
    await disconnect(t, a, b)


async def test_ending_and_starting_the_session(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="session_start")  # already live: a no-op
    assert await silent(a)
    await send(t, type="session_end")
    assert await recv(a) == {"seq": 1, "type": "session_state", "state": "ended"}
    assert (await recv(t))["state"] == "ended"
    session = await LiveSession.objects.aget(pk=live.session.pk)
    assert session.state == "ended" and session.ended_at is not None
    await send(t, type="session_start")
    assert (await recv(t))["code"] == "conflict"
    await send(t, type="open_item", index=0)
    assert (await recv(t))["code"] == "session_ended"
    await disconnect(t, a)


async def test_a_scheduled_session_starts_live(live, teacher, alice):
    await LiveSession.objects.filter(pk=live.session.pk).aupdate(state="scheduled")
    t, _ = await connect(live.session.pk, user=teacher)
    a, snap = await connect(live.session.pk, user=alice)
    assert snap["session"]["state"] == "scheduled"
    await send(t, type="session_start")
    assert (await recv(a))["state"] == "live"
    await disconnect(t, a)


@pytest.mark.parametrize("frame", TEACHER_FRAMES, ids=[f["type"] for f in TEACHER_FRAMES])
async def test_it_rejects_a_student_teacher_command_and_changes_nothing(
    live, teacher, alice, frame
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    with capture_send_event_calls() as captured:
        await send(a, **frame, ref="mine")
        error = await recv(a)
        assert (error["type"], error["code"], error["ref"]) == ("error", "forbidden", "mine")
        assert await silent(t)
    assert captured.events == []
    state = await get_store().get(live.session.pk)
    assert state.seq == 0 and state.values == {}
    assert (await LiveSession.objects.aget(pk=live.session.pk)).state == "live"
    await disconnect(t, a)


async def test_assistants_may_drive_but_not_end_the_session(live, bob):
    from classroom.models import Membership

    await Membership.objects.filter(user=bob).aupdate(role=Membership.Role.ASSISTANT)
    b, _ = await connect(live.session.pk, user=bob)
    await send(b, type="lock", locked=True)
    assert (await recv(b))["type"] == "lock"
    await send(b, type="session_end")
    assert (await recv(b))["code"] == "forbidden"
    await disconnect(b)


async def test_live_commands_are_refused_once_the_session_has_ended(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="open_item", index=0)
    await recv(t)
    await recv(a)
    await send(t, type="session_end")
    await recv(t)
    await recv(a)
    await send(t, type="set_viewport", slide_id=live.slide.pk, x=1.0, y=1.0, zoom=1.0)
    assert (await recv(t))["code"] == "session_ended"
    await send(t, type="lock", locked=True)
    assert (await recv(t))["code"] == "session_ended"
    await send(a, type="hand", raised=True)
    assert (await recv(a))["code"] == "session_ended"
    assert await silent(a) and await silent(t)
    entries = await get_presence().entries(live.session.pk)
    assert not any(e.hand for e in entries.values())
    await disconnect(t, a)

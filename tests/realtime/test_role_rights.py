"""Who may send what, beyond students and teachers (see docs/protocol.md,
"Client → server"): assistants drive but never start or end a session, guests
have a student's rights only, and a guest token stops working when it expires.
"""

from __future__ import annotations

import time

import pytest

from classroom.guests import make_guest_token
from classroom.models import Guest, LiveSession, Membership
from realtime.state import get_store
from tests.support.realtime import (
    TEACHER_FRAMES,
    capture_send_event_calls,
    connect,
    disconnect,
    recv,
    refused_with,
    send,
    silent,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_assistant_sending_session_start_gets_forbidden_and_nothing_changes(
    live, teacher, bob
):
    await LiveSession.objects.filter(pk=live.session.pk).aupdate(state="scheduled")
    await Membership.objects.filter(user=bob).aupdate(role=Membership.Role.ASSISTANT)
    t, _ = await connect(live.session.pk, user=teacher)
    b, _ = await connect(live.session.pk, user=bob)
    with capture_send_event_calls() as captured:
        await send(b, type="session_start", ref="go")
        error = await recv(b)
        assert (error["type"], error["code"], error["ref"]) == ("error", "forbidden", "go")
        assert "assistants may not send session_start" in error["message"]
        assert await silent(t)
    assert captured.events == []
    session = await LiveSession.objects.aget(pk=live.session.pk)
    assert (session.state, session.started_at) == ("scheduled", None)
    await disconnect(t, b)


@pytest.mark.parametrize("frame", TEACHER_FRAMES, ids=[f["type"] for f in TEACHER_FRAMES])
async def test_a_guest_sending_a_teacher_command_gets_an_error_and_nothing_changes(
    live, teacher, frame
):
    guest = await Guest.objects.acreate(session=live.session, display_name="Visitor")
    t, _ = await connect(live.session.pk, user=teacher)
    g, snap = await connect(live.session.pk, guest=make_guest_token(live.session.pk, guest.pk))
    assert snap["you"]["role"] == "guest"
    with capture_send_event_calls() as captured:
        await send(g, **frame, ref="g1")
        error = await recv(g)
        assert (error["type"], error["code"], error["ref"]) == ("error", "forbidden", "g1")
        assert await silent(t)
    assert captured.events == []
    state = await get_store().get(live.session.pk)
    assert state.seq == 0 and state.values == {}
    assert (await LiveSession.objects.aget(pk=live.session.pk)).state == "live"
    await disconnect(t, g)


async def test_an_expired_guest_token_is_refused_over_the_websocket(live, monkeypatch, settings):
    settings.GUEST_TOKEN_MAX_AGE = 24 * 3600
    guest = await Guest.objects.acreate(session=live.session, display_name="Visitor")
    issued = time.time() - 24 * 3600 - 60  # a day and a minute ago
    monkeypatch.setattr("django.core.signing.time.time", lambda: issued)
    token = make_guest_token(live.session.pk, guest.pk)
    monkeypatch.undo()
    assert await refused_with(live.session.pk, guest=token) == 4403
    fresh = make_guest_token(live.session.pk, guest.pk)  # the same guest, a new token
    g, snap = await connect(live.session.pk, guest=fresh)
    assert snap["you"]["participant"] == f"g:{guest.pk}"
    await disconnect(g)

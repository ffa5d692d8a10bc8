"""Who may open the session socket, and what they get first (see docs/protocol.md)."""

from __future__ import annotations

import pytest

from classroom.guests import make_guest_token
from classroom.models import Guest, LiveSession, Membership
from tests.support.realtime import communicator, connect, disconnect, refused_with

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_sends_the_teacher_a_snapshot_with_roster_and_notes(live, teacher):
    comm, snap = await connect(live.session.pk, user=teacher)
    assert snap["type"] == "snapshot"
    assert snap["protocol"] == 1
    assert snap["you"] == {"participant": f"u:{teacher.pk}", "role": "teacher", "name": "Tess"}
    assert snap["session"]["state"] == "live"
    assert snap["last_seq"] == 0
    assert snap["roster"] is not None
    assert snap["agenda"][0]["notes"] == "notes"
    assert snap["question"] is None
    await disconnect(comm)


async def test_it_hides_roster_and_teacher_notes_from_students(live, alice):
    comm, snap = await connect(live.session.pk, user=alice)
    assert snap["you"]["role"] == "student"
    assert snap["roster"] is None
    assert all(item["notes"] is None for item in snap["agenda"])
    await disconnect(comm)


async def test_it_refuses_outsiders_with_4403(live, outsider):
    assert await refused_with(live.session.pk, user=outsider) == 4403


async def test_it_refuses_anonymous_users_with_4403(live):
    assert await refused_with(live.session.pk) == 4403


async def test_it_refuses_an_unknown_session_with_4404(live, teacher):
    assert await refused_with(live.session.pk + 1000, user=teacher) == 4404


async def test_it_rejects_a_foreign_origin(live, teacher):
    comm = await communicator(live.session.pk, user=teacher, origin=b"http://evil.example")
    connected, _ = await comm.connect(timeout=5)
    assert not connected


async def test_it_admits_a_guest_with_a_token_for_this_session(live):
    guest = await Guest.objects.acreate(session=live.session, display_name="Visitor")
    comm, snap = await connect(live.session.pk, guest=make_guest_token(live.session.pk, guest.pk))
    assert snap["you"] == {"participant": f"g:{guest.pk}", "role": "guest", "name": "Visitor"}
    await disconnect(comm)


async def test_it_refuses_a_guest_token_of_another_session(live, course):
    other = await LiveSession.objects.acreate(course=course, title="Other")
    guest = await Guest.objects.acreate(session=other, display_name="Visitor")
    token = make_guest_token(other.pk, guest.pk)
    assert await refused_with(live.session.pk, guest=token) == 4403


async def test_it_refuses_a_forged_guest_token(live):
    guest = await Guest.objects.acreate(session=live.session, display_name="Visitor")
    token = make_guest_token(live.session.pk, guest.pk)
    assert await refused_with(live.session.pk, guest=token[:-2] + "xx") == 4403


async def test_it_refuses_the_token_of_a_deleted_guest(live):
    guest = await Guest.objects.acreate(session=live.session, display_name="Visitor")
    token = make_guest_token(live.session.pk, guest.pk)
    await guest.adelete()
    assert await refused_with(live.session.pk, guest=token) == 4403


async def test_it_gives_assistants_staff_views(live, bob):
    await Membership.objects.filter(user=bob).aupdate(role=Membership.Role.ASSISTANT)
    comm, snap = await connect(live.session.pk, user=bob)
    assert snap["you"]["role"] == "assistant"
    assert snap["roster"] is not None
    await disconnect(comm)


async def test_it_answers_an_absurd_session_id_with_4404(teacher):
    assert await refused_with(10**30, user=teacher) == 4404


async def test_a_malformed_since_gets_a_plain_snapshot(live, alice):
    for since in ("²", "-3", "abc", "9" * 40):
        comm = await communicator(live.session.pk, user=alice)
        comm.scope["query_string"] = f"since={since}".encode()
        connected, _ = await comm.connect(timeout=5)
        assert connected
        assert (await comm.receive_json_from(timeout=5))["type"] == "snapshot"
        await disconnect(comm)

"""An ended session refuses live commands, whatever the live state store holds
(see docs/protocol.md, "Limits, errors and close codes": ``session_ended``).

The store knows a session ended only when ``session_end`` ended it, and only
while it holds the session: it is empty after a restart of the embedded
server or after Redis' TTL, and a session ended in the admin never reaches
it. The database decides.
"""

from __future__ import annotations

from typing import Any

import pytest

from classroom import facts
from classroom.models import LiveSession
from realtime.state import get_store, memory_store
from tests.support.realtime import connect, disconnect, recv, send, silent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def generous_rate_limits(settings: Any) -> None:
    settings.REALTIME_RATE_SCALE = 100


async def _end_in_the_database(session: LiveSession) -> None:
    """What the admin does: save the session as ended, nothing else."""
    session = await LiveSession.objects.aget(pk=session.pk)
    session.state = LiveSession.State.ENDED
    await session.asave()


async def test_live_commands_are_refused_after_a_restart_forgot_that_the_session_ended(
    live, teacher, alice
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="session_end")
    assert (await recv(t))["state"] == "ended"
    await recv(a)
    memory_store().reset()  # the embedded server restarted: no live state
    facts.forget_session_facts()
    for comm, frame in (
        (t, {"type": "lock", "locked": True}),
        (t, {"type": "spotlight", "participant": f"u:{alice.pk}"}),
        (a, {"type": "hand", "raised": True}),
        (a, {"type": "ask", "text": "still there?"}),
    ):
        await send(comm, ref="r", **frame)
        error = await recv(comm)
        assert (error["type"], error["code"], error["ref"]) == ("error", "session_ended", "r")
    assert (await get_store().get(live.session.pk)).seq == 0  # nothing was published
    await disconnect(t, a)


async def test_a_session_ended_in_the_admin_refuses_live_commands(live, teacher, alice):
    await get_store().update(live.session.pk, {"state": "live"})  # the store still says live
    await _end_in_the_database(live.session)
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="lock", locked=True)
    assert (await recv(t))["code"] == "session_ended"
    await send(a, type="hand", raised=True)
    assert (await recv(a))["code"] == "session_ended"
    await disconnect(t, a)


async def test_an_admin_end_is_noticed_within_the_cache_lifetime(live, teacher, alice, monkeypatch):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="lock", locked=True)  # loads and caches the session's facts
    assert (await recv(t))["type"] == "lock"
    await _end_in_the_database(live.session)
    monkeypatch.setattr(facts, "FACTS_TTL", 0.0)
    await send(t, type="lock", locked=False)  # served from the stale cache, reloading it
    assert (await recv(t))["type"] == "lock"
    await facts.settle_session_facts()
    await send(t, type="lock", locked=True)
    assert (await recv(t))["code"] == "session_ended"
    await disconnect(t)


async def test_a_live_session_reads_the_database_once_while_its_facts_are_fresh(
    live, teacher, monkeypatch
):
    loads = []
    real = facts.load_session_facts

    def counting(session_id: int) -> Any:
        loads.append(session_id)
        return real(session_id)

    monkeypatch.setattr(facts, "load_session_facts", counting)
    t, _ = await connect(live.session.pk, user=teacher)
    for i in range(5):
        await send(t, type="lock", locked=i % 2 == 0)
        assert (await recv(t))["type"] == "lock"
    assert loads == [live.session.pk]
    await disconnect(t)


async def test_the_pointer_is_refused_after_session_end_like_every_live_command(
    live, teacher, alice
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="session_end")
    assert (await recv(t))["state"] == "ended"
    await recv(a)
    await send(t, ref="p", type="pointer", point=[10.0, 10.0])
    error = await recv(t)
    assert (error["type"], error["code"], error["ref"]) == ("error", "session_ended", "p")
    assert await silent(a)  # nothing reached the class
    await disconnect(t, a)

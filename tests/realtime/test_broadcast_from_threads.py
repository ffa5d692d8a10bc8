"""Services may emit from any thread: the event goes out on the server's loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from classroom.events import LockEvent
from realtime.broadcast import send_event_on_commit
from tests.support.realtime import connect, disconnect, recv

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_event_sent_from_a_plain_thread_reaches_the_sockets(live, alice):
    a, _ = await connect(live.session.pk, user=alice)
    errors: list[BaseException] = []

    def timer_thread() -> None:
        try:  # outside any transaction: on_commit runs at once
            send_event_on_commit(live.session.pk, LockEvent(type="lock", locked=True))
        except BaseException as e:
            errors.append(e)

    thread = threading.Thread(target=timer_thread)
    thread.start()
    await asyncio.to_thread(thread.join, 10)  # the server loop stays free meanwhile
    assert errors == []
    assert await recv(a) == {"seq": 1, "type": "lock", "locked": True}
    await disconnect(a)

"""A socket that closes while the server writes to it never raises out of the consumer
(docs/protocol.md, "Limits, errors and close codes": a disconnect never raises).

Under daphne a client that closes right after a ``ping`` leaves autobahn in its
closing state; the ``pong`` then raises ``Disconnected``. Here the server's
``send`` raises it deterministically; the consumer must stay alive, so that
``disconnect()`` runs and the event log gets the socket's ``left`` row.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from autobahn.exception import Disconnected
from channels.testing import WebsocketCommunicator

from classroom.models import SessionEvent
from realtime import eventlog
from scopecast.asgi import application
from tests.support.realtime import ORIGIN, cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


def _closing_after(trigger: str) -> Any:
    """The app, behind a server ``send`` that fails once a frame containing ``trigger`` goes out."""
    state = {"gone": False}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        async def server_send(message: dict[str, Any]) -> None:
            if message["type"] == "websocket.send" and (
                state["gone"] or trigger in message.get("text", "")
            ):
                state["gone"] = True
                raise Disconnected("Attempt to send on a closed protocol")
            await send(message)

        await application(scope, receive, server_send)

    return app


async def _connect(app: Any, session_id: int, cookie: bytes) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(
        app,
        f"/ws/sessions/{session_id}/",
        headers=[ORIGIN, (b"host", b"testserver"), (b"cookie", cookie)],
    )
    connected, _ = await comm.connect(timeout=5)
    assert connected
    assert json.loads(await comm.receive_from(5))["type"] == "snapshot"
    return comm


async def _left_rows(session_id: int) -> list[dict[str, Any]]:
    await eventlog.flush()
    return [
        e.payload async for e in SessionEvent.objects.filter(session_id=session_id, type="left")
    ]


async def test_a_pong_to_a_closed_socket_does_not_kill_the_consumer(live, alice) -> None:
    from channels.db import database_sync_to_async

    cookie = await database_sync_to_async(cookie_for)(alice)
    comm = await _connect(_closing_after('"pong"'), live.session.pk, cookie)
    await comm.send_to(text_data=json.dumps({"type": "ping", "seq": 0}))
    await comm.send_input({"type": "websocket.disconnect", "code": 1001})
    await comm.wait(timeout=5)  # the application ends normally: it raised nothing
    left = await _left_rows(live.session.pk)
    assert [(row["participant"], row["code"]) for row in left] == [(f"u:{alice.pk}", 1001)]


async def test_a_broadcast_to_a_closed_socket_does_not_kill_the_consumer(
    live, teacher, alice
) -> None:
    from channels.db import database_sync_to_async

    from tests.support.realtime import connect, disconnect, recv, send

    t, _ = await connect(live.session.pk, user=teacher)
    cookie = await database_sync_to_async(cookie_for)(alice)
    a = await _connect(_closing_after('"lock"'), live.session.pk, cookie)
    await send(t, type="lock", locked=True)
    assert (await recv(t))["type"] == "lock"
    await send(t, type="lock", locked=False)  # to a socket already gone
    assert (await recv(t))["type"] == "lock"
    await a.send_input({"type": "websocket.disconnect", "code": 1006})
    await a.wait(timeout=5)
    assert [row["code"] for row in await _left_rows(live.session.pk)] == [1006]
    await disconnect(t)

"""Emitting events to a session (see docs/protocol.md, "Fan-out").

``publish`` is the one way an event leaves a service: it encodes the JSON
once, takes a ``seq`` and appends to the resume ring (sequenced events, one
store round trip), records the event log row, and hands the finished text to
the channel layer for every process's hub. ``send_event_on_commit`` does the
same from synchronous services after the transaction commits.

Fan-out: one layer message per process (its hub's subscription), whatever
the number of sockets, with the text encoded once (realtime/hub.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from realtime import eventlog
from realtime.events import Event, event_spec
from realtime.groups import group_name
from realtime.state import get_store

HUB_MESSAGE = "hub.event"

# Test hook: callables receiving (session_id, event dict, audience, seq).
_captures: list[Callable[[int, dict[str, Any], str, int | None], None]] = []


def check_audience(audience: str) -> str:
    if audience in ("all", "staff", "students") or (
        audience.startswith("p:") and audience[2:4] in ("u:", "g:") and audience[4:].isdigit()
    ):
        return audience
    raise ValueError(f"bad audience {audience!r}")


async def publish(
    session_id: int,
    event: Event,
    *,
    audience: str = "all",
    actor: str = "",
    state: dict[str, Any] | None = None,
    effect: str | None = None,
) -> int | None:
    """Broadcast one event; returns its seq (None for ephemeral events).

    ``effect`` asks every process's hub to apply a local side effect to its
    sockets as the event passes (``"follow"``: a lock puts every local
    student back to following).
    """
    check_audience(audience)
    spec = event_spec(event.type)
    payload = event.model_dump(mode="json", exclude={"seq"})
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    store = get_store()
    seq: int | None = None
    if spec.sequenced:
        seq, text = await store.append(session_id, body, audience, state)
    else:
        text = body
        if state:
            await store.update(session_id, state)
    for capture in list(_captures):
        capture(session_id, payload, audience, seq)
    if spec.logged:
        eventlog.record(session_id, seq, event.type, actor, payload)
    await deliver(session_id, text, payload, audience, spec.coalesce, seq, effect, spec.stream)
    return seq


async def deliver(
    session_id: int,
    text: str,
    payload: dict[str, Any],
    audience: str,
    key: str | None,
    seq: int | None,
    effect: str | None = None,
    stream: bool = False,
) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message: dict[str, Any] = {
        "type": HUB_MESSAGE,
        "text": text,
        "audience": audience,
        "key": key,
        "seq": seq,
        "effect": effect,
        "stream": stream,
    }
    await layer.group_send(group_name(session_id), message)


async def log_only(session_id: int, event: Event, *, actor: str) -> None:
    """Record an event in the session log without sending it anywhere."""
    payload = event.model_dump(mode="json", exclude={"seq"})
    for capture in list(_captures):
        capture(session_id, payload, "none", None)
    eventlog.record(session_id, None, event.type, actor, payload)


_server_loop: asyncio.AbstractEventLoop | None = None


def remember_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The loop serving websockets in this process (set when a hub starts)."""
    global _server_loop
    _server_loop = loop


def publish_from_sync(
    session_id: int,
    event: Event,
    *,
    audience: str = "all",
    actor: str = "",
    state: dict[str, Any] | None = None,
) -> None:
    """``publish`` from synchronous code in any thread.

    When this process serves websockets, the publish runs on the server's
    loop (where the hub, the layer and the Redis clients live) and this
    thread waits for it; this works from Django's sync thread and from plain
    threads (timers, pools) alike. Without a server loop (management
    commands, the admin under WSGI) it runs in a temporary loop.
    """
    loop = _server_loop
    if loop is not None and loop.is_running() and not loop.is_closed():
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is not loop:
            future = asyncio.run_coroutine_threadsafe(
                publish(session_id, event, audience=audience, actor=actor, state=state), loop
            )
            future.result(timeout=30)
            return
    async_to_sync(publish)(session_id, event, audience=audience, actor=actor, state=state)


def send_event_on_commit(
    session_id: int,
    event: Event,
    *,
    audience: str = "all",
    actor: str = "",
    state: dict[str, Any] | None = None,
) -> None:
    """From synchronous services: publish once the current transaction commits."""
    check_audience(audience)

    def _send() -> None:
        publish_from_sync(session_id, event, audience=audience, actor=actor, state=state)

    transaction.on_commit(_send)

"""ASGI entry point for ``bench/fanout.py``'s baseline and experiments (see that script).

Serves ``scopecast.asgi.application`` unchanged unless told otherwise by the
environment. Nothing here ships; it only measures:

- ``BENCH_FANOUT=naive``: the baseline design. Every socket joins the session's
  channel-layer group itself and each event is encoded to JSON once per
  socket, instead of one hub subscription per process handing out text
  encoded once (realtime/hub.py).
- ``BENCH_EXPERIMENTS=no-dispatch-db-hop``: Channels' ``AsyncConsumer.dispatch``
  runs ``aclose_old_connections()`` (a hop through the sync thread) before
  every inbound frame; the session consumer uses the ORM only through
  ``database_sync_to_async``, which closes old connections itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import channels.consumer
from channels.auth import AuthMiddlewareStack
from channels.layers import get_channel_layer
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from realtime import broadcast
from realtime.consumers import SessionConsumer
from realtime.groups import group_name
from realtime.hub import SessionHub
from scopecast.asgi import application as scopecast_application
from scopecast.asgi import django_asgi_app
from slides.fastpath import tile_fast_path

NAIVE_MESSAGE = "naive.event"


class NaiveSessionConsumer(SessionConsumer):
    """One channel-layer group member per socket; JSON encoded per socket."""

    channel_layer_alias = "default"
    _subscribed = False

    async def _initial(self, since: int | None) -> None:
        if not self._subscribed and self.conn is not None and self.channel_layer is not None:
            # Before the snapshot, as the hub subscribes before reading seq.
            await self.channel_layer.group_add(group_name(self.conn.session_id), self.channel_name)
            self._subscribed = True
        await super()._initial(since)

    async def disconnect(self, code: int) -> None:
        if self._subscribed and self.conn is not None and self.channel_layer is not None:
            await self.channel_layer.group_discard(
                group_name(self.conn.session_id), self.channel_name
            )
        await super().disconnect(code)

    async def naive_event(self, message: dict[str, Any]) -> None:
        conn = self.conn
        if conn is None or not conn.accepts(message["audience"]):
            return
        text = json.dumps(message["event"], separators=(",", ":"), ensure_ascii=False)
        conn.push(text, message.get("key"), message.get("seq"))


async def _naive_deliver(
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
    event = dict(payload) if seq is None else {"seq": seq, **payload}
    message = {"type": NAIVE_MESSAGE, "event": event, "audience": audience, "key": key, "seq": seq}
    await layer.group_send(group_name(session_id), message)


async def _no_subscription(self: SessionHub) -> bool:
    return False


async def _nothing_lost(self: SessionHub) -> None:
    return None


def install_naive() -> Callable[[], None]:
    """Switch this process to the naive design; returns the undo (tests)."""
    saved = (broadcast.deliver, SessionHub._subscribe, SessionHub.check_lost)
    broadcast.deliver = _naive_deliver
    SessionHub._subscribe = _no_subscription  # type: ignore[method-assign]
    SessionHub.check_lost = _nothing_lost  # type: ignore[method-assign]

    def undo() -> None:
        broadcast.deliver = saved[0]
        SessionHub._subscribe = saved[1]  # type: ignore[method-assign]
        SessionHub.check_lost = saved[2]  # type: ignore[method-assign]

    return undo


naive_application = ProtocolTypeRouter(
    {
        "http": tile_fast_path(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter([path("ws/sessions/<int:session_id>/", NaiveSessionConsumer.as_asgi())])
            )
        ),
    }
)

application = scopecast_application
if os.environ.get("BENCH_FANOUT") == "naive":
    install_naive()
    application = naive_application

if "no-dispatch-db-hop" in os.environ.get("BENCH_EXPERIMENTS", "").split(","):

    async def _no_hop() -> None:
        return None

    channels.consumer.aclose_old_connections = _no_hop

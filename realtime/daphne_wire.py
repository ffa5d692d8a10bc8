"""Broadcast frames written straight to daphne's sockets (docs/protocol.md, "Fan-out").

This module reaches below the ASGI interface into daphne, autobahn and
Twisted; nothing else in Scopecast does. It exists because the ASGI path
costs far more per socket than the fan-out itself: for every socket and
every frame, daphne's ``send`` is a coroutine that checks headers, encodes
the same text to UTF-8 again, and hands it to autobahn's ``sendMessage``,
which asserts argument types, updates traffic counters, builds the frame
header, formats a debug log line's arguments whether debug logging is on or
not, and writes through Twisted's buffer, which registers the socket with
the event loop and sends on a later iteration (an ``epoll_ctl`` pair and a
wake-up per socket). Measured under ``bench/fanout.py`` (numbers in
docs/protocol.md).

Instead, the hub builds the websocket frame once per broadcast
(``text_frame``: an unmasked, unfragmented text frame is the same bytes for
every client) and ``DirectWriter.write`` sends it with one ``send`` on the
socket, buffering only what the kernel did not take, in Twisted's own
buffer, so ordering with autobahn's own frames (pings, close) holds.

Whenever anything is not as expected (another ASGI server, TLS terminated in
daphne, a socket not open, autobahn or Twisted holding unsent data, a
version whose attributes differ), ``direct_writer`` returns None or ``write``
returns False, and the caller uses the ordinary ASGI ``send``: the direct
path is an optimisation, never a requirement. Tests run the fan-out through
real daphne both ways (tests/realtime/test_daphne_wire.py).
"""

from __future__ import annotations

import logging
import struct
from functools import partial
from typing import Any

logger = logging.getLogger(__name__)

_STATE_OPEN = 3  # autobahn.websocket.protocol.WebSocketProtocol.STATE_OPEN


def text_frame(text: str) -> bytes:
    """One final, unmasked websocket text frame carrying ``text`` (RFC 6455, 5.2)."""
    payload = text.encode()
    size = len(payload)
    if size <= 125:
        header = bytes((0x81, size))
    elif size <= 0xFFFF:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


class DirectWriter:
    """Writes prebuilt frames to one daphne websocket; False means "use ASGI send"."""

    __slots__ = ("connections", "protocol", "transport")

    def __init__(self, protocol: Any, connections: dict[Any, Any], transport: Any) -> None:
        self.protocol = protocol
        self.connections = connections
        self.transport = transport

    def write(self, frame: bytes) -> bool:
        protocol = self.protocol
        if protocol.state != _STATE_OPEN or protocol.send_queue:
            return False
        details = self.connections.get(protocol)
        if details is None or details.get("disconnected"):
            return False
        transport = self.transport
        if not transport.connected or transport.disconnecting or transport._writeDisconnected:
            return False
        if transport._tempDataLen or transport.offset != len(transport.dataBuffer):
            transport.write(frame)  # behind what Twisted still holds, in order
            return True
        sent = transport.writeSomeData(frame)
        if not isinstance(sent, int):  # the connection is lost: Twisted will notice
            return False
        if sent < len(frame):
            transport.write(frame[sent:])
        return True


def direct_writer(send: Any) -> DirectWriter | None:
    """A ``DirectWriter`` for daphne's ASGI ``send`` of a plain-TCP websocket, else None.

    daphne gives each application ``partial(server.handle_reply, protocol)``.
    """
    try:
        if not isinstance(send, partial):
            return None
        handle_reply: Any = send.func
        if getattr(handle_reply, "__name__", "") != "handle_reply":
            return None
        server = handle_reply.__self__
        (protocol,) = send.args
        transport = protocol.transport
        connections = server.connections
        probe = (
            protocol.state,
            protocol.send_queue,
            transport.connected,
            transport.disconnecting,
            transport._writeDisconnected,
            transport._tempDataLen,
            transport.offset,
            transport.dataBuffer,
            transport.writeSomeData,
            transport.socket,  # plain TCP; TLS in daphne has no socket of its own here
        )
    except (AttributeError, TypeError, ValueError):
        return None
    del probe
    if not isinstance(connections, dict):
        return None
    return DirectWriter(protocol, connections, transport)

"""One websocket connection's delivery state (see docs/protocol.md).

- ``Outbox``: the per-client outbound queue. A frame with a coalescing key
  (viewport, pointer, presence, ...) drops the pending frame with the same
  key and joins the tail, so a slow client gets the latest value, never a
  backlog, and the seqs it receives only increase. Other frames queue in
  order. A queue that grows past ``REALTIME_MAX_PENDING`` marks the client
  slow.
- ``TokenBucket``: per-connection, per-command-type rate limits.
- ``Connection``: identity, audience filtering, acks, violations, and the
  send window: while more than ``REALTIME_SEND_WINDOW`` seqs written to the
  socket are unacknowledged, frames wait in the outbox (where viewports
  coalesce) until the client acks, instead of piling up in the server's
  write buffer. ASGI gives no backpressure; acks are the only sign that a
  client is reading.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from autobahn.exception import Disconnected
from django.conf import settings

from realtime.daphne_wire import DirectWriter
from realtime.presence import PresenceEntry
from realtime.roles import Role, is_staff

logger = logging.getLogger(__name__)

CLOSE_SLOW = 4408
# What a send to a socket the client already closed raises: autobahn's
# (under daphne, while the close handshake runs) or the OS's.
GONE = (Disconnected, ConnectionError)


def max_pending() -> int:
    return int(settings.REALTIME_MAX_PENDING)


def max_lag() -> int:
    return int(settings.REALTIME_MAX_LAG)


def ack_timeout() -> float:
    return float(settings.REALTIME_ACK_TIMEOUT)


def send_window() -> int:
    """Seqs written to a socket that may await an ack before frames are held."""
    return int(settings.REALTIME_SEND_WINDOW)


class _Slot:
    __slots__ = ("key", "live", "seq", "text")

    def __init__(self, key: str | None, text: str, seq: int | None) -> None:
        self.key = key
        self.text = text
        self.seq = seq
        self.live = True


class Outbox:
    """Frames waiting for one socket, in the order they will be sent.

    A superseded coalescing frame is not sent at all, and its replacement
    goes to the tail rather than into the old frame's place: a viewport with
    seq 13 must never overtake a lock with seq 12, or a client that drops
    right after 13 would resume from 13 and never see 12.
    """

    # Superseded slots are dropped lazily; compact once this many pile up.
    COMPACT_AFTER = 64

    def __init__(self) -> None:
        self._order: deque[_Slot] = deque()
        self._latest: dict[str, _Slot] = {}
        self._size = 0
        self._dead = 0

    def __len__(self) -> int:
        return self._size

    def put(self, text: str, key: str | None = None, seq: int | None = None) -> None:
        slot = _Slot(key, text, seq)
        if key is not None:
            old = self._latest.get(key)
            if old is not None:  # latest value wins: the old one is never sent
                old.live = False
                self._size -= 1
                self._dead += 1
            self._latest[key] = slot
        self._order.append(slot)
        self._size += 1
        if self._dead > self.COMPACT_AFTER and self._dead > self._size:
            self._order = deque(s for s in self._order if s.live)
            self._dead = 0

    def pop(self, min_seq: int = 0) -> tuple[str, int | None] | None:
        """The next frame to send, skipping sequenced frames at or below ``min_seq``."""
        while self._order:
            slot = self._order.popleft()
            if not slot.live:
                self._dead -= 1
                continue
            self._size -= 1
            if slot.key is not None:
                del self._latest[slot.key]
            if slot.seq is not None and slot.seq <= min_seq:
                continue
            return slot.text, slot.seq
        return None

    def clear(self) -> None:
        self._order.clear()
        self._latest.clear()
        self._size = 0
        self._dead = 0


@dataclass
class TokenBucket:
    rate: float
    burst: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if self.tokens < 0:
            self.tokens = self.burst
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Connection:
    """What the hub and the services need to know about one socket."""

    def __init__(
        self,
        *,
        conn_id: str,
        session_id: int,
        participant: str,
        role: Role,
        name: str,
        user_id: int | None,
        guest_id: int | None,
        kick: Callable[[int], Coroutine[Any, Any, None]],
    ) -> None:
        self.conn_id = conn_id
        self.session_id = session_id
        self.participant = participant
        self.role = role
        self.name = name
        self.user_id = user_id
        self.guest_id = guest_id
        self.kick = kick
        self.outbox = Outbox()
        self.wake = asyncio.Event()
        self.holding = True  # until the snapshot/replay went out
        self.min_seq = 0
        self.sent_seq = 0
        self.delivered_seq = 0
        self.acked_seq = 0
        self.window = send_window()
        self.slow_reason = ""
        self.resync: Callable[[], Awaitable[None]] | None = None
        # The server's ASGI send for this socket (set by the consumer), and
        # daphne's socket itself for prebuilt broadcast frames where possible
        # (realtime/daphne_wire.py).
        self.sender: Callable[[dict[str, Any]], Awaitable[None]] | None = None
        self.direct: DirectWriter | None = None
        self.sending = False
        self.last_ack = time.monotonic()
        self.closing = False
        self.buckets: dict[str, TokenBucket] = {}
        self.violations: deque[float] = deque()
        self.presence = PresenceEntry(participant=participant, role=role, name=name)
        self.last_view_logged = 0.0

    @property
    def is_staff(self) -> bool:
        return is_staff(self.role)

    def accepts(self, audience: str) -> bool:
        if audience == "all":
            return True
        if audience == "staff":
            return self.is_staff
        if audience == "students":
            return not self.is_staff
        return audience == f"p:{self.participant}"

    async def deliver(
        self,
        text: str,
        key: str | None = None,
        seq: int | None = None,
        frame: dict[str, Any] | None = None,
        wire: bytes | None = None,
    ) -> None:
        """Send at once when nothing is queued or in flight, else queue (hub path).

        The direct send saves a task wake-up per socket per broadcast; frames
        still go through the outbox whenever the socket is busy or the client
        is more than ``window`` seqs behind with its acks, so ordering and
        latest-value-wins hold. ``frame`` is the ready ASGI message
        (``websocket.send`` with ``text``) and ``wire`` the websocket frame's
        bytes, both built once per broadcast; ``wire`` goes straight to
        daphne's socket when it can (realtime/daphne_wire.py).
        """
        sender = self.sender
        if self.offer(text, key, seq, wire) or sender is None:
            return
        self.sending = True
        try:
            await sender(frame or {"type": "websocket.send", "text": text})
        except GONE:
            self.closing = True  # the client left; disconnect() follows
            return
        except Exception:
            logger.exception("send to %s failed", self.participant)
            return
        finally:
            self.sending = False
        if seq is not None:
            self.sent_seq = max(self.sent_seq, seq)
            self.delivered_seq = max(self.delivered_seq, seq)
        if len(self.outbox) and self.can_send():
            self.wake.set()  # queued while our send was in flight

    def offer(
        self, text: str, key: str | None = None, seq: int | None = None, wire: bytes | None = None
    ) -> bool:
        """``deliver`` without waiting, when it can: skip, queue, or write ``wire``
        straight to daphne's socket. False: only the ASGI send (``deliver``) will do.

        The hub calls this for every socket of a broadcast and awaits
        ``deliver`` only for the few that need it: no coroutine per socket.
        """
        if self.closing or (seq is not None and seq <= self.min_seq):
            return True
        if (
            self.sender is None
            or self.holding
            or self.sending
            or len(self.outbox)
            or self.delivered_seq - self.acked_seq > self.window
        ):
            self.push(text, key, seq)
            return True
        if wire is not None and self.direct is not None and self.direct.write(wire):
            if seq is not None:
                if seq > self.sent_seq:
                    self.sent_seq = seq
                if seq > self.delivered_seq:
                    self.delivered_seq = seq
            return True
        return False

    def push(self, text: str, key: str | None = None, seq: int | None = None) -> None:
        if self.closing or (seq is not None and seq <= self.min_seq):
            return
        self.outbox.put(text, key, seq)
        if seq is not None:
            self.sent_seq = max(self.sent_seq, seq)
        if len(self.outbox) > max_pending():
            self.mark_slow("outbound queue overflow")
            return
        if self.can_send():
            self.wake.set()

    def can_send(self) -> bool:
        """The writer may send now: delivery started and the window is open."""
        return not self.holding and self.delivered_seq - self.acked_seq <= self.window

    def release(self, min_seq: int) -> None:
        """Start delivering, dropping queued frames the snapshot/replay covered."""
        self.min_seq = max(self.min_seq, min_seq)
        self.sent_seq = max(self.sent_seq, min_seq)
        self.delivered_seq = max(self.delivered_seq, min_seq)
        self.acked_seq = max(self.acked_seq, min_seq)
        self.last_ack = time.monotonic()
        self.holding = False
        self.wake.set()

    def ack(self, seq: int) -> None:
        """The client has read up to ``seq``: it may reopen the send window."""
        if seq > self.acked_seq:
            # What was written, at most: a client cannot have read more.
            self.acked_seq = max(self.acked_seq, min(seq, self.delivered_seq))
        self.last_ack = time.monotonic()
        if self.sent_seq - self.acked_seq > max_lag():
            self.mark_slow("acknowledged seq lags too far behind")
        elif len(self.outbox) and self.can_send():
            self.wake.set()

    def check_lag(self, now: float | None = None) -> None:
        """Called on hub ticks: a client that stopped acking while behind is slow."""
        now = time.monotonic() if now is None else now
        if self.sent_seq > self.acked_seq and now - self.last_ack > ack_timeout():
            self.mark_slow("no acknowledgement within the timeout")

    def mark_slow(self, reason: str) -> None:
        if self.closing:
            return
        self.closing = True
        self.outbox.clear()
        self.slow_reason = reason
        logger.warning("closing slow client %s (%s)", self.participant, reason)
        asyncio.get_running_loop().create_task(self.kick(CLOSE_SLOW))

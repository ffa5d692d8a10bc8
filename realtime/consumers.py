"""The session websocket: transport only (see docs/protocol.md).

Route ``ws/sessions/<session_id>/``. The consumer asks who is connecting
(Django session user, or ``?guest=<token>``; realtime/admission.py), registers
with the process's hub, sends a snapshot (or replays missed events for
``?since=<seq>``), then parses every inbound frame into a typed command and
calls the handler its app registered (realtime/commands.py). It never
touches domain data itself, and the ORM only runs in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from realtime import commands as c
from realtime import hub as hubs
from realtime.admission import CLOSE_NOT_FOUND, Admission, admit
from realtime.attendance import log_joined, log_left
from realtime.connection import GONE, Connection, TokenBucket
from realtime.daphne_wire import direct_writer, text_frame
from realtime.errors import Refusal, SessionGone
from realtime.events import (
    EVENTS,
    PROTOCOL_VERSION,
    ErrorEvent,
    HelloEvent,
    Identity,
    PongEvent,
)
from realtime.snapshot import build_snapshot
from realtime.state import get_store

logger = logging.getLogger(__name__)

# Process-wide counters (tests, benchmarks): inbound frames replaced by a newer one.
inbound_stats = {"superseded": 0}

CLOSE_TOO_LARGE = 4413
CLOSE_ABUSE = 4429
HARD_FRAME_LIMIT = 1024 * 1024
MAX_ID = 2**62
_SEQ_RE = re.compile(r"[0-9]{1,18}")


def abuse_limit() -> int:
    return int(settings.REALTIME_ABUSE_LIMIT)


def rate_scale() -> float:
    """Multiplies every per-type rate and burst (benchmarks, tests)."""
    return float(settings.REALTIME_RATE_SCALE)


def abuse_window() -> float:
    return float(settings.REALTIME_ABUSE_WINDOW)


def compact_replay(texts: list[str]) -> list[str]:
    """Latest value wins on resume too: drop a coalescing event (viewport, ...)
    when a later one with the same key follows; everything else stays, in order."""
    keys: list[str | None] = []
    for text in texts:
        spec = EVENTS.get(json.loads(text).get("type", ""))
        keys.append(spec.coalesce if spec is not None else None)
    last = {key: i for i, key in enumerate(keys) if key is not None}
    return [
        t
        for i, (t, key) in enumerate(zip(texts, keys, strict=True))
        if key is None or last[key] == i
    ]


def _unwrapped_send(send: Any) -> Any:
    """The server's own ``send``, below Channels' session middleware.

    ``SessionMiddleware`` wraps ``send`` to save sessions on HTTP responses;
    websocket frames never need it, and skipping it is ~20 % of the cost of
    each broadcast frame (profiled under bench/fanout.py).
    """
    owner = getattr(send, "__self__", None)
    while owner is not None and callable(getattr(owner, "real_send", None)):
        send = owner.real_send
        owner = getattr(send, "__self__", None)
    return send


class SessionConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    # The hub holds this process's one layer subscription per session; sockets
    # need no channel of their own.
    channel_layer_alias = "__scopecast_sockets_have_no_channel__"

    conn: Connection | None = None
    writer: asyncio.Task[None] | None = None
    _raw_send: Any = None
    # Inbound latest-value-wins: the newest pending frame per LATEST_WINS type
    # and the one task handling them.
    _latest: dict[str, tuple[c.Command, c.CommandSpec]] | None = None
    _drainer: asyncio.Task[None] | None = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Inbound frames skip Channels' per-message ``aclose_old_connections``.

        Channels hops to Django's ONE sync thread before every message; with
        500 sockets pinging and a teacher streaming viewports, each frame then
        queues behind the others' hops (profiled under bench/fanout.py: the
        teacher -> hub path's p99). Our frames reach the ORM only through
        ``database_sync_to_async``, which closes old connections in its own
        thread, before and after. Connect and disconnect keep the default.
        """
        if message.get("type") == "websocket.receive":
            await self.websocket_receive(message)
            return
        await super().dispatch(message)

    async def connect(self) -> None:
        session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        guest = query.get("guest", [None])[-1]
        since_raw = query.get("since", [None])[-1]
        if session_id > MAX_ID:
            admission: Admission | int = CLOSE_NOT_FOUND
        else:
            admission = await database_sync_to_async(admit)(
                session_id, self.scope.get("user"), guest
            )
        # Accept first, then close: only an accepted socket can carry a close
        # code a browser can read.
        await self.accept()
        if isinstance(admission, int):
            await self.close(code=admission)
            return
        self.conn = conn = Connection(
            conn_id=uuid.uuid4().hex,
            session_id=session_id,
            kick=self._kick,
            participant=admission.participant,
            role=admission.role,
            name=admission.name,
            user_id=admission.user_id,
            guest_id=admission.guest_id,
        )
        conn.resync = self._resync
        self._raw_send = _unwrapped_send(self.base_send)
        conn.sender = self._raw_send
        if settings.REALTIME_DIRECT_WRITE:
            conn.direct = direct_writer(self._raw_send)
        await hubs.attach(conn)
        await log_joined(
            session_id,
            participant=conn.participant,
            role=conn.role,
            name=conn.name,
            connection=conn.conn_id,
        )
        since = int(since_raw) if since_raw and _SEQ_RE.fullmatch(since_raw) else None
        try:
            await self._initial(since)
        except (SessionGone, ObjectDoesNotExist):  # deleted while we were connecting
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.writer = asyncio.create_task(self._write_loop())

    async def disconnect(self, code: int) -> None:
        conn = self.conn
        if conn is None:
            return
        conn.closing = True
        for task in (self.writer, self._drainer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        # Before the hub goes: the last socket's hub flushes the log as it closes.
        await log_left(
            conn.session_id,
            participant=conn.participant,
            role=conn.role,
            connection=conn.conn_id,
            code=code if isinstance(code, int) else 1005,  # 1005: no status received
        )
        await hubs.detach(conn)
        self.conn = None

    # --- outbound -----------------------------------------------------------
    async def _write_loop(self) -> None:
        conn = self.conn
        assert conn is not None
        while True:
            await conn.wake.wait()
            conn.wake.clear()
            # Stops while the client is a whole window behind with its acks;
            # the next ack wakes it (Connection.ack).
            while not conn.closing and not conn.sending and conn.can_send():
                item = conn.outbox.pop(conn.min_seq)
                if item is None:
                    break
                text, seq = item
                conn.sending = True
                try:
                    await self._send_text(text)
                finally:
                    conn.sending = False
                if seq is not None and seq > conn.delivered_seq:
                    conn.delivered_seq = seq

    async def _send_text(self, text: str) -> None:
        conn = self.conn
        if conn is not None and conn.direct is not None and conn.direct.write(text_frame(text)):
            return
        try:
            await self._raw_send({"type": "websocket.send", "text": text})
        except GONE:
            self._gone()

    # A disconnect never raises (docs/protocol.md): a frame or close sent to a
    # socket the client just closed is dropped, so the consumer lives on until
    # the server delivers websocket.disconnect and disconnect() runs.
    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except GONE:
            self._gone()

    async def close(self, code: int | None = None, reason: str | None = None) -> None:
        try:
            await super().close(code=code, reason=reason)
        except GONE:
            self._gone()

    def _gone(self) -> None:
        if self.conn is not None:
            self.conn.closing = True

    async def _initial(self, since: int | None) -> None:
        """Snapshot, or the events missed since ``since``; then start delivery."""
        conn = self.conn
        assert conn is not None
        conn.holding = True
        if since is not None:
            entries = await get_store().since(conn.session_id, since)
            if entries is not None:
                last = entries[-1].seq if entries else since
                hello = HelloEvent(
                    type="hello",
                    protocol=PROTOCOL_VERSION,
                    you=Identity(participant=conn.participant, role=conn.role, name=conn.name),
                    resumed_from=since,
                    last_seq=last,
                )
                await self.send(text_data=hello.model_dump_json(exclude={"seq"}))
                for text in compact_replay([e.text for e in entries if conn.accepts(e.audience)]):
                    await self.send(text_data=text)
                conn.release(last)
                return
        text, last = await build_snapshot(conn)
        await self.send(text_data=text)
        conn.release(last)

    async def _resync(self) -> None:
        conn = self.conn
        if conn is None or conn.closing:
            return
        await self._initial(conn.delivered_seq)

    async def _kick(self, code: int) -> None:
        logger.info("closing socket with %s", code)
        await self.close(code=code)

    async def _error(self, code: str, message: str, ref: str | None, *, violation: bool) -> None:
        frame = ErrorEvent(type="error", code=code, message=message, ref=ref)
        await self._send_text(frame.model_dump_json())
        if violation:
            await self._violation()

    async def _violation(self) -> None:
        conn = self.conn
        if conn is None or conn.closing:
            return
        now = time.monotonic()
        conn.violations.append(now)
        while conn.violations and conn.violations[0] < now - abuse_window():
            conn.violations.popleft()
        if len(conn.violations) >= abuse_limit():
            conn.closing = True
            await self.close(code=CLOSE_ABUSE)

    # --- inbound ------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        conn = self.conn
        if conn is None or conn.closing:
            return
        if text_data is None:
            size = len(bytes_data or b"")
            if size > HARD_FRAME_LIMIT:
                conn.closing = True
                await self.close(code=CLOSE_TOO_LARGE)
                return
            await self._error("binary", "binary frames are not supported", None, violation=True)
            return
        if len(text_data) > HARD_FRAME_LIMIT:
            conn.closing = True
            await self.close(code=CLOSE_TOO_LARGE)
            return
        try:
            command, spec = c.parse_command(text_data)
        except c.ProtocolError as e:
            await self._error(e.code, e.message, e.ref, violation=True)
            return
        if conn.role not in spec.roles:
            await self._error(
                "forbidden",
                f"{conn.role}s may not send {command.type}",
                command.ref,
                violation=True,
            )
            return
        bucket = conn.buckets.get(command.type)
        if bucket is None:
            scale = rate_scale()
            bucket = conn.buckets[command.type] = TokenBucket(spec.rate * scale, spec.burst * scale)
        if not bucket.take():
            await self._error(
                "rate_limited", f"too many {command.type} frames", command.ref, violation=True
            )
            return
        if spec.latest_wins:
            self._handle_latest(command, spec)
            return
        if self._drainer is not None:
            # Keep order: pending positions go out before this command runs.
            await asyncio.wait([self._drainer])
        await self._run(command, spec)

    def _handle_latest(self, command: c.Command, spec: c.CommandSpec) -> None:
        """Queue a continuous-stream frame; a newer one replaces it while pending."""
        if self._latest is None:
            self._latest = {}
        if command.type in self._latest:
            inbound_stats["superseded"] += 1
        self._latest[command.type] = (command, spec)
        if self._drainer is None:
            self._drainer = asyncio.get_running_loop().create_task(self._drain_latest())

    async def _drain_latest(self) -> None:
        try:
            while self._latest:
                kind = next(iter(self._latest))
                command, spec = self._latest.pop(kind)
                conn = self.conn
                if conn is None or conn.closing:
                    self._latest.clear()
                    return
                try:
                    await self._run(command, spec)
                except Exception:
                    logger.exception("%s from %s failed", command.type, conn.participant)
        finally:
            self._drainer = None

    async def _run(self, command: c.Command, spec: c.CommandSpec) -> None:
        conn = self.conn
        assert conn is not None
        try:
            if spec.handler is not None:
                await spec.handler(conn, command)
            elif isinstance(command, c.Ping):
                conn.ack(command.seq)
                pong = PongEvent(type="pong", last_seq=conn.delivered_seq)
                await self._send_text(pong.model_dump_json())
            elif isinstance(command, c.Resume):
                await self._initial(command.since)
        except Refusal as e:
            await self._error(e.code, e.message, command.ref, violation=False)


session_socket = SessionConsumer.as_asgi()

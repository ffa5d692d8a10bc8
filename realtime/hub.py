"""Per-process fan-out hub (see docs/protocol.md, "Fan-out").

One ``SessionHub`` per (event loop, session) subscribes ONCE to the session's
channel-layer group (``new_channel`` + ``group_add``) and hands each message's
already-encoded text to this process's sockets, filtered by audience locally.
Channel-layer traffic is therefore one message per process per broadcast,
whatever the number of students.

The hub also ticks every ``REALTIME_TICK`` seconds to:
- refresh presence for its live sockets and drop stale entries (crashed
  processes or clients), announcing roster changes;
- disconnect clients that stopped acknowledging (slow clients);
- detect lost layer messages (e.g. across a Redis pub/sub reconnect): when the
  store's seq stays ahead of what the hub received for a whole tick, every
  local client is resynced (missed events replayed from the ring, or a fresh
  snapshot).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings

from realtime import eventlog
from realtime.broadcast import HUB_MESSAGE, publish, remember_server_loop
from realtime.connection import Connection
from realtime.daphne_wire import text_frame
from realtime.events import PresenceEvent, RosterEvent
from realtime.groups import group_name
from realtime.presence import counts, get_presence, roster
from realtime.state import get_store
from scopecast.loops import LoopLocal

logger = logging.getLogger(__name__)

TICK_SLICE = 100  # presence entries refreshed per step of a hub tick
STREAM_BURST = 2.0  # stream frames that may go out back to back (dispatch)
DISPATCH_SLICE = 100  # sockets served per step of a broadcast


def tick_seconds() -> float:
    return float(settings.REALTIME_TICK)


def roster_delay() -> float:
    return float(settings.REALTIME_ROSTER_DELAY)


# Called with a session id as its process's hub starts (before its first
# socket's snapshot): apps read what their first commands need.
StartHook = Callable[[int], Awaitable[None]]
_start_hooks: list[StartHook] = []


def register_hub_start_hook(hook: StartHook) -> None:
    if hook not in _start_hooks:
        _start_hooks.append(hook)


class SessionHub:
    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        self.conns: set[Connection] = set()
        self.channel: str | None = None
        self.last_seq = 0
        self.received = 0  # layer messages received (tests, benchmarks)
        self._suspect: int | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._roster_handle: asyncio.TimerHandle | None = None
        self._roster_tasks: set[asyncio.Task[None]] = set()
        self._started = asyncio.Event()
        self._closed = False
        # Stream pacing (dispatch): one fan-out at a time, the last send per
        # stream, and the frames waiting for their turn.
        self._fanning = asyncio.Lock()
        self._stream_tokens: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self._held: dict[str, dict[str, Any]] = {}
        self._held_timers: dict[str, asyncio.TimerHandle] = {}

    # --- lifecycle ----------------------------------------------------------
    async def start(self) -> None:
        if await self._subscribe():  # before reading seq: nothing slips between
            self._tasks.append(asyncio.create_task(self._receive_loop()))
        self.last_seq = (await get_store().get(self.session_id)).seq
        for hook in _start_hooks:
            await hook(self.session_id)
        self._tasks.append(asyncio.create_task(self._tick_loop()))
        self._started.set()

    async def _subscribe(self) -> bool:
        """Join the session's group on the channel layer (False: no layer)."""
        layer = get_channel_layer()
        if layer is None:
            return False
        self.channel = await layer.new_channel(prefix="hub.")
        await layer.group_add(group_name(self.session_id), self.channel)
        return True

    async def close(self) -> None:
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._roster_handle is not None:
            self._roster_handle.cancel()
        for timer in self._held_timers.values():
            timer.cancel()
        layer = get_channel_layer()
        if layer is not None and self.channel is not None:
            with contextlib.suppress(Exception):
                await layer.group_discard(group_name(self.session_id), self.channel)
        await eventlog.flush()

    # --- delivery -----------------------------------------------------------
    async def _receive_loop(self) -> None:
        layer = get_channel_layer()
        assert layer is not None
        backoff = 0.1
        while not self._closed:
            try:
                assert self.channel is not None
                message = await layer.receive(self.channel)
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception(
                    "hub for session %s lost its layer; resubscribing", self.session_id
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                with contextlib.suppress(Exception):
                    await self._subscribe()
                    await self.resync_all()
                continue
            if message.get("type") == HUB_MESSAGE:
                await self.dispatch(message)

    def stream_interval(self) -> float:
        """Seconds between two frames of one continuous stream (viewport, pointer).

        At most ``REALTIME_STREAM_FRAMES`` stream frames a second leave this
        process for a session, and never more than one per stream per
        ``REALTIME_STREAM_MIN_INTERVAL``: 20 a second up to 500 local sockets
        with the defaults, 10 at 1,000. Viewers animate between updates, so
        a very large class sees the same smooth motion from fewer frames
        (docs/protocol.md, "Fan-out").
        """
        budget = len(self.conns) / settings.REALTIME_STREAM_FRAMES
        return max(settings.REALTIME_STREAM_MIN_INTERVAL, budget)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Hand one layer message to the local sockets; streams are paced.

        Each stream has a token bucket: one frame per ``stream_interval`` on
        average, with a burst of ``STREAM_BURST`` so that a teacher's 20 a
        second, jittered on the way, passes untouched. A stream frame that
        finds the bucket empty waits, replaced by any newer one, and goes
        out when a token is back; any other frame sends the waiting ones
        first, so every socket still gets sequenced frames in seq order.
        """
        self.received += 1
        seq = message.get("seq")
        if seq is not None and seq > self.last_seq:
            self.last_seq = seq
        key: str | None = message.get("key")
        async with self._fanning:
            if key is not None and message.get("stream"):
                if key in self._held:
                    self._held[key] = message  # latest value wins; its timer runs
                    return
                wait = self._take_stream_token(key)
                if wait > 0:
                    self._hold(key, message, wait)
                    return
            else:
                await self._send_held()
            await self._fan_out(message)

    def _take_stream_token(self, key: str) -> float:
        """Take one of the stream's tokens: 0.0, or the seconds until one is back."""
        now = time.monotonic()
        interval = self.stream_interval()
        tokens, stamp = self._stream_tokens.get(key, (STREAM_BURST, now))
        tokens = min(STREAM_BURST, tokens + (now - stamp) / interval) if interval else STREAM_BURST
        if tokens >= 1.0:
            self._stream_tokens[key] = (tokens - 1.0, now)
            return 0.0
        self._stream_tokens[key] = (tokens, now)
        return (1.0 - tokens) * interval

    def _hold(self, key: str, message: dict[str, Any], delay: float) -> None:
        self._held[key] = message
        if key not in self._held_timers:
            loop = asyncio.get_running_loop()
            self._held_timers[key] = loop.call_later(
                max(0.0, delay), lambda: self._spawn(self._release(key))
            )

    async def _release(self, key: str) -> None:
        async with self._fanning:
            self._held_timers.pop(key, None)
            message = self._held.pop(key, None)
            if message is not None:
                self._spend_stream_token(key)
                await self._fan_out(message)

    async def _send_held(self) -> None:
        """The waiting stream frames, now, before the frame that follows them."""
        while self._held:
            key, message = self._held.popitem()
            timer = self._held_timers.pop(key, None)
            if timer is not None:
                timer.cancel()
            self._spend_stream_token(key)
            await self._fan_out(message)

    def _spend_stream_token(self, key: str) -> None:
        """A waiting frame goes out now: it spends a token, or what is left of one."""
        if self._take_stream_token(key) > 0:
            self._stream_tokens[key] = (0.0, time.monotonic())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._roster_tasks.add(task)
        task.add_done_callback(self._roster_tasks.discard)

    async def _fan_out(self, message: dict[str, Any]) -> None:
        seq = message.get("seq")
        key: str | None = message.get("key")
        text: str = message["text"]
        audience: str = message["audience"]
        frame = {"type": "websocket.send", "text": text}  # one ASGI message for all
        wire = text_frame(text)  # and one websocket frame (realtime/daphne_wire.py)
        # Sends complete without yielding, so a whole broadcast would hold the
        # loop (~35 ms for 500 sockets). Yielding every DISPATCH_SLICE sockets
        # lets the teacher's next frame and its Redis replies through instead
        # of waiting behind every broadcast (the teacher -> hub p99).
        conns = list(self.conns)
        for start in range(0, len(conns), DISPATCH_SLICE):
            if start:
                await asyncio.sleep(0)
            for conn in conns[start : start + DISPATCH_SLICE]:
                if conn.accepts(audience) and not conn.offer(text, key, seq, wire):
                    await conn.deliver(text, key, seq, frame)
        if message.get("effect") == "follow":
            self._everyone_follows()

    def _everyone_follows(self) -> None:
        """A lock: local students are following again (clients snap back)."""
        changed = {}
        for conn in self.conns:
            if not conn.is_staff and not conn.presence.following:
                conn.presence.following = True
                changed[conn.conn_id] = conn.presence
        if changed:
            task = asyncio.get_running_loop().create_task(self._store_presence(changed))
            self._roster_tasks.add(task)
            task.add_done_callback(self._roster_tasks.discard)

    async def _store_presence(self, entries: dict[str, Any]) -> None:
        await get_presence().put_many(self.session_id, entries)
        self.presence_changed()

    async def resync_all(self) -> None:
        for conn in list(self.conns):
            resync = getattr(conn, "resync", None)
            if resync is not None:
                await resync()

    # --- membership and presence -------------------------------------------
    def presence_changed(self) -> None:
        """Announce roster and counts soon (debounced: one per burst of joins)."""
        if self._roster_handle is not None or self._closed:
            return
        loop = asyncio.get_running_loop()
        self._roster_handle = loop.call_later(roster_delay(), self._announce_soon)

    def _announce_soon(self) -> None:
        self._roster_handle = None
        task = asyncio.get_running_loop().create_task(announce_presence(self.session_id))
        self._roster_tasks.add(task)
        task.add_done_callback(self._roster_tasks.discard)

    async def _tick_loop(self) -> None:
        while not self._closed:
            await asyncio.sleep(tick_seconds())
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("hub tick failed for session %s", self.session_id)

    async def tick(self) -> None:
        now = time.time()
        presence = get_presence()
        live = []
        for conn in list(self.conns):
            conn.check_lag()
            if not conn.closing:
                conn.presence.last_seen = now
                live.append(conn)
        # In slices, yielding between them: encoding 1,000 entries at once is
        # a stall every broadcast in flight would wait for.
        for i in range(0, len(live), TICK_SLICE):
            await presence.put_many(
                self.session_id, {c.conn_id: c.presence for c in live[i : i + TICK_SLICE]}
            )
            await asyncio.sleep(0)
        if await presence.cleanup(self.session_id, now):
            self.presence_changed()
        await self.check_lost()

    async def check_lost(self) -> None:
        """Resync every local client when layer messages were lost."""
        store_seq = (await get_store().get(self.session_id)).seq
        if store_seq <= self.last_seq:
            self._suspect = None
        elif self._suspect is not None and self.last_seq < self._suspect:
            # What the store held a whole tick ago never came through: lost.
            # (A hub that is merely behind has received it by now.)
            logger.warning(
                "session %s: missed layer messages up to seq %s; resyncing %d clients",
                self.session_id,
                store_seq,
                len(self.conns),
            )
            self._suspect = None
            self.last_seq = store_seq
            await self.resync_all()
        else:
            self._suspect = store_seq


async def announce_presence(session_id: int) -> None:
    rows = roster(await get_presence().entries(session_id))
    summary = counts(rows)
    await publish(
        session_id, RosterEvent(type="roster", roster=rows, counts=summary), audience="staff"
    )
    await publish(session_id, PresenceEvent(type="presence", counts=summary), audience="all")


# This loop's hubs by session, and the lock that starts and stops them.
_hubs: LoopLocal[dict[int, SessionHub]] = LoopLocal(dict)
_locks: LoopLocal[asyncio.Lock] = LoopLocal(asyncio.Lock)


def local_hub(session_id: int) -> SessionHub | None:
    return _hubs.get().get(session_id)


async def attach(conn: Connection) -> SessionHub:
    """Register a socket with this process's hub for its session (starting it)."""
    remember_server_loop(asyncio.get_running_loop())
    hubs = _hubs.get()
    async with _locks.get():
        hub = hubs.get(conn.session_id)
        if hub is None:
            hub = SessionHub(conn.session_id)
            await hub.start()
            hubs[conn.session_id] = hub
        hub.conns.add(conn)
    conn.presence.last_seen = time.time()
    await get_presence().put(conn.session_id, conn.conn_id, conn.presence)
    hub.presence_changed()
    return hub


async def update_presence(conn: Connection) -> None:
    """Store this socket's presence (following, hand ...) now; announce the roster soon."""
    conn.presence.last_seen = time.time()
    await get_presence().put(conn.session_id, conn.conn_id, conn.presence)
    hub = local_hub(conn.session_id)
    if hub is not None:
        hub.presence_changed()


async def detach(conn: Connection) -> None:
    await get_presence().remove(conn.session_id, conn.conn_id)
    hubs = _hubs.get()
    async with _locks.get():
        hub = hubs.get(conn.session_id)
        if hub is None:
            return
        hub.conns.discard(conn)
        if hub.conns:
            hub.presence_changed()
            return
        del hubs[conn.session_id]
    try:
        await announce_presence(conn.session_id)
    except Exception:  # a disconnect never raises; the roster catches up later
        logger.exception("session %s: leaving announcement failed", conn.session_id)
    await hub.close()


async def close_all() -> None:
    """Close every hub of the running loop (tests, shutdown)."""
    hubs = _hubs.get()
    while hubs:
        await hubs.popitem()[1].close()

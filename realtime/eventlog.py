"""Batched writer for the session event log (see docs/protocol.md, "Event log").

Broadcasts never wait for the database: ``record`` appends to an in-memory
buffer and a flush is scheduled on the running loop (every
``REALTIME_EVENTLOG_INTERVAL`` seconds, or at once when
``REALTIME_EVENTLOG_BATCH`` rows are pending). A flush writes one
``bulk_create`` on the log's OWN single worker thread (never Django's shared
sync thread, which may be busy or, under ``async_to_sync``, refuse with "would
deadlock"), closing its database connection after each flush. Hubs flush
when they close, and an
``atexit`` hook flushes at interpreter exit (daphne stops cleanly on
SIGTERM/SIGINT), so nothing is lost on a clean shutdown.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)


def _interval() -> float:
    return float(settings.REALTIME_EVENTLOG_INTERVAL)


def _batch() -> int:
    return int(settings.REALTIME_EVENTLOG_BATCH)


@dataclass(frozen=True)
class PendingEvent:
    session_id: int
    seq: int | None
    type: str
    actor: str
    payload: dict[str, Any]
    created_at: datetime


class EventLogWriter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[PendingEvent] = []
        self._scheduled: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()
        self.flushes = 0  # number of bulk writes (tests, metrics)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def record(
        self, session_id: int, seq: int | None, type: str, actor: str, payload: dict[str, Any]
    ) -> None:
        event = PendingEvent(session_id, seq, type, actor, payload, timezone.now())
        with self._lock:
            self._pending.append(event)
            size = len(self._pending)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (management command, admin): flushed by flush_sync/atexit
        if size >= _batch():
            self._start_flush(loop)
        elif self._scheduled is None or self._scheduled.cancelled():
            self._scheduled = loop.call_later(_interval(), self._start_flush, loop)

    def _start_flush(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        if loop.is_closed():
            return
        task = loop.create_task(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    def _take(self) -> list[PendingEvent]:
        with self._lock:
            batch, self._pending = self._pending, []
        return batch

    def _write(self, batch: list[PendingEvent]) -> None:
        if _sink is None:
            logger.warning("no event log sink is registered; %d events dropped", len(batch))
            return
        _sink(batch)
        self.flushes += 1

    def _restore(self, batch: list[PendingEvent]) -> None:
        with self._lock:
            self._pending[:0] = batch

    async def flush(self) -> None:
        """Write everything pending (in a worker thread)."""
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        batch = self._take()
        if not batch:
            return
        try:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(_executor, self._write_and_close, batch)
        except Exception:
            logger.exception("event log flush failed; %d events kept for retry", len(batch))
            self._restore(batch)

    def _write_and_close(self, batch: list[PendingEvent]) -> None:
        """Write, then close this thread's connections (a long-lived thread
        must not hold a connection across flushes)."""
        try:
            self._write(batch)
        finally:
            connections.close_all()

    def discard(self) -> int:
        """Drop everything pending and any scheduled flush (test teardown)."""
        if self._scheduled is not None:
            self._scheduled.cancel()
            self._scheduled = None
        return len(self._take())

    def flush_sync(self) -> None:
        """Flush from synchronous code (atexit, signals, management commands)."""
        batch = self._take()
        if not batch:
            return
        try:
            self._write_and_close(batch)
        except Exception:
            logger.exception("event log flush failed at shutdown; %d events lost", len(batch))


# Where batches are written: the app that owns the sessions' table registers
# it from its AppConfig.ready (classroom.models.SessionEvent).
Sink = Callable[[list[PendingEvent]], None]
_sink: Sink | None = None


def register_sink(sink: Sink) -> None:
    """Write batches of pending events with ``sink`` (synchronous, on the log's thread)."""
    global _sink
    _sink = sink


# One thread: flushes are serialised and ordered, and never compete with the
# request/ORM threads for Django's sync thread.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eventlog")
writer = EventLogWriter()


def record(
    session_id: int, seq: int | None, type: str, actor: str, payload: dict[str, Any]
) -> None:
    writer.record(session_id, seq, type, actor, payload)


async def flush() -> None:
    await writer.flush()


def _flush_at_exit() -> None:
    if writer.pending():
        # Run the write in a fresh thread: atexit may fire inside a loop thread
        # where Django refuses synchronous ORM calls.
        thread = threading.Thread(target=writer.flush_sync)
        thread.start()
        thread.join(timeout=30)


atexit.register(_flush_at_exit)

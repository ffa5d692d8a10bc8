"""Who is connected to a live session (see docs/protocol.md, "Presence").

Channel layers cannot list group members, so presence is its own store:
one entry per websocket connection, ``connection id -> PresenceEntry``,
in a Redis hash per session in production and in a dict in the embedded
default. Each process refreshes ``last_seen`` for its own live sockets on
every hub tick; ``cleanup`` drops entries nobody refreshed (a crashed process
or a vanished client), so they leave the roster.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as aioredis
from django.conf import settings

from realtime.events import Counts, RosterEntry
from realtime.groups import realtime_prefix
from realtime.redis_pool import redis_client
from realtime.roles import is_staff
from scopecast.loops import LoopLocal

logger = logging.getLogger(__name__)


def stale_after() -> float:
    return float(settings.REALTIME_PRESENCE_STALE)


@dataclass
class PresenceEntry:
    participant: str
    role: str
    name: str
    following: bool = True
    hand: bool = False
    last_seen: float = 0.0
    view: dict[str, Any] | None = None

    def dumps(self) -> str:
        # Field by field: ``asdict`` deep-copies and costs ~4x more, and hub
        # ticks encode every local socket's entry.
        return json.dumps(
            {
                "participant": self.participant,
                "role": self.role,
                "name": self.name,
                "following": self.following,
                "hand": self.hand,
                "last_seen": self.last_seen,
                "view": self.view,
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, raw: str | bytes) -> PresenceEntry:
        return cls(**json.loads(raw))


class PresenceStore(Protocol):
    async def put(self, session_id: int, conn_id: str, entry: PresenceEntry) -> None: ...

    async def put_many(self, session_id: int, entries: dict[str, PresenceEntry]) -> None: ...

    async def remove(self, session_id: int, conn_id: str) -> None: ...

    async def entries(self, session_id: int) -> dict[str, PresenceEntry]: ...

    async def cleanup(self, session_id: int, now: float | None = None) -> list[str]: ...


class MemoryPresence:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[int, dict[str, str]] = {}

    async def put(self, session_id: int, conn_id: str, entry: PresenceEntry) -> None:
        with self._lock:
            self._data.setdefault(session_id, {})[conn_id] = entry.dumps()

    async def put_many(self, session_id: int, entries: dict[str, PresenceEntry]) -> None:
        with self._lock:
            bucket = self._data.setdefault(session_id, {})
            for conn_id, entry in entries.items():
                bucket[conn_id] = entry.dumps()

    async def remove(self, session_id: int, conn_id: str) -> None:
        with self._lock:
            self._data.get(session_id, {}).pop(conn_id, None)

    async def entries(self, session_id: int) -> dict[str, PresenceEntry]:
        with self._lock:
            raw = dict(self._data.get(session_id, {}))
        return {k: PresenceEntry.loads(v) for k, v in raw.items()}

    async def cleanup(self, session_id: int, now: float | None = None) -> list[str]:
        cutoff = (now or time.time()) - stale_after()
        with self._lock:
            bucket = self._data.get(session_id, {})
            stale = [k for k, v in bucket.items() if PresenceEntry.loads(v).last_seen < cutoff]
            for k in stale:
                del bucket[k]
        return stale

    def reset(self) -> None:
        with self._lock:
            self._data.clear()


class RedisPresence:
    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self._clients: LoopLocal[aioredis.Redis] = LoopLocal(lambda: redis_client(url))

    def client(self) -> aioredis.Redis:
        return self._clients.get()

    def _key(self, session_id: int) -> str:
        return f"{self.prefix}:s:{session_id}:presence"

    async def put(self, session_id: int, conn_id: str, entry: PresenceEntry) -> None:
        await self.put_many(session_id, {conn_id: entry})

    async def put_many(self, session_id: int, entries: dict[str, PresenceEntry]) -> None:
        if not entries:
            return
        key = self._key(session_id)
        async with self.client().pipeline(transaction=False) as pipe:
            pipe.hset(key, mapping={k: v.dumps() for k, v in entries.items()})
            pipe.expire(key, 24 * 3600)
            await pipe.execute()

    async def remove(self, session_id: int, conn_id: str) -> None:
        """Never raises: a disconnect must complete; a leftover entry goes stale
        and ``cleanup`` drops it within ``REALTIME_PRESENCE_STALE`` seconds."""
        try:
            await self.client().hdel(self._key(session_id), conn_id)
        except Exception as e:
            logger.warning("presence of %s not removed (%s); it will go stale", conn_id, e)

    async def entries(self, session_id: int) -> dict[str, PresenceEntry]:
        raw = await self.client().hgetall(self._key(session_id))
        return {
            (k.decode() if isinstance(k, bytes) else k): PresenceEntry.loads(v)
            for k, v in raw.items()
        }

    async def cleanup(self, session_id: int, now: float | None = None) -> list[str]:
        cutoff = (now or time.time()) - stale_after()
        stale = [k for k, v in (await self.entries(session_id)).items() if v.last_seen < cutoff]
        if stale:
            await self.client().hdel(self._key(session_id), *stale)
        return stale


_memory = MemoryPresence()
_redis: dict[tuple[str, str], RedisPresence] = {}


def get_presence() -> PresenceStore:
    url: str = settings.REDIS_URL
    if not url:
        return _memory
    key = (url, realtime_prefix())
    store = _redis.get(key)
    if store is None:
        store = _redis[key] = RedisPresence(url, realtime_prefix())
    return store


def memory_presence() -> MemoryPresence:
    return _memory


def roster(entries: dict[str, PresenceEntry]) -> list[RosterEntry]:
    """One row per participant (several tabs count once)."""
    rows: dict[str, RosterEntry] = {}
    for entry in entries.values():
        row = rows.get(entry.participant)
        if row is None:
            rows[entry.participant] = RosterEntry(
                participant=entry.participant,
                role=entry.role,  # type: ignore[arg-type]
                name=entry.name,
                connections=1,
                following=entry.following,
                hand=entry.hand,
            )
        else:
            row.connections += 1
            row.following = row.following and entry.following
            row.hand = row.hand or entry.hand
    return sorted(rows.values(), key=lambda r: (not is_staff(r.role), r.name, r.participant))


def counts(rows: list[RosterEntry]) -> Counts:
    students = [r for r in rows if not is_staff(r.role)]
    return Counts(
        connected=len(rows),
        students=len(students),
        staff=len(rows) - len(students),
        following=sum(1 for r in students if r.following),
        hands=sum(1 for r in students if r.hand),
    )

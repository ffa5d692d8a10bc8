"""The live session state store (see docs/protocol.md, "State and resume").

Live state (current slide, teacher viewport, lock, spotlight, the ``seq``
counter and the recent-events ring buffer) changes up to 20 times a second
and is never written to the database per update. Two implementations share
one interface:

- ``MemoryStore``: in-process, the embedded default (no ``REDIS_URL``);
- ``RedisStore``: ``settings.REDIS_URL``; one Lua script per broadcast does
  INCR + RPUSH/LTRIM + HSET atomically, so a broadcast costs one round trip
  and every process sees the same ``seq``.

``append`` turns an encoded event body (``{"type": ...}``) into the final
frame text by splicing ``"seq":N`` in front; the JSON is encoded once by the
caller and never re-encoded.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis.asyncio as aioredis
from django.conf import settings

from realtime.groups import realtime_prefix
from realtime.redis_pool import redis_client
from scopecast.loops import LoopLocal

# The live-state fields, declared by the apps that keep them
# (``register_state_fields`` from AppConfig.ready; the classroom's slide,
# view, lock, spotlight ...). ``x_``-prefixed names are free for experiments.
STATE_FIELDS: set[str] = set()
KEY_TTL_SECONDS = 7 * 24 * 3600


def ring_size() -> int:
    return int(settings.REALTIME_RING_SIZE)


def register_state_fields(*names: str) -> None:
    STATE_FIELDS.update(names)


@dataclass
class LiveState:
    seq: int = 0
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@dataclass(frozen=True)
class RingEntry:
    seq: int
    audience: str
    text: str


def splice_seq(body: str, seq: int) -> str:
    if not body.startswith("{") or body.startswith("{}"):
        raise ValueError("event bodies are non-empty JSON objects")
    return '{"seq":' + str(seq) + "," + body[1:]


class StateStore(Protocol):
    async def append(
        self, session_id: int, body: str, audience: str, updates: dict[str, Any] | None = None
    ) -> tuple[int, str]: ...

    async def update(self, session_id: int, updates: dict[str, Any]) -> None: ...

    async def get(self, session_id: int) -> LiveState: ...

    async def since(self, session_id: int, seq: int) -> list[RingEntry] | None: ...

    async def clear(self, session_id: int) -> None: ...


def _select(entries: list[RingEntry], last: int, since: int) -> list[RingEntry] | None:
    """Events after ``since``, or None when the ring no longer holds them all."""
    if since > last:
        return None  # a seq from the future: the store was reset
    if since == last:
        return []
    if not entries or entries[0].seq > since + 1:
        return None
    return [e for e in entries if e.seq > since]


class MemoryStore:
    """Process-local store; thread-safe, loop-independent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq: dict[int, int] = {}
        self._ring: dict[int, deque[RingEntry]] = {}
        self._values: dict[int, dict[str, Any]] = {}

    def _apply(self, session_id: int, updates: dict[str, Any] | None) -> None:
        _encode_updates(updates)  # same field check as Redis
        values = self._values.setdefault(session_id, {})
        for name, value in (updates or {}).items():
            if value is None:
                values.pop(name, None)
            else:
                values[name] = json.loads(json.dumps(value))

    async def append(
        self, session_id: int, body: str, audience: str, updates: dict[str, Any] | None = None
    ) -> tuple[int, str]:
        with self._lock:
            seq = self._seq.get(session_id, 0) + 1
            self._seq[session_id] = seq
            text = splice_seq(body, seq)
            ring = self._ring.setdefault(session_id, deque(maxlen=ring_size()))
            ring.append(RingEntry(seq, audience, text))
            self._apply(session_id, updates)
        return seq, text

    async def update(self, session_id: int, updates: dict[str, Any]) -> None:
        with self._lock:
            self._apply(session_id, updates)

    async def get(self, session_id: int) -> LiveState:
        with self._lock:
            return LiveState(
                self._seq.get(session_id, 0),
                json.loads(json.dumps(self._values.get(session_id, {}))),
            )

    async def since(self, session_id: int, seq: int) -> list[RingEntry] | None:
        with self._lock:
            entries = list(self._ring.get(session_id, ()))
            last = self._seq.get(session_id, 0)
        return _select(entries, last, seq)

    async def clear(self, session_id: int) -> None:
        with self._lock:
            self._seq.pop(session_id, None)
            self._ring.pop(session_id, None)
            self._values.pop(session_id, None)

    def reset(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._seq.clear()
            self._ring.clear()
            self._values.clear()


# KEYS: seq, ring, state. ARGV: body, audience, ring size, ttl, then field/value
# pairs; an empty value deletes the field.
_APPEND_LUA = """
local seq = redis.call('INCR', KEYS[1])
local text = '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
redis.call('RPUSH', KEYS[2], seq .. '|' .. ARGV[2] .. '|' .. text)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
for i = 5, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[3], ARGV[i])
  else
    redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  end
end
local ttl = tonumber(ARGV[4])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
return {seq, text}
"""


def _encode_updates(updates: dict[str, Any] | None) -> list[str]:
    args: list[str] = []
    for name, value in (updates or {}).items():
        if name not in STATE_FIELDS and not name.startswith("x_"):
            raise ValueError(f"unknown live-state field {name!r}")
        args += [name, "" if value is None else json.dumps(value, separators=(",", ":"))]
    return args


def _parse_entry(raw: bytes | str) -> RingEntry:
    text = raw.decode() if isinstance(raw, bytes) else raw
    seq, audience, frame = text.split("|", 2)
    return RingEntry(int(seq), audience, frame)


class RedisStore:
    """Redis-backed store shared by every server process."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self._clients: LoopLocal[aioredis.Redis] = LoopLocal(lambda: redis_client(url))

    def client(self) -> aioredis.Redis:
        return self._clients.get()

    def _keys(self, session_id: int) -> tuple[str, str, str]:
        base = f"{self.prefix}:s:{session_id}"
        return f"{base}:seq", f"{base}:ring", f"{base}:state"

    async def append(
        self, session_id: int, body: str, audience: str, updates: dict[str, Any] | None = None
    ) -> tuple[int, str]:
        splice_seq(body, 0)  # validates the body shape before it reaches Lua
        args = [body, audience, str(ring_size()), str(KEY_TTL_SECONDS), *_encode_updates(updates)]
        client = self.client()
        script = client.register_script(_APPEND_LUA)
        seq, text = await script(keys=list(self._keys(session_id)), args=args)
        return int(seq), text.decode() if isinstance(text, bytes) else str(text)

    async def update(self, session_id: int, updates: dict[str, Any]) -> None:
        args = _encode_updates(updates)
        _, _, state_key = self._keys(session_id)
        async with self.client().pipeline(transaction=True) as pipe:
            for name, value in zip(args[::2], args[1::2], strict=True):
                if value == "":
                    pipe.hdel(state_key, name)
                else:
                    pipe.hset(state_key, name, value)
            pipe.expire(state_key, KEY_TTL_SECONDS)
            await pipe.execute()

    async def get(self, session_id: int) -> LiveState:
        seq_key, _, state_key = self._keys(session_id)
        async with self.client().pipeline(transaction=True) as pipe:
            pipe.get(seq_key)
            pipe.hgetall(state_key)
            seq, raw = await pipe.execute()
        values = {
            (k.decode() if isinstance(k, bytes) else k): json.loads(v) for k, v in raw.items()
        }
        return LiveState(int(seq or 0), values)

    async def since(self, session_id: int, seq: int) -> list[RingEntry] | None:
        seq_key, ring_key, _ = self._keys(session_id)
        async with self.client().pipeline(transaction=True) as pipe:
            pipe.get(seq_key)
            pipe.lrange(ring_key, 0, -1)
            last, raw = await pipe.execute()
        return _select([_parse_entry(r) for r in raw], int(last or 0), seq)

    async def clear(self, session_id: int) -> None:
        await self.client().delete(*self._keys(session_id))

    async def aclose(self) -> None:
        client = self._clients.pop()
        if client is not None:
            await client.aclose()


_memory = MemoryStore()
_redis_stores: dict[tuple[str, str], RedisStore] = {}


def get_store() -> StateStore:
    """The configured store: Redis when ``REDIS_URL`` is set, else in-process."""
    url: str = settings.REDIS_URL
    if not url:
        return _memory
    key = (url, realtime_prefix())
    store = _redis_stores.get(key)
    if store is None:
        store = _redis_stores[key] = RedisStore(url, realtime_prefix())
    return store


def memory_store() -> MemoryStore:
    return _memory

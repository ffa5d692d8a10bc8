"""Hundreds of sockets leaving at once never exhaust Redis connections
(see docs/protocol.md, "Limits"): the pool blocks for a free connection, and a
presence removal that fails anyway is logged, never raised.
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from realtime import hub as hubs
from realtime.connection import Connection
from realtime.presence import PresenceEntry, RedisPresence, get_presence

pytestmark = pytest.mark.services

STORM = 300


@pytest.fixture
async def prefix(redis_url: str, settings: Any) -> AsyncIterator[str]:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    settings.REDIS_URL = redis_url
    settings.REALTIME_PREFIX = prefix
    settings.REALTIME_REDIS_MAX_CONNECTIONS = 4  # far fewer than concurrent removals
    yield prefix
    client = aioredis.Redis.from_url(redis_url)
    keys = [k async for k in client.scan_iter(match=f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def _entry(i: int) -> PresenceEntry:
    return PresenceEntry(participant=f"u:{i}", role="student", name=f"S{i}", last_seen=time.time())


async def test_many_simultaneous_removals_share_a_small_pool(redis_url, prefix):
    store = RedisPresence(redis_url, prefix)
    await store.put_many(7, {f"c{i}": _entry(i) for i in range(STORM)})
    assert len(await store.entries(7)) == STORM
    await asyncio.gather(*(store.remove(7, f"c{i}") for i in range(STORM)))
    assert await store.entries(7) == {}
    await store.client().aclose()


async def test_a_disconnect_storm_through_the_hub_leaves_no_presence(redis_url, prefix, settings):
    settings.REALTIME_TICK = 60.0
    settings.REALTIME_ROSTER_DELAY = 60.0
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

    async def kick(code: int) -> None:
        return None

    conns = [
        Connection(
            conn_id=f"c{i}",
            session_id=9,
            participant=f"u:{i}",
            role="student",
            name=f"S{i}",
            user_id=i,
            guest_id=None,
            kick=kick,
        )
        for i in range(STORM)
    ]
    for batch in range(0, STORM, 50):
        await asyncio.gather(*(hubs.attach(conn) for conn in conns[batch : batch + 50]))
    assert len(await get_presence().entries(9)) == STORM
    await asyncio.gather(*(hubs.detach(conn) for conn in conns))
    assert await get_presence().entries(9) == {}
    assert hubs.local_hub(9) is None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_removal_never_raises_when_redis_is_unreachable(settings, caplog):
    settings.REALTIME_REDIS_POOL_TIMEOUT = 0.5
    store = RedisPresence(f"redis://127.0.0.1:{_closed_port()}/0", "tdown")
    await store.remove(1, "c1")
    assert "will go stale" in caplog.text

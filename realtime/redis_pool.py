"""Redis clients for the realtime stores (see docs/protocol.md, "Limits").

One client per event loop and store; its pool is bounded and blocking.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from django.conf import settings


def redis_max_connections() -> int:
    return int(settings.REALTIME_REDIS_MAX_CONNECTIONS)


def redis_pool_timeout() -> float:
    return float(settings.REALTIME_REDIS_POOL_TIMEOUT)


def redis_client(url: str) -> aioredis.Redis:
    """A Redis client whose pool WAITS for a free connection instead of raising.

    A disconnect storm (hundreds of sockets closing at once) would otherwise
    open one connection per concurrent command, or fail with "Too many
    connections" once a pool limit is reached. Commands queue for at most
    ``REALTIME_REDIS_POOL_TIMEOUT`` seconds.
    """
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=redis_max_connections(), timeout=redis_pool_timeout()
    )
    return aioredis.Redis(connection_pool=pool)

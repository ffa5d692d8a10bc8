"""`GET /healthz`: is this process able to serve a class? (see docs/deploy.md, "Health checks")

Checks the database, and Redis and memcached when they are configured, each
with a short timeout. 200 with ``{"status": "ok", "checks": {...}}`` when all
answer, 503 naming the failing ones otherwise. It reveals no configuration,
so load balancers and monitoring may call it without logging in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from pymemcache.client.base import Client as MemcacheClient

TIMEOUT = 2.0


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _redis() -> None:
    client = aioredis.from_url(
        settings.REDIS_URL, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
    )
    try:
        await client.ping()
    finally:
        await client.aclose()


def _memcached() -> None:
    for server in settings.MEMCACHED_SERVERS:
        client = MemcacheClient(
            (server.host, server.port), connect_timeout=TIMEOUT, timeout=TIMEOUT
        )
        try:
            client.version()
        finally:
            client.close()


async def _run(check: Callable[[], Awaitable[None]]) -> str:
    try:
        await asyncio.wait_for(check(), timeout=TIMEOUT * 2)
    except Exception as e:  # any failure is reported, never raised
        return f"error: {type(e).__name__}"
    return "ok"


async def healthz(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"error": "method not allowed"}, status=405)
    checks: dict[str, Callable[[], Awaitable[None]]] = {
        "database": sync_to_async(_database),
    }
    if settings.REDIS_URL:
        checks["redis"] = _redis
    if settings.MEMCACHED_SERVERS:
        # pymemcache is blocking: a worker thread, never the event loop.
        checks["memcached"] = lambda: asyncio.to_thread(_memcached)
    results = await asyncio.gather(*(_run(c) for c in checks.values()))
    report = dict(zip(checks, results, strict=True))
    healthy = all(r == "ok" for r in results)
    response = JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": report},
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    return response

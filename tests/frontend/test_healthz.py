"""`/healthz` reports whether the database, Redis and memcached answer."""

from __future__ import annotations

from typing import Any

from django.test import Client

from scopecast.env import MemcachedServer
from tests.support.browser import free_port


def test_it_is_healthy_in_the_embedded_default(client: Client, db: None, settings: Any) -> None:
    settings.REDIS_URL = ""
    settings.MEMCACHED_SERVERS = []
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_it_checks_real_redis_and_memcached(
    client: Client, db: None, settings: Any, redis_url: str, memcached_servers: str
) -> None:
    host, _, port = memcached_servers.split(",")[0].rpartition(":")
    settings.REDIS_URL = redis_url
    settings.MEMCACHED_SERVERS = [MemcachedServer(host, int(port))]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "memcached": "ok"}


def test_it_reports_503_and_names_a_service_that_is_down(
    client: Client, db: None, settings: Any
) -> None:
    port = free_port()
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    settings.MEMCACHED_SERVERS = [MemcachedServer("127.0.0.1", port)]
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error: ")
    assert body["checks"]["memcached"].startswith("error: ")


def test_it_rejects_posts(client: Client, db: None) -> None:
    assert client.post("/healthz").status_code == 405

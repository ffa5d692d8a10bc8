"""The guest join rate limit holds across server processes when Redis is
configured (see docs/deploy.md, "Services": ``REDIS_URL``).

Each daphne process has its own cache client; with ``REDIS_URL`` set they all
count in Redis, so N processes do not allow N times the limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from classroom import views
from classroom.models import Course, Guest, LiveSession

ROOT = Path(__file__).resolve().parents[2]


def _settings_caches(**env: str) -> dict[str, Any]:
    """CACHES as a fresh process computes it from this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "REALTIME_PREFIX"}}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, scopecast.settings as s; print(json.dumps(getattr(s, 'CACHES', {})))",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    caches: dict[str, Any] = json.loads(out.stdout)
    return caches


def test_with_redis_url_the_django_cache_is_redis_on_that_url() -> None:
    caches = _settings_caches(REDIS_URL="redis://cache.example:6379/3", REALTIME_PREFIX="pfx")
    assert caches["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.example:6379/3",
        "KEY_PREFIX": "pfx:cache",
    }


def test_without_redis_url_the_cache_stays_the_per_process_default() -> None:
    assert _settings_caches() == {}


@pytest.fixture
def two_processes_caches(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Two independent Redis cache clients (as in two daphne processes), one prefix."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    caches = [RedisCache(redis_url, {"KEY_PREFIX": prefix}) for _ in range(2)]
    yield caches
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def _join_through(
    cache: Any, monkeypatch: pytest.MonkeyPatch, code: str, name: str, ip: str
) -> int:
    monkeypatch.setattr(views, "cache", cache)
    response = Client().post(
        "/courses/join",
        data=json.dumps({"code": code, "name": name}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )
    return int(response.status_code)


@pytest.mark.services
@pytest.mark.django_db
def test_the_join_limit_holds_across_two_processes_sharing_redis(
    course: Course, two_processes_caches: list[Any], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.JOIN_RATE_LIMIT = (3, 60)
    session = LiveSession.objects.create(
        course=course, title="Week 1", state="live", allow_guests=True
    )
    first, second = two_processes_caches
    ip = "10.9.8.7"
    statuses = [
        _join_through(first, monkeypatch, session.join_code, "Ada", ip),
        _join_through(second, monkeypatch, session.join_code, "Bea", ip),
        _join_through(first, monkeypatch, session.join_code, "Cy", ip),
    ]
    assert statuses == [201, 201, 201]
    assert _join_through(second, monkeypatch, session.join_code, "Eve", ip) == 429
    assert _join_through(first, monkeypatch, session.join_code, "Eve", ip) == 429
    assert not Guest.objects.filter(display_name="Eve").exists()
    assert _join_through(second, monkeypatch, session.join_code, "Dan", "10.9.8.6") == 201


@pytest.mark.django_db
def test_a_cache_outage_admits_the_join_rather_than_failing_it(
    course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = LiveSession.objects.create(
        course=course, title="Week 1", state="live", allow_guests=True
    )
    unreachable = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert _join_through(unreachable, monkeypatch, session.join_code, "Ada", "10.9.8.5") == 201

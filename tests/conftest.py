"""Shared test fixtures: the personas and the real services.

Personas (healthchecks-style): ``teacher`` (Tess) teaches PATH101, ``alice``
and ``bob`` are students in it, ``outsider`` (Olga) belongs to no course.

Service-backed fixtures skip when the service is missing, except when
``SCOPECAST_REQUIRE_SERVICES=1`` (set by .ci/run): then a missing service is
a failure, so CI can never go green by skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from django.contrib.auth.models import User

from classroom.models import Course, Membership

REQUIRE_SERVICES = os.environ.get("SCOPECAST_REQUIRE_SERVICES") == "1"
PASSWORD = "correct-horse-battery"


def service_missing(message: str) -> NoReturn:
    """Skip, or fail when CI demands every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {message}", pytrace=False)
    pytest.skip(message)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Personas and demo users are created per test; PBKDF2 would dominate the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Personas:
    teacher: User
    alice: User
    bob: User
    outsider: User
    course: Course


@pytest.fixture
def personas(db: Any) -> Personas:
    teacher = User.objects.create_user("tess", "tess@example.org", PASSWORD, first_name="Tess")
    alice = User.objects.create_user("alice", "alice@example.org", PASSWORD, first_name="Alice")
    bob = User.objects.create_user("bob", "bob@example.org", PASSWORD, first_name="Bob")
    outsider = User.objects.create_user("olga", "olga@example.org", PASSWORD, first_name="Olga")
    course = Course.objects.create(title="Histopathology 101", code="PATH101")
    Membership.objects.create(course=course, user=teacher, role=Membership.Role.TEACHER)
    Membership.objects.create(course=course, user=alice, role=Membership.Role.STUDENT)
    Membership.objects.create(course=course, user=bob, role=Membership.Role.STUDENT)
    return Personas(teacher=teacher, alice=alice, bob=bob, outsider=outsider, course=course)


@pytest.fixture
def teacher(personas: Personas) -> User:
    return personas.teacher


@pytest.fixture
def alice(personas: Personas) -> User:
    return personas.alice


@pytest.fixture
def bob(personas: Personas) -> User:
    return personas.bob


@pytest.fixture
def outsider(personas: Personas) -> User:
    return personas.outsider


@pytest.fixture
def course(personas: Personas) -> Course:
    return personas.course


@pytest.fixture(autouse=True)
def no_event_log_leftovers() -> Iterator[None]:
    """Drop session-log events a test left unflushed: its database is gone
    afterwards, so the production at-exit flush would only log errors."""
    yield
    from realtime import eventlog

    eventlog.writer.discard()


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    if not _port_open("127.0.0.1", 6379):
        service_missing(f"Redis at {url}")
    return url


@pytest.fixture
def memcached_servers() -> str:
    servers = os.environ.get("TEST_MEMCACHED_SERVERS", "127.0.0.1:11211")
    host, _, port = servers.split(",")[0].rpartition(":")
    if not _port_open(host, int(port)):
        service_missing(f"memcached at {servers}")
    return servers


@pytest.fixture
def cache_prefix() -> str:
    """A unique key prefix so concurrent runs never share memcached keys."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        service_missing("Debian's chromium (apt-get install chromium)")
    return path


@pytest.fixture
def slide_storage(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """A private SLIDE_STORAGE_ROOT and import root for one test."""
    storage = tmp_path / "storage"
    imports = tmp_path / "import"
    storage.mkdir()
    imports.mkdir()
    settings.SLIDE_STORAGE_ROOT = storage
    settings.SLIDE_IMPORT_ROOTS = [storage, imports]
    yield storage

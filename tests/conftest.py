"""What every test gets: the shared fixture modules and two autouse fixtures.

The shared fixtures live in tests/support/fixtures/ and are loaded here
through ``pytest_plugins`` (pytest reads it only in this root conftest):
the personas (``teacher``, ``alice``, ``bob``, ``outsider``, ``course``), the
real services (``redis_url``, ``memcached_servers``, ``chromium_path``, ...),
``slide_storage``, and the realtime ``live`` and ``realtime_isolation``.
Plain helpers are in tests/support/; tests import them from there, never
from a conftest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest_plugins = [
    "tests.support.fixtures.personas",
    "tests.support.fixtures.realtime",
    "tests.support.fixtures.services",
    "tests.support.fixtures.storage",
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Personas and demo users are created per test; PBKDF2 would dominate the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_event_log_leftovers() -> Iterator[None]:
    """Drop session-log events a test left unflushed: its database is gone
    afterwards, so the production at-exit flush would only log errors."""
    yield
    from realtime import eventlog

    eventlog.writer.discard()

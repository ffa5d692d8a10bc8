"""Probing the real services the tests use (Redis, memcached, chromium, libturbojpeg).

A missing service skips the test, except when ``SCOPECAST_REQUIRE_SERVICES=1``
(set by .ci/run): then it is a failure, so CI can never go green by skipping.
The service fixtures are in tests/support/fixtures/services.py.
"""

from __future__ import annotations

import os
import socket
from typing import NoReturn

import pytest

REQUIRE_SERVICES = os.environ.get("SCOPECAST_REQUIRE_SERVICES") == "1"


def service_missing(message: str) -> NoReturn:
    """Skip, or fail when CI demands every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {message}", pytrace=False)
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on host:port (0.5 s timeout)."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False

"""Fixtures for the frontend tests (see docs/deploy.md)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    """The personas and demo users are hashed per test: keep PBKDF2's cost out of the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Fixtures of the deployment-file tests; their helpers are in tests/support/deploy.py."""

from __future__ import annotations

import pytest

from tests.support.deploy import settings_env_vars


@pytest.fixture
def settings_vars() -> set[str]:
    names = settings_env_vars()
    assert len(names) > 20, "the settings parser found too few variables"
    return names

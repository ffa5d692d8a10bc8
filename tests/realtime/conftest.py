"""Every websocket test here starts with empty in-process stores and closes its hubs.

The helpers (``connect``, ``recv``, ``send``, ``capture_send_event_calls``, ...)
are in tests/support/realtime.py; the ``live`` and ``realtime_isolation``
fixtures in tests/support/fixtures/realtime.py.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_realtime(realtime_isolation: None) -> None:
    """Apply ``realtime_isolation`` to every test of this directory."""

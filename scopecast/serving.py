"""Tuning of the daphne process this application runs in (see docs/tiles.md, "Hot path").

Twisted's ``HTTPFactory`` formats an NCSA access-log line for every request
and writes it into Twisted's global log, which nothing in a daphne deployment
reads: daphne writes its own access log (``--access-log``) and logs through
Python's ``logging``. The formatting (a date, a quoted request line, the
referrer and user agent) cost about 0.1 ms a request, a fifth of the CPU of
a cached tile (bench/tiles.py: 0.59 -> 0.47 ms a hot tile). Daphne's own
access log is unchanged.
"""

from __future__ import annotations

import sys
from typing import Any


def _no_twisted_access_line(self: Any, request: Any) -> None:
    """Twisted's per-request access line, dropped (daphne's --access-log is the access log)."""


def quiet_twisted_access_log() -> bool:
    """Drop Twisted's per-request log line when running under daphne; True if it did."""
    if "daphne.http_protocol" not in sys.modules and "daphne.server" not in sys.modules:
        return False  # not served by daphne (tests, another ASGI server): nothing to tune
    from daphne.http_protocol import HTTPFactory

    HTTPFactory.log = _no_twisted_access_line
    return True

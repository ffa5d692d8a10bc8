"""Tuning of the server process this application runs in (see docs/tiles.md, "Hot path").

Two things, applied once the application is built, and only in a serving
process: daphne (pages, websockets) or uvicorn (the tile processes). The test
suite, which imports daphne but is not served by it, keeps the defaults.

**Twisted's access line** (daphne only). Twisted's ``HTTPFactory`` formats an
NCSA access-log line for every request and writes it into Twisted's global
log, which nothing in a daphne deployment reads: daphne writes its own access
log (``--access-log``) and logs through Python's ``logging``. The formatting
(a date, a quoted request line, the referrer and user agent) cost about
0.1 ms a request, a fifth of the CPU of a cached tile (bench/tiles.py: 0.59
-> 0.47 ms a hot tile). Daphne's own access log is unchanged.

**The cyclic garbage collector.** By the time the server serves, the process
holds a few hundred thousand long-lived objects (Django, the server, the
apps), and every full collection walks all of them; a cold tile allocates
enough (futures, coroutines, the server's request objects) to trigger a young
collection every few requests. ``gc.freeze()`` moves everything built at
start-up into a generation the collector never scans, and a larger young
threshold makes collections rarer without changing what they free (only
cycles wait for the collector; everything else is freed by reference
counting at once). Measured in the same run against the defaults, two
daphne processes, cold tiles (interleaved rounds): +9.5% tiles/s, faster in
6 of 8 rounds; the freeze and the thresholds measured +3.6% and +4.3% alone
(docs/tiles.md, "Hot path").
"""

from __future__ import annotations

import gc
import sys
from typing import Any

# (young, middle, old) collection thresholds for a serving process; Python's
# defaults are (700, 10, 10).
SERVING_GC_THRESHOLDS = (20_000, 50, 100)


def _under_daphne() -> bool:
    return "daphne.http_protocol" in sys.modules or "daphne.server" in sys.modules


def _no_twisted_access_line(self: Any, request: Any) -> None:
    """Twisted's per-request access line, dropped (daphne's --access-log is the access log)."""


def quiet_twisted_access_log() -> bool:
    """Drop Twisted's per-request log line when running under daphne; True if it did."""
    if not _under_daphne():
        return False  # not served by daphne (tests, another ASGI server): nothing to tune
    from daphne.http_protocol import HTTPFactory

    HTTPFactory.log = _no_twisted_access_line
    return True


def tune_gc_for_serving() -> bool:
    """Freeze the start-up heap and raise the collection thresholds; True if it did.

    Call once, after the application is built: objects created later are
    collected as usual. Only in a process started by daphne's command line or
    run by uvicorn's server (as deployed and benchmarked), never in one that
    merely imports daphne (the test suite).
    """
    if "daphne.cli" not in sys.modules and "uvicorn.server" not in sys.modules:
        return False
    gc.collect()  # start-up garbage goes now, not into the frozen generation
    gc.freeze()
    gc.set_threshold(*SERVING_GC_THRESHOLDS)
    return True

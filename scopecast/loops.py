"""Per-event-loop state, kept in one place.

asyncio objects (locks, tasks, timers, Redis clients, futures) belong to the
loop that made them. A server process runs one loop, but the test suite and
``async_to_sync`` run many, one after another, so module state that holds
such objects is kept per loop and dropped once its loop has closed.
channels_redis does the same for its per-loop layers (``_get_layer``).

    _hubs: LoopLocal[dict[int, SessionHub]] = LoopLocal(dict)
    hub = _hubs.get().get(session_id)     # this loop's dict, made on first use

``get`` needs a running loop; ``for_loop`` takes one explicitly (a thread
handing results to a known loop). This module imports no app, so every app
may use it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class LoopLocal(Generic[T]):
    """One value of type ``T`` per event loop, made by ``factory`` on first use.

    Values of closed loops are swept whenever a new loop's value is made, so
    a long test run never accumulates them. Thread-safe: tile threads may ask
    for a loop's value with ``for_loop``.
    """

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._values: dict[asyncio.AbstractEventLoop, T] = {}
        self._lock = threading.Lock()

    def get(self) -> T:
        """The running loop's value (made on first use)."""
        return self.for_loop(asyncio.get_running_loop())

    def for_loop(self, loop: asyncio.AbstractEventLoop) -> T:
        value = self._values.get(loop)
        if value is not None:
            return value
        with self._lock:
            value = self._values.get(loop)
            if value is None:
                for old in [lp for lp in self._values if lp.is_closed()]:
                    del self._values[old]
                value = self._values[loop] = self._factory()
            return value

    def peek(self) -> T | None:
        """The running loop's value if it has one (never makes it)."""
        return self._values.get(asyncio.get_running_loop())

    def pop(self) -> T | None:
        """Forget the running loop's value (returns it)."""
        with self._lock:
            return self._values.pop(asyncio.get_running_loop(), None)

    def items(self) -> Iterator[tuple[asyncio.AbstractEventLoop, T]]:
        """Every loop's value, closed loops' included (sweeps, tests)."""
        with self._lock:
            return iter(list(self._values.items()))

    def clear(self) -> None:
        """Forget every loop's value (tests, settings changes)."""
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)

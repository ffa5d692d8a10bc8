"""Helpers for the tile tests (see docs/tiles.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import connections

T = TypeVar("T")


async def in_db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ORM code from an async test, closing that thread's connection after.

    (asgiref's sync thread outlives the test; an open connection there keeps
    the PostgreSQL test database busy at teardown.)
    """

    def run() -> T:
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    return await sync_to_async(run)()

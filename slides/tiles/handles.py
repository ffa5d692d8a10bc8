"""Slide records and open slide handles (see docs/tiles.md, "The tile path").

* A *record* is what a process knows of a ready slide: its current version
  and file. ``lookup_slide`` / ``alookup_slide`` answer from memory when the
  record is fresh (``RECORD_TTL`` seconds), else with one query on the I/O
  pool, shared by every request that wants it. There is no database query
  per tile.
* A *handle* is an open ``OpenSlide`` and its ``DeepZoomGenerator``.
  ``SlideHandles`` is a bounded, locked LRU of them keyed by (slide id,
  version); ``handle_for`` opens one on a miss.

When a refresh finds a new version (the slide was replaced), the old
version's handles are dropped; ``forget_slide`` does it at once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openslide
from django.conf import settings
from django.core.signals import setting_changed
from openslide.deepzoom import DeepZoomGenerator

from slides.models import Slide
from slides.tiles.errors import TileNotFound
from slides.tiles.pools import in_pool, io_executor

logger = logging.getLogger(__name__)

# How long a process trusts what it knows about a slide's version and file
# before asking the database again. Bounds how long a replaced slide's old
# version keeps being served by a process that had it open.
RECORD_TTL = 5.0


# --------------------------------------------------------------------------
# Slide records: id -> (version, file) without a query per tile


@dataclass(frozen=True, slots=True)
class SlideRecord:
    slide_id: int
    version: int
    path: Path
    checked_at: float


class SlideFileError(Exception):
    pass


def resolve_slide_path(file_path: str) -> Path:
    """The absolute file for ``Slide.file_path``, refusing anything outside the roots.

    Relative paths are relative to SLIDE_STORAGE_ROOT; the resolved path (after
    symlinks and ``..``) must lie inside SLIDE_STORAGE_ROOT or one of
    SLIDE_IMPORT_ROOTS.
    """
    if not file_path:
        raise SlideFileError("slide has no file")
    storage = Path(settings.SLIDE_STORAGE_ROOT).resolve()
    path = (storage / file_path).resolve()
    roots = [storage, *(Path(r).resolve() for r in settings.SLIDE_IMPORT_ROOTS)]
    if not any(path.is_relative_to(root) for root in roots):
        raise SlideFileError(f"slide file {file_path!r} is outside the slide storage roots")
    return path


_records: dict[int, SlideRecord | None] = {}
_records_checked: dict[int, float] = {}
_records_lock = threading.Lock()


def _query_record(slide_id: int) -> SlideRecord | None:
    """Blocking: one query."""
    row = (
        Slide.objects.filter(pk=slide_id, status=Slide.Status.READY)
        .values_list("version", "file_path")
        .first()
    )
    if row is None:
        return None
    version, file_path = row
    try:
        path = resolve_slide_path(file_path)
    except SlideFileError as e:
        logger.error("slide %s: %s", slide_id, e)
        return None
    return SlideRecord(slide_id, version, path, time.monotonic())


def cached_record(slide_id: int) -> tuple[bool, SlideRecord | None]:
    """(fresh, record) from memory only: safe on the event loop."""
    checked = _records_checked.get(slide_id)
    if checked is None or time.monotonic() - checked > RECORD_TTL:
        return False, None
    return True, _records.get(slide_id)


_refreshing: dict[int, Future[SlideRecord | None]] = {}


def _refresh(slide_id: int) -> SlideRecord | None:
    record = _query_record(slide_id)
    with _records_lock:
        old = _records.get(slide_id)
        _records[slide_id] = record
        _records_checked[slide_id] = time.monotonic()
    if old is not None and (record is None or record.version != old.version):
        handles().forget(slide_id)
    return record


def _refresh_future(slide_id: int) -> Future[SlideRecord | None]:
    """One database lookup per slide at a time, however many requests want it."""
    with _records_lock:
        fut = _refreshing.get(slide_id)
        if fut is None:
            fut = io_executor().submit(in_pool, _refresh, slide_id)
            _refreshing[slide_id] = fut
    fut.add_done_callback(lambda _: _refreshing.pop(slide_id, None))
    return fut


def lookup_slide(slide_id: int) -> SlideRecord | None:
    """Blocking: the ready slide's current version and file, or None."""
    fresh, record = cached_record(slide_id)
    if fresh:
        return record
    return _refresh_future(slide_id).result()


async def alookup_slide(slide_id: int) -> SlideRecord | None:
    """The slide's record without waiting when one is known.

    A known but stale record is returned at once while one refresh runs in
    the background (so a replaced slide is noticed within about RECORD_TTL,
    and tiles keep flowing if the database hiccups); only a slide this
    process has never looked up waits for the query.
    """
    checked = _records_checked.get(slide_id)
    if checked is not None:
        if time.monotonic() - checked > RECORD_TTL:
            _refresh_future(slide_id)
        return _records.get(slide_id)
    return await asyncio.wrap_future(_refresh_future(slide_id))


def forget_slide(slide_id: int) -> None:
    """Drop what this process knows about a slide (call after replacing its file)."""
    with _records_lock:
        _records.pop(slide_id, None)
        _records_checked.pop(slide_id, None)
    handles().forget(slide_id)


# --------------------------------------------------------------------------
# Open slides


@dataclass(eq=False)
class SlideHandle:
    record: SlideRecord
    osr: openslide.AbstractSlide
    dz: DeepZoomGenerator
    level_tiles: tuple[tuple[int, int], ...] = field(init=False)
    level_dimensions: tuple[tuple[int, int], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.level_tiles = self.dz.level_tiles
        self.level_dimensions = self.dz.level_dimensions

    def tile_in_range(self, level: int, col: int, row: int) -> bool:
        if not 0 <= level < len(self.level_tiles):
            return False
        cols, rows = self.level_tiles[level]
        return 0 <= col < cols and 0 <= row < rows


def open_handle(record: SlideRecord) -> SlideHandle:
    try:
        osr = openslide.OpenSlide(record.path)
    except (openslide.OpenSlideError, OSError) as e:
        logger.error("slide %s: cannot open %s: %s", record.slide_id, record.path, e)
        raise TileNotFound("slide file cannot be read") from e
    dz = DeepZoomGenerator(
        osr, tile_size=settings.TILE_SIZE, overlap=settings.TILE_OVERLAP, limit_bounds=True
    )
    return SlideHandle(record, osr, dz)


class SlideHandles:
    """A bounded, locked LRU of open slides keyed by (slide id, version).

    Evicted handles are not closed explicitly: a thread may still be reading
    from one, and OpenSlide closes the file when the last reference goes.
    Concurrent misses for one slide share one open (the first caller opens,
    the others wait for it); a failed open reaches them all and is not kept.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[int, int], SlideHandle] = OrderedDict()
        self._opening: dict[tuple[int, int], Future[SlideHandle]] = {}
        self._lock = threading.Lock()
        self.opened = 0

    def peek(self, slide_id: int, version: int) -> SlideHandle | None:
        with self._lock:
            return self._items.get((slide_id, version))

    def get(self, record: SlideRecord) -> SlideHandle:
        """Blocking on a miss (opens the file). Call from a worker thread."""
        key = (record.slide_id, record.version)
        with self._lock:
            handle = self._items.get(key)
            if handle is not None:
                self._items.move_to_end(key)
                return handle
            opening = self._opening.get(key)
            if opening is None:
                opening = self._opening[key] = Future()
                opening.set_running_or_notify_cancel()
                mine = True
            else:
                mine = False
        if not mine:
            return opening.result()
        try:
            handle = open_handle(record)  # outside the lock: opening can be slow
        except BaseException as e:
            with self._lock:
                del self._opening[key]
            opening.set_exception(e)
            raise
        with self._lock:
            del self._opening[key]
            self.opened += 1
            self._items[key] = handle
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        opening.set_result(handle)
        return handle

    def discard(self, handle: SlideHandle) -> None:
        """Drop this handle (OpenSlide errors are sticky: the next request reopens)."""
        key = (handle.record.slide_id, handle.record.version)
        with self._lock:
            if self._items.get(key) is handle:
                del self._items[key]

    def forget(self, slide_id: int) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == slide_id]:
                del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_handles: SlideHandles | None = None


def handles() -> SlideHandles:
    global _handles
    if _handles is None:
        with _records_lock:
            if _handles is None:
                _handles = SlideHandles(settings.TILE_SLIDE_HANDLES)
    return _handles


def handle_for(slide_id: int, version: int) -> SlideHandle:
    """Blocking: the open handle for this slide version, or TileNotFound."""
    handle = handles().peek(slide_id, version)
    if handle is not None:
        return handle
    record = lookup_slide(slide_id)
    if record is None:
        raise TileNotFound("no such slide")
    if record.version != version:
        raise TileNotFound("stale slide version: fetch the slide's info.json again")
    return handles().get(record)


def reset_state() -> None:
    """Forget records and open handles (tests, settings changes)."""
    with _records_lock:
        _records.clear()
        _records_checked.clear()
    if _handles is not None:
        _handles.clear()


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    global _handles
    if setting in {"TILE_SIZE", "TILE_OVERLAP", "TILE_QUALITY", "SLIDE_STORAGE_ROOT"}:
        reset_state()
    if setting == "TILE_SLIDE_HANDLES":
        _handles = None


setting_changed.connect(_on_setting_changed)

"""Prewarm: fill the tile cache before students ask (see docs/tiles.md, "Prewarm").

* ``tiles_for_view`` lists every Deep Zoom tile an OpenSeadragon viewer of a
  given size requests for a view (centre, zoom, rotation), plus a margin, on
  the target level and every coarser level (the ones it loads on the way).
* ``prewarm_tiles`` fills the cache with those tiles through the same
  coalesced path as live requests (cached tiles are skipped), keeping at most
  ``max_in_flight`` of them queued on the tile pool.
* ``prewarm_slide`` warms a whole slide or a region (``manage.py
  prewarm_slide`` and the ``prewarm_slide`` background job, queued with
  ``enqueue_slide_prewarm``), reporting progress.
* ``request_view_prewarm`` is the non-blocking entry point for realtime: it
  records the latest view per slide and returns at once; a small background
  pool does the work one tile at a time, so live requests never queue behind
  more than a couple of prewarm tiles.

Coordinates follow docs/architecture.md: ``x``, ``y`` are the view centre in
image (level-0) pixels, ``zoom`` is screen pixels per image pixel and
``rotation`` is degrees clockwise.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from pydantic import BaseModel, ConfigDict, ValidationError

from slides.jobs import PermanentJobError, Progress, enqueue_job, register_job
from slides.models import Job
from slides.tilecache import TileKey, get_tile_cache, tile_cache_key
from slides.tiles.errors import TileNotFound
from slides.tiles.fetch import tile_future
from slides.tiles.handles import SlideHandle, handles, lookup_slide
from slides.tiles.render import reads

logger = logging.getLogger(__name__)

Tile = tuple[int, int, int]  # (level, col, row)

PREWARM_WORKERS = 2
# OpenSeadragon draws a level while its pixels are at least this many screen
# pixels wide (its ``minPixelRatio`` default).
MIN_PIXEL_RATIO = 0.5


@dataclass(frozen=True, slots=True)
class DzGeometry:
    """The Deep Zoom pyramid: level sizes (coarsest first) and the tile size."""

    level_dimensions: tuple[tuple[int, int], ...]
    tile_size: int

    @classmethod
    def for_size(cls, width: int, height: int, tile_size: int) -> DzGeometry:
        """Same halving rule as openslide's DeepZoomGenerator."""
        dims = [(width, height)]
        w, h = width, height
        while w > 1 or h > 1:
            w, h = max(1, math.ceil(w / 2)), max(1, math.ceil(h / 2))
            dims.append((w, h))
        return cls(tuple(reversed(dims)), tile_size)

    @classmethod
    def for_handle(cls, handle: SlideHandle) -> DzGeometry:
        return cls(handle.level_dimensions, settings.TILE_SIZE)

    @property
    def max_level(self) -> int:
        return len(self.level_dimensions) - 1

    def level_tiles(self, level: int) -> tuple[int, int]:
        w, h = self.level_dimensions[level]
        return math.ceil(w / self.tile_size), math.ceil(h / self.tile_size)

    def scale(self, level: int) -> float:
        """Level pixels per image pixel."""
        return 1.0 / (1 << (self.max_level - level))


def target_level(geometry: DzGeometry, zoom: float) -> int:
    """The finest level OpenSeadragon draws at ``zoom`` (screen px per image px)."""
    best = 0
    for level in range(geometry.max_level + 1):
        if zoom / geometry.scale(level) >= MIN_PIXEL_RATIO - 1e-9:
            best = level
    return best


def _tile_range(
    lo: float, hi: float, tile_size: int, extent: int, count: int, margin: int
) -> range:
    """Tiles meeting [lo, hi) (level pixels) on a level ``extent`` pixels long, plus margin."""
    if lo - margin * tile_size >= extent or hi + margin * tile_size <= 0:
        return range(0)
    first = math.floor(lo / tile_size) - margin
    last = math.ceil(hi / tile_size) - 1 + margin
    return range(max(0, first), min(count - 1, last) + 1)


def _tiles_in_rect(
    geometry: DzGeometry,
    levels: Iterable[int],
    rect: tuple[float, float, float, float],
    margin: int,
) -> list[Tile]:
    left, top, right, bottom = rect
    tiles: list[Tile] = []
    for level in levels:
        s = geometry.scale(level)
        cols, rows = geometry.level_tiles(level)
        width, height = geometry.level_dimensions[level]
        ts = geometry.tile_size
        for row in _tile_range(top * s, bottom * s, ts, height, rows, margin):
            for col in _tile_range(left * s, right * s, ts, width, cols, margin):
                tiles.append((level, col, row))
    return tiles


def tiles_for_view(
    geometry: DzGeometry,
    x: float,
    y: float,
    zoom: float,
    rotation: float,
    viewer_width: int,
    viewer_height: int,
    margin_tiles: int = 1,
) -> list[Tile]:
    """Every tile a viewer of that size requests for that view, plus a margin.

    The visible area is the viewer rectangle (viewer px / zoom) rotated about
    the centre; OpenSeadragon loads the tiles under its bounding box on the
    target level and on every coarser level. Ordered coarse to fine, and
    centre-out within a level, which is the order they are useful in.
    """
    values = (x, y, zoom, rotation)
    if not all(math.isfinite(v) for v in values):
        raise ValueError("view values must be finite numbers")
    if zoom <= 0 or viewer_width <= 0 or viewer_height <= 0 or margin_tiles < 0:
        raise ValueError("zoom and viewer size must be positive, margin non-negative")
    theta = math.radians(rotation)
    cos, sin = abs(math.cos(theta)), abs(math.sin(theta))
    half_w = (viewer_width * cos + viewer_height * sin) / (2 * zoom)
    half_h = (viewer_width * sin + viewer_height * cos) / (2 * zoom)
    rect = (x - half_w, y - half_h, x + half_w, y + half_h)
    target = target_level(geometry, zoom)
    tiles = _tiles_in_rect(geometry, range(target + 1), rect, margin_tiles)

    def priority(tile: Tile) -> tuple[int, float]:
        level, col, row = tile
        s = geometry.scale(level)
        ts = geometry.tile_size
        return level, math.hypot((col + 0.5) * ts - x * s, (row + 0.5) * ts - y * s)

    return sorted(tiles, key=priority)


def tiles_for_region(
    geometry: DzGeometry,
    region: tuple[float, float, float, float] | None = None,
    levels: tuple[int, int] | None = None,
) -> list[Tile]:
    """Every tile covering ``region`` (x, y, w, h in image px; default all) on ``levels``."""
    width, height = geometry.level_dimensions[-1]
    x, y, w, h = region if region is not None else (0, 0, width, height)
    if w <= 0 or h <= 0:
        raise ValueError("region width and height must be positive")
    first, last = levels if levels is not None else (0, geometry.max_level)
    if not 0 <= first <= last <= geometry.max_level:
        raise ValueError(f"levels must lie within 0-{geometry.max_level}")
    return _tiles_in_rect(geometry, range(first, last + 1), (x, y, x + w, y + h), 0)


# --------------------------------------------------------------------------
# Filling the cache


@dataclass
class PrewarmStats:
    requested: int = 0
    already_cached: int = 0
    rendered: int = 0
    failed: int = 0
    seconds: float = 0.0

    @property
    def tiles_per_second(self) -> float:
        return self.requested / self.seconds if self.seconds > 0 else 0.0


def prewarm_tiles(
    slide_id: int, version: int, tiles: Iterable[Tile], *, max_in_flight: int = 1
) -> PrewarmStats:
    """Blocking: fill the cache with ``tiles``, at most ``max_in_flight`` queued at once.

    Tiles already in the in-process cache are skipped; tiles in memcached are
    found there by the coalesced fetch and not rendered again.
    """
    stats = PrewarmStats()
    cache = get_tile_cache()
    reads_before = reads.value
    started = time.monotonic()
    pending: deque[Future[bytes]] = deque()

    def settle(fut: Future[bytes]) -> None:
        try:
            fut.result()
        except TileNotFound:
            stats.failed += 1

    for level, col, row in tiles:
        stats.requested += 1
        key = TileKey(slide_id, version, level, col, row)
        if cache.get_local(tile_cache_key(key)) is not None:
            stats.already_cached += 1
            continue
        pending.append(tile_future(key))
        while len(pending) >= max(1, max_in_flight):
            settle(pending.popleft())
    while pending:
        settle(pending.popleft())
    stats.seconds = time.monotonic() - started
    stats.rendered = reads.value - reads_before
    if cache.local is None or cache.remote is not None:
        # Without L1 (or with memcached) a cached tile is only known after a lookup.
        stats.already_cached = stats.requested - stats.rendered - stats.failed
    return stats


def slide_geometry(slide_id: int) -> tuple[int, DzGeometry] | None:
    """Blocking: (current version, geometry) of a ready slide, or None."""
    record = lookup_slide(slide_id)
    if record is None:
        return None
    handle = handles().get(record)
    return record.version, DzGeometry.for_handle(handle)


def prewarm_view(
    slide_id: int,
    *,
    x: float,
    y: float,
    zoom: float,
    rotation: float = 0.0,
    viewer_width: int = 1920,
    viewer_height: int = 1080,
    margin_tiles: int = 1,
    max_in_flight: int = 1,
) -> PrewarmStats:
    """Blocking: warm one view now (``request_view_prewarm`` is the async-safe way)."""
    found = slide_geometry(slide_id)
    if found is None:
        raise TileNotFound("no such slide")
    version, geometry = found
    tiles = tiles_for_view(
        geometry, x, y, zoom, rotation, viewer_width, viewer_height, margin_tiles
    )
    return prewarm_tiles(slide_id, version, tiles, max_in_flight=max_in_flight)


def prewarm_slide(
    slide_id: int,
    *,
    region: tuple[int, int, int, int] | None = None,
    levels: tuple[int, int] | None = None,
    max_in_flight: int = 1,
    progress: Callable[[float], None] | None = None,
    chunk: int = 256,
) -> PrewarmStats:
    """Blocking: warm a whole slide (or a region, on some levels), coarse levels first.

    Raises TileNotFound for a missing or unready slide and ValueError for a
    region or level range that does not fit the slide.
    """
    found = slide_geometry(slide_id)
    if found is None:
        raise TileNotFound("no such slide, or it is not ready")
    version, geometry = found
    tiles = tiles_for_region(geometry, region, levels)
    total = PrewarmStats()
    started = time.monotonic()
    for start in range(0, len(tiles), chunk):
        part = prewarm_tiles(
            slide_id, version, tiles[start : start + chunk], max_in_flight=max_in_flight
        )
        total.requested += part.requested
        total.already_cached += part.already_cached
        total.rendered += part.rendered
        total.failed += part.failed
        if progress is not None:
            progress(total.requested / len(tiles))
    total.seconds = time.monotonic() - started
    return total


class SlidePrewarmPayload(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    slide_id: int
    region: tuple[int, int, int, int] | None = None
    levels: tuple[int, int] | None = None


def enqueue_slide_prewarm(
    slide_id: int,
    *,
    region: tuple[int, int, int, int] | None = None,
    levels: tuple[int, int] | None = None,
) -> Job:
    """Queue a whole-slide (or region) prewarm as a durable background job."""
    payload = SlidePrewarmPayload(slide_id=slide_id, region=region, levels=levels)
    return enqueue_job("prewarm_slide", payload.model_dump(mode="json"), slide_id=slide_id)


@register_job("prewarm_slide")
def _prewarm_slide_job(job: Job, progress: Progress) -> None:
    try:
        # JSON mode: strict types, and JSON arrays are accepted as tuples.
        payload = SlidePrewarmPayload.model_validate_json(json.dumps(job.payload))
    except ValidationError as e:
        raise PermanentJobError(f"bad prewarm payload: {e.errors()[0]['msg']}") from None
    # In the web process (embedded default) live tiles share the pool: one at a time.
    in_flight = 1 if settings.SCOPECAST_INPROCESS_WORKER else 2 * settings.TILE_WORKERS
    try:
        stats = prewarm_slide(
            payload.slide_id,
            region=payload.region,
            levels=payload.levels,
            max_in_flight=in_flight,
            # 1.0 comes last, with the summary (Progress skips repeated values).
            progress=lambda f: progress(min(f, 0.99)),
        )
    except (TileNotFound, ValueError) as e:
        raise PermanentJobError(f"slide {payload.slide_id}: {e}") from e
    progress(
        1.0,
        f"{stats.requested} tiles, {stats.rendered} rendered, {stats.already_cached} cached, "
        f"{stats.failed} failed, {stats.tiles_per_second:.0f} tiles/s",
    )


# --------------------------------------------------------------------------
# The background entry point


@dataclass(frozen=True, slots=True)
class ViewRequest:
    slide_id: int
    x: float
    y: float
    zoom: float
    rotation: float
    viewer_width: int
    viewer_height: int

    def dedup_key(self) -> tuple[int, int, int, float, float, int, int]:
        return (
            self.slide_id,
            round(self.x),
            round(self.y),
            float(f"{self.zoom:.4g}"),
            round(self.rotation % 360, 1),
            self.viewer_width,
            self.viewer_height,
        )


class _Prewarmer:
    """Latest view wins per slide; one queued job per slide; identical views deduplicated."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending: dict[int, ViewRequest] = {}
        self._running: dict[int, ViewRequest] = {}
        self._scheduled: set[int] = set()
        self._pool: ThreadPoolExecutor | None = None
        self.completed = 0

    def request(self, req: ViewRequest) -> bool:
        with self._lock:
            key = req.dedup_key()
            pending = self._pending.get(req.slide_id)
            running = self._running.get(req.slide_id)
            if (pending and pending.dedup_key() == key) or (
                running and not pending and running.dedup_key() == key
            ):
                return False
            self._pending[req.slide_id] = req
            if req.slide_id in self._scheduled:
                return True
            self._scheduled.add(req.slide_id)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(PREWARM_WORKERS, thread_name_prefix="tile-prewarm")
            self._pool.submit(self._run, req.slide_id)
            return True

    def _run(self, slide_id: int) -> None:
        while True:
            with self._lock:
                req = self._pending.pop(slide_id, None)
                if req is None:
                    self._scheduled.discard(slide_id)
                    self._running.pop(slide_id, None)
                    self._idle.notify_all()
                    return
                self._running[slide_id] = req
            try:
                stats = prewarm_view(
                    req.slide_id,
                    x=req.x,
                    y=req.y,
                    zoom=req.zoom,
                    rotation=req.rotation,
                    viewer_width=req.viewer_width,
                    viewer_height=req.viewer_height,
                )
                logger.debug("prewarmed slide %s: %s", slide_id, stats)
            except TileNotFound as e:
                logger.info("prewarm of slide %s skipped: %s", slide_id, e)
            except Exception:  # a background job must never die silently
                logger.exception("prewarm of slide %s failed", slide_id)
            finally:
                connections.close_all()  # this pool thread outlives any request
            with self._lock:
                self.completed += 1

    def wait_idle(self, timeout: float) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: not self._scheduled, timeout)


_prewarmer = _Prewarmer()


def request_view_prewarm(
    slide_id: int,
    *,
    x: float,
    y: float,
    zoom: float,
    rotation: float = 0.0,
    viewer_width: int = 1920,
    viewer_height: int = 1080,
) -> None:
    """Warm the tiles of this view (plus a margin) in the background; returns at once.

    Thread-safe and safe on the event loop (no I/O here). Invalid numbers are
    ignored with a log line: a bad view must never break the caller.
    """
    values = (x, y, zoom, rotation)
    if not all(math.isfinite(v) for v in values) or zoom <= 0:
        logger.info("prewarm of slide %s ignored: invalid view %r", slide_id, values)
        return
    if viewer_width <= 0 or viewer_height <= 0:
        logger.info("prewarm of slide %s ignored: invalid viewer size", slide_id)
        return
    _prewarmer.request(
        ViewRequest(slide_id, x, y, zoom, rotation, int(viewer_width), int(viewer_height))
    )


def wait_for_prewarm(timeout: float = 30.0) -> bool:
    """Block until no prewarm is pending or running (tests, shutdown)."""
    return _prewarmer.wait_idle(timeout)

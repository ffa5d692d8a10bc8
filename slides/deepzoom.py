"""Deep Zoom tile production: slide handles, JPEG encoding, coalesced reads.

See docs/tiles.md for the whole tile path. In short:

* ``lookup_slide`` maps a slide id to its current version and file, from
  memory when fresh (``RECORD_TTL`` seconds), else with one query on the I/O
  pool. There is no database query per tile.
* ``SlideHandles`` is a bounded, locked LRU of open ``OpenSlide`` objects and
  their ``DeepZoomGenerator``, keyed by (slide id, version).
* ``fetch_future`` coalesces concurrent requests for the same cache key: the
  first caller starts one job (a memcached lookup queued to the cache's
  batcher thread, then read and encode on the tile pool, then a cache fill
  queued the same way) and every caller, from the event loop or from a
  prewarm thread, waits on the same future.

Nothing here blocks the event loop: OpenSlide reads and JPEG encoding run on
a bounded thread pool (``TILE_WORKERS``), memcached I/O on the tile cache's
batcher thread, database lookups on a small I/O pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import io
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import openslide
from django.conf import settings
from django.core.signals import setting_changed
from django.db import connections
from openslide.deepzoom import DeepZoomGenerator
from PIL import Image

from slides.models import Slide
from slides.tilecache import TileKey, get_tile_cache, image_cache_key, tile_cache_key

logger = logging.getLogger(__name__)
T = TypeVar("T")

# How long a process trusts what it knows about a slide's version and file
# before asking the database again. Bounds how long a replaced slide's old
# version keeps being served by a process that had it open.
RECORD_TTL = 5.0
IO_WORKERS = 2
TILE_FORMATS = frozenset({"jpeg"})


class TileNotFound(Exception):
    """The tile, image or slide does not exist (maps to 404); message is client-safe."""


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
            fut = io_executor().submit(_in_pool, _refresh, slide_id)
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


def _in_pool(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` on one of our pool threads, then close that thread's DB connections.

    Pool threads live forever and Django only recycles connections around
    requests, so a connection opened here would otherwise stay open (and keep
    a test database busy). Lookups are rare (once per RECORD_TTL per slide).
    """
    try:
        return fn(*args)
    finally:
        connections.close_all()


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


# --------------------------------------------------------------------------
# JPEG


_fallback_warned = False
_warn_lock = threading.Lock()


class JpegEncoder:
    """TurboJPEG (4:2:0) when libturbojpeg loads, else Pillow (4:2:0), warning once."""

    def __init__(self, quality: int, *, turbojpeg_lib: str | None = None) -> None:
        self.quality = quality
        self._turbo: Any = None
        self._tjpf_rgb = 0
        self._tjpf_rgba = 0
        self._tjpf_native_argb = 0
        self._tjsamp_420 = 0
        self._lean: tuple[Any, Any, Any] | None = None
        self._threads = threading.local()
        try:
            import turbojpeg

            self._turbo = turbojpeg.TurboJPEG(turbojpeg_lib)
            # PyTurboJPEG's own ctypes bindings of tjInitCompress/tjCompress2
            # (private; without them encode_opaque_argb takes encode()).
            init = getattr(self._turbo, "_TurboJPEG__init_compress", None)
            compress = getattr(self._turbo, "_TurboJPEG__compress", None)
            destroy = getattr(self._turbo, "_TurboJPEG__destroy", None)
            if init is not None and compress is not None and destroy is not None:
                self._lean = (init, compress, destroy)
            self._tjpf_rgb = turbojpeg.TJPF_RGB
            self._tjpf_rgba = turbojpeg.TJPF_RGBA
            # A native uint32 ARGB pixel's bytes in memory.
            little = sys.byteorder == "little"
            self._tjpf_native_argb = turbojpeg.TJPF_BGRA if little else turbojpeg.TJPF_ARGB
            self._tjsamp_420 = turbojpeg.TJSAMP_420
        except (OSError, RuntimeError, ImportError) as e:
            _warn_fallback(e)

    @property
    def backend(self) -> str:
        return "turbojpeg" if self._turbo is not None else "pillow"

    def encode(self, image: Image.Image) -> bytes:
        if image.mode != "RGB":
            image = image.convert("RGB")
        if self._turbo is not None:
            data: bytes = self._turbo.encode(
                np.asarray(image),
                quality=self.quality,
                pixel_format=self._tjpf_rgb,
                jpeg_subsample=self._tjsamp_420,
            )
            return data
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=self.quality, subsampling=2)  # 2 = 4:2:0
        return buf.getvalue()

    def encode_opaque_rgba(self, image: Image.Image) -> bytes | None:
        """``encode(image)`` for an RGBA image whose every pixel is opaque, else None.

        libjpeg-turbo reads the RGBA pixels as they are (it ignores the fourth
        byte), so the bytes equal those of the RGB image compositing would
        give, without compositing or repacking. None when a pixel is not fully
        opaque, or without libjpeg-turbo: the caller takes the general path.
        """
        if self._turbo is None or image.mode != "RGBA":
            return None
        pixels = np.asarray(image)
        # R, G, B, A bytes read as a little-endian uint32: alpha is the top byte.
        if not _all_opaque(pixels.view("<u4")):
            return None
        data: bytes = self._turbo.encode(
            pixels,
            quality=self.quality,
            pixel_format=self._tjpf_rgba,
            jpeg_subsample=self._tjsamp_420,
        )
        return data

    def encode_opaque_argb(self, pixels: np.ndarray) -> bytes | None:
        """The JPEG of OpenSlide's own pixels when every one is opaque, else None.

        ``pixels`` is what ``openslide_read_region`` writes: one native-endian
        uint32 a pixel, premultiplied ARGB, shape (height, width). Opaque
        premultiplied pixels are plain RGB, and libjpeg-turbo reads the
        buffer in place (B, G, R, A bytes on little-endian machines).
        """
        if self._turbo is None or not _all_opaque(pixels):
            return None
        height, width = pixels.shape
        lean = self._lean_compress(pixels, width, height)
        if lean is not None:
            return lean
        data: bytes = self._turbo.encode(
            pixels.view(np.uint8).reshape(height, width, 4),
            quality=self.quality,
            pixel_format=self._tjpf_native_argb,
            jpeg_subsample=self._tjsamp_420,
        )
        return data

    def _lean_compress(self, pixels: np.ndarray, width: int, height: int) -> bytes | None:
        """``TurboJPEG.encode`` of native ARGB pixels in one call into the library.

        ``encode`` makes five: it creates and destroys a compressor, and
        copies and frees libjpeg-turbo's output buffer. Each call releases
        and retakes the GIL, which in a busy server is a wait behind the
        event loop. Here each tile thread keeps its compressor and an output
        buffer large enough that libjpeg-turbo never reallocates it
        (TJFLAG_NOREALLOC), and the bytes are copied out without releasing
        the GIL. None (the caller uses ``encode``) without the bindings, or
        if libjpeg-turbo reports an error.
        """
        if self._lean is None or not pixels.flags.c_contiguous:
            return None
        init, compress, destroy = self._lean
        local = self._threads
        compressor: _Compressor | None = getattr(local, "compressor", None)
        if compressor is None:
            compressor = local.compressor = _Compressor(init(), destroy)
        if not compressor.handle:
            return None
        need = width * height * 4 + 4096  # above tjBufSize for any subsampling
        out = compressor.out
        if out is None or len(out) < need:
            out = compressor.out = (ctypes.c_ubyte * need)()
        jpeg_buf = ctypes.c_void_p(ctypes.addressof(out))
        jpeg_size = ctypes.c_ulong(len(out))
        status = compress(
            compressor.handle,
            pixels.ctypes.data_as(ctypes.POINTER(ctypes.c_ubyte)),
            width,
            width * 4,
            height,
            self._tjpf_native_argb,
            ctypes.byref(jpeg_buf),
            ctypes.byref(jpeg_size),
            self._tjsamp_420,
            self.quality,
            _TJFLAG_NOREALLOC,
        )
        if status != 0 or jpeg_buf.value != ctypes.addressof(out):
            return None
        return ctypes.string_at(jpeg_buf.value, jpeg_size.value)


# libjpeg-turbo's flag: fail rather than reallocate the caller's output buffer.
_TJFLAG_NOREALLOC = 1024


class _Compressor:
    """One thread's libjpeg-turbo compressor and output buffer, destroyed with it."""

    def __init__(self, handle: int | None, destroy: Callable[[int], int]) -> None:
        self.handle = handle
        self.out: ctypes.Array[ctypes.c_ubyte] | None = None
        self._destroy = destroy

    def __del__(self) -> None:
        if self.handle:
            self._destroy(self.handle)


def _all_opaque(argb: np.ndarray) -> bool:
    """Every uint32 pixel has alpha (the top byte) 255."""
    return bool(argb.min() >= 0xFF000000)


def _warn_fallback(error: Exception) -> None:
    global _fallback_warned
    with _warn_lock:
        if _fallback_warned:
            return
        _fallback_warned = True
    logger.warning("libturbojpeg unavailable (%s); encoding tiles with Pillow", error)


_encoder: JpegEncoder | None = None


def encoder() -> JpegEncoder:
    global _encoder
    enc = _encoder
    if enc is None or enc.quality != settings.TILE_QUALITY:
        enc = _encoder = JpegEncoder(settings.TILE_QUALITY)
    return enc


# --------------------------------------------------------------------------
# Rendering (blocking; runs on the tile pool)


class _Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self) -> None:
        with self._lock:
            self.value += 1


# Reads from OpenSlide (tiles, thumbnails, associated images) in this process.
reads = _Counter()


def _library_call(handle: SlideHandle, fn: Callable[[], T], what: str) -> T:
    try:
        return fn()
    except (ValueError, KeyError) as e:
        raise TileNotFound(f"no such {what}") from e
    except openslide.OpenSlideError as e:
        logger.error("slide %s: OpenSlide failed reading %s: %s", handle.record.slide_id, what, e)
        handles().discard(handle)
        raise TileNotFound(f"{what} cannot be read") from e


def _get_tile(handle: SlideHandle, level: int, col: int, row: int) -> Image.Image:
    return _library_call(handle, lambda: handle.dz.get_tile(level, (col, row)), "tile")


def render_tile_image(handle: SlideHandle, level: int, col: int, row: int) -> Image.Image:
    """The tile's RGB pixels, exactly ``DeepZoomGenerator.get_tile``."""
    reads.add()
    return _get_tile(handle, level, col, row)


# openslide-python's ctypes binding of openslide_read_region, which fills a
# buffer with OpenSlide's ARGB pixels; OpenSlide.read_region adds an
# un-premultiplying copy and a PIL image around it. Private, so looked up
# once: without it (another openslide-python) tiles take read_region's path.
_read_argb_into: Callable[..., None] | None = getattr(openslide.lowlevel, "_read_region", None)


def read_argb(
    osr: openslide.AbstractSlide, location: tuple[int, int], level: int, size: tuple[int, int]
) -> np.ndarray | None:
    """OpenSlide's pixels for a region as (height, width) native uint32 ARGB, or None.

    None for slides that are not OpenSlide files (``ImageSlide``) or when
    openslide-python lacks the binding; raises OpenSlideError like read_region.
    """
    low = getattr(osr, "_osr", None)
    if _read_argb_into is None or low is None or not isinstance(osr, openslide.OpenSlide):
        return None
    width, height = size
    buf = (width * height * ctypes.c_uint32)()
    _read_argb_into(low, buf, location[0], location[1], level, width, height)
    return np.frombuffer(memoryview(buf), dtype=np.uint32).reshape(height, width)


def _direct_jpeg(
    handle: SlideHandle,
    enc: JpegEncoder,
    location: tuple[int, int],
    level: int,
    size: tuple[int, int],
) -> bytes | None:
    """The region's JPEG straight from OpenSlide's pixels, or None if one is not opaque."""
    argb = read_argb(handle.osr, location, level, size)
    if argb is not None:
        return enc.encode_opaque_argb(argb)
    return enc.encode_opaque_rgba(handle.osr.read_region(location, level, size))


def render_tile_jpeg(handle: SlideHandle, level: int, col: int, row: int) -> bytes:
    """The tile's JPEG: byte for byte ``encode(DeepZoomGenerator.get_tile(...))``.

    ``get_tile`` reads an RGBA region, composites it onto the background and
    scales it to the tile size. For most tiles (an unscaled level, no
    transparent pixel) both steps change nothing, so OpenSlide's own buffer
    goes straight to libjpeg-turbo: no un-premultiplying copy, no PIL image,
    no compositing, no RGB repack, and fewer GIL hand-offs, which is what
    costs most in a busy server (docs/tiles.md, "Rendering"). A scaled level,
    a transparent pixel or the Pillow encoder take the ``get_tile`` path;
    tests/tiles/test_pixels.py holds the paths to equal bytes.
    """
    dz = handle.dz
    enc = encoder()
    if enc.backend == "turbojpeg":
        location, slide_level, size = dz.get_tile_coordinates(level, (col, row))
        if size == dz.get_tile_dimensions(level, (col, row)):
            reads.add()
            data = _library_call(
                handle, lambda: _direct_jpeg(handle, enc, location, slide_level, size), "tile"
            )
            if data is not None:
                return data
            return enc.encode(_get_tile(handle, level, col, row))  # counted above
    return enc.encode(render_tile_image(handle, level, col, row))


def render_tile(key: TileKey) -> bytes:
    handle = handle_for(key.slide_id, key.version)
    if not handle.tile_in_range(key.level, key.col, key.row):
        raise TileNotFound("no such tile")
    return render_tile_jpeg(handle, key.level, key.col, key.row)


def render_thumbnail(slide_id: int, version: int, max_size: int) -> bytes:
    handle = handle_for(slide_id, version)
    reads.add()
    image = _library_call(
        handle, lambda: handle.osr.get_thumbnail((max_size, max_size)), "thumbnail"
    )
    return encoder().encode(image)


def render_associated(slide_id: int, version: int, name: str) -> bytes:
    handle = handle_for(slide_id, version)
    reads.add()
    image = _library_call(handle, lambda: handle.osr.associated_images[name], "associated image")
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, "#ffffff")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    return encoder().encode(image)


def dzi_xml(slide_id: int, version: int) -> str:
    return handle_for(slide_id, version).dz.get_dzi("jpeg")


# --------------------------------------------------------------------------
# Pools and coalescing


_tile_pool: ThreadPoolExecutor | None = None
_io_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def tile_executor() -> ThreadPoolExecutor:
    """The bounded pool (TILE_WORKERS) for OpenSlide reads and JPEG encodes."""
    global _tile_pool
    if _tile_pool is None:
        with _pool_lock:
            if _tile_pool is None:
                _tile_pool = ThreadPoolExecutor(settings.TILE_WORKERS, thread_name_prefix="tile")
    return _tile_pool


def io_executor() -> ThreadPoolExecutor:
    """A small pool for short blocking I/O: slide record lookups."""
    global _io_pool
    if _io_pool is None:
        with _pool_lock:
            if _io_pool is None:
                _io_pool = ThreadPoolExecutor(IO_WORKERS, thread_name_prefix="tile-io")
    return _io_pool


_inflight: dict[str, Future[bytes]] = {}
_inflight_lock = threading.Lock()


def fetch_future(cache_key: str, produce: Callable[[], bytes]) -> Future[bytes]:
    """The bytes for ``cache_key``: from memcached, else produced once and cached.

    Concurrent callers for the same key share one future (and one read).
    The future cannot be cancelled, so a client that goes away never cancels
    the work other waiters depend on.
    """
    with _inflight_lock:
        fut = _inflight.get(cache_key)
        if fut is not None:
            return fut
        fut = Future()
        fut.set_running_or_notify_cancel()
        _inflight[cache_key] = fut
    get_tile_cache().lookup(cache_key, lambda data: _looked_up(cache_key, produce, fut, data))
    return fut


def _finish(
    cache_key: str, fut: Future[bytes], data: bytes | None, error: BaseException | None
) -> None:
    with _inflight_lock:
        _inflight.pop(cache_key, None)
    if error is not None:
        fut.set_exception(error)
    else:
        assert data is not None
        fut.set_result(data)


def _looked_up(
    cache_key: str, produce: Callable[[], bytes], fut: Future[bytes], data: bytes | None
) -> None:
    """Memcached answered (on the batcher thread): finish, or render on the tile pool."""
    if data is not None:
        _finish(cache_key, fut, data, None)
    else:
        tile_executor().submit(_produce_stage, cache_key, produce, fut)


def _produce_stage(cache_key: str, produce: Callable[[], bytes], fut: Future[bytes]) -> None:
    try:
        data = _in_pool(produce)
    except BaseException as e:
        _finish(cache_key, fut, None, e)
        return
    get_tile_cache().store(cache_key, data)
    _finish(cache_key, fut, data, None)


def tile_future(key: TileKey, cache_key: str | None = None) -> Future[bytes]:
    ck = tile_cache_key(key) if cache_key is None else cache_key
    return fetch_future(ck, lambda: render_tile(key))


class _LoopInbox:
    """Finished tile futures handed to one event loop, one wake-up a batch.

    ``asyncio.wrap_future`` wakes the loop once per future (a write to its
    self-pipe from the finishing thread, a GIL hand-off, a loop iteration).
    Cold tiles finish hundreds a second, so they queue here and the loop is
    woken only when the inbox goes from empty to not empty.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._items: list[tuple[asyncio.Future[bytes], Future[bytes]]] = []
        self._lock = threading.Lock()

    def put(self, waiter: asyncio.Future[bytes], done: Future[bytes]) -> None:
        with self._lock:
            self._items.append((waiter, done))
            if len(self._items) > 1:
                return  # a drain is already scheduled
        # A closed loop (a finished test, a stopping server) has no waiters left.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        with self._lock:
            items, self._items = self._items, []
        for waiter, done in items:
            if waiter.done():  # the request went away
                continue
            error = done.exception()
            if error is not None:
                waiter.set_exception(error)
            else:
                waiter.set_result(done.result())


_inboxes: dict[asyncio.AbstractEventLoop, _LoopInbox] = {}
_inboxes_lock = threading.Lock()


def _inbox(loop: asyncio.AbstractEventLoop) -> _LoopInbox:
    inbox = _inboxes.get(loop)
    if inbox is None:
        with _inboxes_lock:
            for old in [lp for lp in _inboxes if lp.is_closed()]:
                del _inboxes[old]  # loops of finished tests or restarts
            inbox = _inboxes.setdefault(loop, _LoopInbox(loop))
    return inbox


async def await_bytes(fut: Future[bytes]) -> bytes:
    """Await a tile future from the event loop (batched wake-ups, see ``_LoopInbox``)."""
    if fut.done():
        return fut.result()
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[bytes] = loop.create_future()
    inbox = _inbox(loop)
    fut.add_done_callback(lambda done: inbox.put(waiter, done))
    return await waiter


async def get_tile_bytes(key: TileKey, cache_key: str | None = None) -> bytes:
    """The tile's JPEG bytes (cache, else a coalesced read). Raises TileNotFound."""
    ck = tile_cache_key(key) if cache_key is None else cache_key
    data = get_tile_cache().get_local(ck)
    if data is not None:
        return data
    return await await_bytes(tile_future(key, ck))


async def get_thumbnail_bytes(slide_id: int, version: int, max_size: int) -> bytes:
    ck = image_cache_key(slide_id, version, "th", str(max_size))
    data = get_tile_cache().get_local(ck)
    if data is not None:
        return data
    fut = fetch_future(ck, lambda: render_thumbnail(slide_id, version, max_size))
    return await await_bytes(fut)


async def get_associated_bytes(slide_id: int, version: int, name: str) -> bytes:
    ck = image_cache_key(slide_id, version, "a", name)
    data = get_tile_cache().get_local(ck)
    if data is not None:
        return data
    fut = fetch_future(ck, lambda: render_associated(slide_id, version, name))
    return await await_bytes(fut)


async def get_handle(slide_id: int, version: int) -> SlideHandle:
    """The open handle, opening the slide on the tile pool if needed (TileNotFound if not)."""
    handle = handles().peek(slide_id, version)
    if handle is not None:
        return handle
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(tile_executor(), _in_pool, handle_for, slide_id, version)


async def get_dzi(slide_id: int, version: int) -> str:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(tile_executor(), _in_pool, dzi_xml, slide_id, version)


def reset_state() -> None:
    """Forget records, handles and the encoder (tests, settings changes)."""
    global _encoder
    with _records_lock:
        _records.clear()
        _records_checked.clear()
    if _handles is not None:
        _handles.clear()
    _encoder = None


def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    global _handles
    if setting in {"TILE_SIZE", "TILE_OVERLAP", "TILE_QUALITY", "SLIDE_STORAGE_ROOT"}:
        reset_state()
    if setting == "TILE_SLIDE_HANDLES":
        _handles = None


setting_changed.connect(_on_setting_changed)

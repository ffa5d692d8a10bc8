"""Rendering tiles and images (blocking; runs on the tile pool).

See docs/tiles.md, "Rendering". ``render_tile_jpeg`` gives, byte for byte,
``encode(DeepZoomGenerator.get_tile(...))``, most tiles by a shorter road;
``render_thumbnail``, ``render_associated`` and ``dzi_xml`` serve the other
image endpoints. OpenSlide errors drop the handle (they are sticky) and
become ``TileNotFound``; ``reads`` counts OpenSlide reads in this process.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import openslide
from PIL import Image

from slides.tilecache import TileKey
from slides.tiles.errors import TileNotFound
from slides.tiles.handles import SlideHandle, handle_for, handles
from slides.tiles.jpeg import JpegEncoder, encoder

logger = logging.getLogger(__name__)
T = TypeVar("T")

TILE_FORMATS = frozenset({"jpeg"})


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

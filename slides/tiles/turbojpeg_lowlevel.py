"""A JPEG encode in one call into libjpeg-turbo, through PyTurboJPEG's private bindings.

``TurboJPEG.encode`` makes five calls into the library for one image: it
creates and destroys a compressor, and copies and frees libjpeg-turbo's
output buffer. Each call releases and retakes the GIL, which in a busy
server is a wait behind the event loop (docs/tiles.md, "Rendering").
``LeanCompressor`` makes one: each tile thread keeps its own compressor and
an output buffer large enough that libjpeg-turbo never reallocates it
(``TJFLAG_NOREALLOC``), and the bytes are copied out without releasing the
GIL.

It calls PyTurboJPEG's own ctypes bindings of ``tjInitCompress``,
``tjCompress2`` and ``tjDestroy``, which are private (name-mangled
attributes of ``TurboJPEG``): ``LeanCompressor.bind`` returns None when a
PyTurboJPEG release lacks them, and the encoder then uses ``encode``.
tests/tiles/test_pixels.py holds both roads to equal bytes.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

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


class LeanCompressor:
    """``TurboJPEG.encode`` of uint32 pixels in one call, with fixed format and quality."""

    def __init__(
        self,
        bindings: tuple[Any, Any, Any],
        *,
        pixel_format: int,
        subsampling: int,
        quality: int,
    ) -> None:
        self._bindings = bindings
        self.pixel_format = pixel_format
        self.subsampling = subsampling
        self.quality = quality
        self._threads = threading.local()

    @classmethod
    def bind(
        cls, turbo: Any, *, pixel_format: int, subsampling: int, quality: int
    ) -> LeanCompressor | None:
        """A compressor over ``turbo``'s (a ``TurboJPEG``) bindings, or None without them."""
        init = getattr(turbo, "_TurboJPEG__init_compress", None)
        compress = getattr(turbo, "_TurboJPEG__compress", None)
        destroy = getattr(turbo, "_TurboJPEG__destroy", None)
        if init is None or compress is None or destroy is None:
            return None
        return cls(
            (init, compress, destroy),
            pixel_format=pixel_format,
            subsampling=subsampling,
            quality=quality,
        )

    def compress(self, pixels: np.ndarray, width: int, height: int) -> bytes | None:
        """The JPEG of ``pixels`` (height x width uint32), or None.

        None (the caller uses ``TurboJPEG.encode``) for a non-contiguous
        array, or if libjpeg-turbo reports an error.
        """
        if not pixels.flags.c_contiguous:
            return None
        init, compress, destroy = self._bindings
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
            self.pixel_format,
            ctypes.byref(jpeg_buf),
            ctypes.byref(jpeg_size),
            self.subsampling,
            self.quality,
            _TJFLAG_NOREALLOC,
        )
        if status != 0 or jpeg_buf.value != ctypes.addressof(out):
            return None
        return ctypes.string_at(jpeg_buf.value, jpeg_size.value)

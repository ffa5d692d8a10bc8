"""JPEG encoding of tiles (see docs/tiles.md, "Rendering").

``JpegEncoder`` encodes 4:2:0 at ``TILE_QUALITY`` with libjpeg-turbo
(PyTurboJPEG) when libturbojpeg loads, else with Pillow, warning once.
Opaque OpenSlide pixels go to libjpeg-turbo as they are, in one call where
PyTurboJPEG's private bindings allow it (``slides.tiles.turbojpeg_lowlevel``).
``encoder()`` is the process's encoder for the current ``TILE_QUALITY``.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from typing import Any

import numpy as np
import turbojpeg
from django.conf import settings
from PIL import Image

from slides.tiles.turbojpeg_lowlevel import LeanCompressor

logger = logging.getLogger(__name__)

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
        self._lean: LeanCompressor | None = None
        try:
            self._turbo = turbojpeg.TurboJPEG(turbojpeg_lib)
        except (OSError, RuntimeError) as e:
            _warn_fallback(e)
            return
        self._tjpf_rgb = turbojpeg.TJPF_RGB
        self._tjpf_rgba = turbojpeg.TJPF_RGBA
        # A native uint32 ARGB pixel's bytes in memory.
        little = sys.byteorder == "little"
        self._tjpf_native_argb = turbojpeg.TJPF_BGRA if little else turbojpeg.TJPF_ARGB
        self._tjsamp_420 = turbojpeg.TJSAMP_420
        # Without the private bindings encode_opaque_argb takes encode().
        self._lean = LeanCompressor.bind(
            self._turbo,
            pixel_format=self._tjpf_native_argb,
            subsampling=self._tjsamp_420,
            quality=quality,
        )

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
        if self._lean is not None:
            lean = self._lean.compress(pixels, width, height)
            if lean is not None:
                return lean
        data: bytes = self._turbo.encode(
            pixels.view(np.uint8).reshape(height, width, 4),
            quality=self.quality,
            pixel_format=self._tjpf_native_argb,
            jpeg_subsample=self._tjsamp_420,
        )
        return data


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


def reset_encoder() -> None:
    """Drop the process's encoder (tests, settings changes)."""
    global _encoder
    _encoder = None

"""Synthetic H&E-like whole-slide images for demos, tests and benchmarks.

See docs/slides.md ("Synthetic slides"). Everything is generated lazily with
pyvips: low-resolution fields (tissue outline, cell density) are upsampled,
and cell-scale detail (nuclei, stroma fibres) comes from vips Worley and
Perlin noise computed at half resolution. No full-resolution array ever
exists in memory, so a 50,000 x 40,000 px slide writes in a few minutes on
two cores.

- `write_generic_tiff` writes a tiled JPEG pyramid ("generic-tiff").
- `slides.synthetic_svs.write_svs` writes an Aperio-style SVS that OpenSlide
  reads with its "aperio" vendor backend (MPP, objective power,
  thumbnail/label/macro).
- `slides.synthetic_dicom.write_dicom_folder` writes a small DICOM WSI
  series ("dicom"; tests only).
- `write_truncated_copy`, `write_random_bytes`, `write_text_file` and
  `write_flat_image` write bad or non-pyramidal inputs for tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyvips

ProgressCallback = Callable[[float], None]

# Pixels are computed at 1/RENDER_SHRINK resolution and upsampled: it
# quarters the cost and looks like a slightly soft scan.
RENDER_SHRINK = 2
# Low-resolution fields are computed at 1/FIELD_SHRINK of full resolution.
FIELD_SHRINK = 64
# Steepness of the tissue/lumen edge ramp, per field unit at 1/FIELD_SHRINK.
EDGE_SLOPE = 400.0
# Above this many pixels the pyramid is written as BigTIFF (> 4 GiB safe).
BIGTIFF_PIXELS = 400_000_000

_WHITE = (243.0, 241.0, 245.0)
_HEMATOXYLIN = (70.0, 40.0, 125.0)  # nucleus purple
_EOSIN = (232.0, 120.0, 175.0)  # stroma pink


def _clamp01(image: pyvips.Image) -> pyvips.Image:
    return image.clamp(min=0.0, max=1.0)


def _from_numpy(array: np.ndarray[Any, Any]) -> pyvips.Image:
    data = np.ascontiguousarray(array, dtype=np.float32)
    return pyvips.Image.new_from_memory(data.tobytes(), data.shape[1], data.shape[0], 1, "float")


def _perlin(width: int, height: int, cell: int, seed: int) -> pyvips.Image:
    return pyvips.Image.perlin(width, height, cell_size=max(2, cell), seed=seed)


def _fields(width: int, height: int, rng: np.random.Generator, shrink: int) -> pyvips.Image:
    """Two bands of the given size: tissue mask (0..1) and cell density (0..1).

    Smooth fields are computed at 1/shrink of that size (an elliptical
    envelope from numpy, roughened by multi-octave Perlin noise; Perlin
    lumina; a density field) and upsampled with a cubic kernel; the mask is
    thresholded only then, at full size, so tissue edges and lumina are
    irregular yet crisp instead of blurred by the upsampling.
    """
    lw = max(8, width // shrink + 2)
    lh = max(8, height // shrink + 2)

    def seed() -> int:
        return int(rng.integers(1 << 30))

    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    rx = lw * rng.uniform(0.36, 0.44)
    ry = lh * rng.uniform(0.34, 0.42)
    cx = lw * rng.uniform(0.46, 0.54)
    cy = lh * rng.uniform(0.46, 0.54)
    envelope = 1.0 - (((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2)
    # Negative within ~4 % of the border: the tissue never touches the edge.
    margin = 0.04 * min(lw, lh)
    border = np.minimum.reduce([xx, lw - 1 - xx, yy, lh - 1 - yy]) / margin - 1.0
    env = _from_numpy(envelope)
    edge_guard = _from_numpy(border)
    rough = (
        _perlin(lw, lh, lw // 5, seed()) * 0.55
        + _perlin(lw, lh, lw // 14, seed()) * 0.3
        + _perlin(lw, lh, lw // 30, seed()) * 0.15
    )
    tissue = env + rough * 0.9 - 0.05  # > 0 inside the tissue
    tissue = (tissue < edge_guard).ifthenelse(tissue, edge_guard)
    lumina = _perlin(lw, lh, lw // 20, seed()) - 0.42  # > 0 inside a lumen
    density = _clamp01(_perlin(lw, lh, lw // 8, seed()) * 0.8 + 0.5)
    smooth = tissue.bandjoin([lumina, density]).resize(shrink, kernel="cubic")
    smooth = smooth.crop(0, 0, width, height)
    # A field step of 1/EDGE_SLOPE spans the edge: about two pixels wide.
    edge = EDGE_SLOPE * shrink / FIELD_SHRINK
    mask = _clamp01(smooth[0] * edge) * (1.0 - _clamp01(smooth[1] * edge))
    return mask.bandjoin(smooth[2])


def tissue_image(width: int, height: int, *, seed: int = 0) -> pyvips.Image:
    """A lazy, H&E-like sRGB uchar image of the given size.

    Colour is computed at 1/RENDER_SHRINK resolution (a quarter of the
    pixels) and the finished uchar image is upsampled: the softness matches
    a real scan and the arithmetic costs four times less.
    """
    if width < 1 or height < 1:
        raise ValueError("width and height must be positive")
    rng = np.random.default_rng(seed)
    s = RENDER_SHRINK
    rw, rh = -(-width // s) + 1, -(-height // s) + 1
    fields = _fields(rw, rh, rng, FIELD_SHRINK // s)
    mask, density = fields[0], fields[1]

    # Distances below are in render pixels (full-resolution pixels / s).
    worley = pyvips.Image.worley(rw, rh, cell_size=34 // s, seed=int(rng.integers(1 << 30)))
    fibres = _perlin(rw, rh, 48 // s, int(rng.integers(1 << 30)))
    wobble = _perlin(rw, rh, max(2, 8 // s), int(rng.integers(1 << 30)))

    radius = (density * 5.0 + 3.5 + wobble * 1.5) / s
    nuclei = _clamp01((radius - worley) * (0.6 * s))
    ridge = 1.0 - fibres.abs()
    hema = nuclei * mask * (wobble * 0.2 + 0.75)
    eosin = mask * (ridge * ridge * 0.55 + 0.3)

    # Linear unmixing approximation: white minus each stain's absorbance.
    dh_rgb = [w - c for w, c in zip(_WHITE, _HEMATOXYLIN, strict=True)]
    de_rgb = [w - c for w, c in zip(_WHITE, _EOSIN, strict=True)]
    rgb = hema.bandjoin([hema, hema]).linear([-d for d in dh_rgb], list(_WHITE))
    rgb = rgb - eosin.bandjoin([eosin, eosin]).linear(de_rgb, [0.0, 0.0, 0.0])
    rendered = _clamp_uchar(rgb)
    if s == 1:
        return rendered.crop(0, 0, width, height)
    full = rendered.resize(s, kernel="linear")
    return full.crop(0, 0, width, height).copy(interpretation="srgb")


def _clamp_uchar(image: pyvips.Image) -> pyvips.Image:
    return image.clamp(min=0.0, max=255.0).cast("uchar").copy(interpretation="srgb")


def _attach_progress(image: pyvips.Image, progress: ProgressCallback | None) -> None:
    if progress is None:
        return
    image.set_progress(True)

    def on_eval(_image: Any, status: Any) -> None:
        progress(min(1.0, max(0.0, float(status.percent) / 100.0)))

    image.signal_connect("eval", on_eval)


def partial_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def save_pyramid(
    image: pyvips.Image,
    path: Path,
    *,
    tile_size: int,
    quality: int,
    mpp: float,
    progress: ProgressCallback | None,
) -> None:
    _attach_progress(image, progress)
    # vips resolution is in pixels per millimetre; written as pixels/cm.
    pixels_per_mm = 1000.0 / mpp
    image.tiffsave(
        str(path),
        tile=True,
        tile_width=tile_size,
        tile_height=tile_size,
        pyramid=True,
        compression="jpeg",
        Q=quality,
        bigtiff=image.width * image.height > BIGTIFF_PIXELS,
        xres=pixels_per_mm,
        yres=pixels_per_mm,
        resunit="cm",
    )


def write_generic_tiff(
    path: Path | str,
    width: int,
    height: int,
    *,
    mpp: float = 0.5,
    seed: int = 0,
    tile_size: int = 256,
    quality: int = 80,
    progress: ProgressCallback | None = None,
) -> Path:
    """A tiled JPEG TIFF pyramid that OpenSlide opens as "generic-tiff".

    The TIFF resolution carries `mpp`, which OpenSlide reports as
    openslide.mpp-x/y (no objective power: generic TIFF has none).
    """
    path = Path(path)
    tmp = partial_path(path)
    try:
        save_pyramid(
            tissue_image(width, height, seed=seed),
            tmp,
            tile_size=tile_size,
            quality=quality,
            mpp=mpp,
            progress=progress,
        )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --- bad and non-pyramidal inputs for tests ---------------------------------


def write_truncated_copy(source: Path | str, path: Path | str, *, keep: float = 0.6) -> Path:
    """A copy of `source` cut after `keep` (0..1) of its bytes."""
    data = Path(source).read_bytes()
    path = Path(path)
    path.write_bytes(data[: max(1, int(len(data) * keep))])
    return path


def write_random_bytes(path: Path | str, size: int = 256 * 1024, *, seed: int = 0) -> Path:
    """Random bytes under whatever name is given (e.g. ``fake.svs``)."""
    path = Path(path)
    path.write_bytes(np.random.default_rng(seed).bytes(size))
    return path


def write_text_file(path: Path | str, text: str = "this is not a slide\n") -> Path:
    path = Path(path)
    path.write_text(text)
    return path


def write_flat_image(path: Path | str, width: int, height: int, *, seed: int = 0) -> Path:
    """A non-pyramidal image (format from the suffix: .jpg, .png, .tif)."""
    path = Path(path)
    image = tissue_image(width, height, seed=seed)
    suffix = path.suffix.lower()
    if suffix in {".tif", ".tiff"}:
        image.tiffsave(str(path), tile=False, compression="deflate")
    else:
        image.write_to_file(str(path))
    return path

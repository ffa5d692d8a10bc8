"""Converting a non-pyramidal image into a tiled pyramid OpenSlide can read.

See docs/slides.md ("Formats"). ``convert_to_pyramid`` loads the image with
pyvips (flattening alpha onto white, reducing 16-bit and other sample
formats, grey and extra bands, to 8-bit sRGB) and writes a tiled JPEG TIFF
pyramid, readable by OpenSlide as "generic-tiff". It touches no database:
``slides.importer.convert_slide`` runs it for a slide and records the result.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pyvips

from slides import formats

CONVERT_QUALITY = 90
ProgressCallback = Callable[[float], None]


def _load_for_conversion(source: Path) -> pyvips.Image:
    image = pyvips.Image.new_from_file(str(source), access="sequential", fail_on="truncated")
    if image.hasalpha():
        image = image.flatten(background=[255.0] * (image.bands - 1))
    if image.format != "uchar":
        if image.interpretation in ("rgb16", "grey16"):
            image = image.colourspace("srgb")
        else:
            image = image.scaleimage()
    if image.bands == 1:
        image = (
            image.colourspace("srgb")
            if image.interpretation == "b-w"
            else image.bandjoin([image, image])
        )
    elif image.bands > 3:
        image = image[0:3]
    return image.cast("uchar").copy(interpretation="srgb")


def convert_to_pyramid(
    source: Path, dest: Path, *, progress: ProgressCallback | None = None
) -> float | None:
    """Write `source` as a tiled JPEG TIFF pyramid at `dest`; returns its MPP if known.

    Raises pyvips.Error for unreadable or truncated input. `dest` appears
    only when complete.
    """
    image = _load_for_conversion(source)
    mpp = formats.plausible_mpp(1000.0 / image.xres if image.xres > 0 else None)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.partial")
    if progress is not None:
        image.set_progress(True)
        image.signal_connect("eval", lambda _img, status: progress(float(status.percent) / 100.0))
    try:
        image.tiffsave(
            str(tmp),
            tile=True,
            tile_width=256,
            tile_height=256,
            pyramid=True,
            compression="jpeg",
            Q=CONVERT_QUALITY,
            bigtiff=image.width * image.height > 400_000_000,
            xres=1000.0 / mpp if mpp else 1.0,
            yres=1000.0 / mpp if mpp else 1.0,
            resunit="cm",
        )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return mpp

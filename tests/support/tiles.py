"""Helpers for the tile tests (see docs/tiles.md).

``write_slides(root)`` writes two small slides with pyvips (the session-scoped
``slide_files`` fixture of tests/tiles/conftest.py calls it once):

* ``generic.tiff``: a 3000 x 2000 H&E-ish pyramidal tiled JPEG TIFF
  (OpenSlide vendor "generic-tiff");
* ``aperio.svs``: the same pixels as an Aperio-style SVS (MPP 0.25, 40x)
  with a stripped "label" associated image (vendor "aperio").

``in_db`` runs ORM code from an async test; ``MakeSlide`` is the type of the
``make_slide`` fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pyvips
import tifffile
from asgiref.sync import sync_to_async
from django.db import connections

from slides.models import Slide

T = TypeVar("T")
MakeSlide = Callable[..., Slide]


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


WIDTH, HEIGHT = 3000, 2000


def he_pixels(width: int, height: int) -> np.ndarray:
    """H&E-ish RGB pixels: pink stroma, purple nuclei, a blank corner (seeded noise)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    field = (np.sin(xx / 37) + np.cos(yy / 23) + np.sin((xx + yy) / 91)) / 3
    nuclei = field > 0.5
    r = np.where(nuclei, 110, 235 - 40 * (field + 1) / 2)
    g = np.where(nuclei, 60, 170 - 50 * (field + 1) / 2)
    b = np.where(nuclei, 160, 210)
    noise = np.random.default_rng(1).normal(0, 6, (height, width, 3))
    pixels = np.clip(np.stack([r, g, b], -1) + noise, 0, 255).astype(np.uint8)
    pixels[:150, :200] = 255  # a blank corner, like glass
    return pixels


def write_slides(root: Path) -> dict[str, Path]:
    """Write ``generic.tiff`` and ``aperio.svs`` into ``root``; return them by kind."""
    image = pyvips.Image.new_from_array(he_pixels(WIDTH, HEIGHT))
    options: dict[str, Any] = {
        "tile": True,
        "pyramid": True,
        "compression": "jpeg",
        "Q": 85,
        "tile_width": 256,
        "tile_height": 256,
    }
    generic = root / "generic.tiff"
    image.tiffsave(str(generic), **options)

    svs = root / "aperio.svs"
    header = "Aperio Image Library v10.0.51"
    description = (
        f"{header}\n{WIDTH}x{HEIGHT} [0,0 {WIDTH}x{HEIGHT}] (256x256) JPEG/RGB Q=85"
        "|AppMag = 40|MPP = 0.25"
    )
    aperio = image.copy()
    aperio.set_type(pyvips.GValue.gstr_type, "image-description", description)
    aperio.tiffsave(str(svs), **options)
    label = np.full((200, 300, 3), 220, np.uint8)
    label[50:150, 50:250] = 30
    tifffile.imwrite(
        svs,
        label,
        append=True,
        description=f"{header}\nlabel 300x200",
        photometric="rgb",
        subfiletype=1,
        rowsperstrip=64,
    )
    return {"generic": generic, "aperio": svs}

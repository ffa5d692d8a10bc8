"""Fixtures for the tile server tests (see docs/tiles.md).

Two small slides are written once per test session with pyvips:

* ``generic.tiff``: a 3000 x 2000 H&E-ish pyramidal tiled JPEG TIFF
  (OpenSlide vendor "generic-tiff");
* ``aperio.svs``: the same pixels as an Aperio-style SVS (MPP 0.25, 40x)
  with a stripped "label" associated image (vendor "aperio").

``make_slide`` copies one into the test's private SLIDE_STORAGE_ROOT and
creates a ready Slide row for it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import openslide
import pytest
import pyvips
import tifffile
from django.contrib.auth.models import User

from slides.models import Slide
from slides.tilecache import reset_tile_cache
from slides.tiles import handles, jpeg, render

WIDTH, HEIGHT = 3000, 2000


def _he_pixels(width: int, height: int) -> np.ndarray:
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


@pytest.fixture(scope="session")
def slide_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tile-slides")
    image = pyvips.Image.new_from_array(_he_pixels(WIDTH, HEIGHT))
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


@pytest.fixture(autouse=True)
def fresh_tile_state(settings: Any) -> Iterator[None]:
    """Each test starts with an empty in-process cache and no open slides."""
    settings.MEMCACHED_SERVERS = []
    settings.TILE_CACHE_LOCAL_MB = 16
    reset_tile_cache()
    handles.reset_state()
    jpeg.reset_encoder()
    yield
    reset_tile_cache()
    handles.reset_state()
    jpeg.reset_encoder()


MakeSlide = Callable[..., Slide]


@pytest.fixture
def make_slide(slide_storage: Path, slide_files: dict[str, Path], teacher: User) -> MakeSlide:
    def make(
        kind: str = "generic",
        *,
        owner: User | None = None,
        visibility: str = Slide.Visibility.COURSE,
        title: str = "Liver, H&E",
        status: str = Slide.Status.READY,
        name: str | None = None,
    ) -> Slide:
        source = slide_files[kind]
        target = slide_storage / (name or source.name)
        shutil.copyfile(source, target)
        osr = openslide.OpenSlide(target)
        props = dict(osr.properties)
        slide = Slide.objects.create(
            title=title,
            file_path=target.name,
            format=props.get("openslide.vendor", ""),
            reader="openslide",
            width=osr.dimensions[0],
            height=osr.dimensions[1],
            level_count=osr.level_count,
            level_dimensions=[list(d) for d in osr.level_dimensions],
            mpp_x=float(props["openslide.mpp-x"]) if kind == "aperio" else None,
            mpp_y=float(props["openslide.mpp-y"]) if kind == "aperio" else None,
            objective_power=40.0 if kind == "aperio" else None,
            associated_images=list(osr.associated_images),
            properties=props,
            status=status,
            owner=owner if owner is not None else teacher,
            visibility=visibility,
        )
        osr.close()
        return slide

    return make


@pytest.fixture
def course_slide(make_slide: MakeSlide, course: Any) -> Slide:
    """A course-visible generic TIFF owned by the teacher, used in PATH101."""
    slide = make_slide()
    course.slides.add(slide)
    return slide


@pytest.fixture
def read_counter() -> Callable[[], int]:
    """How many OpenSlide reads happened since the fixture was created."""
    start = render.reads.value
    return lambda: render.reads.value - start

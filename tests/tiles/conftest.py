"""Fixtures for the tile server tests (see docs/tiles.md).

``slide_files``: the two small slides of tests/support/tiles.py, written
once per test session. ``make_slide`` copies one into the test's private
SLIDE_STORAGE_ROOT and creates a ready Slide row for it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openslide
import pytest
from django.contrib.auth.models import User

from slides.models import Slide
from slides.tilecache import reset_tile_cache
from slides.tiles import handles, jpeg, render
from tests.support.tiles import MakeSlide, write_slides


@pytest.fixture(scope="session")
def slide_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_slides(tmp_path_factory.mktemp("tile-slides"))


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

"""Slide files are resolved inside the storage roots only (see docs/tiles.md)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import AsyncClient

from slides.models import Slide
from slides.tiles.handles import SlideFileError, resolve_slide_path
from slides.tokens import issue_tile_token
from tests.support.tiles import in_db

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_resolves_relative_paths_against_the_storage_root(slide_storage: Path) -> None:
    assert resolve_slide_path("a/b.svs") == slide_storage / "a" / "b.svs"


def test_it_accepts_absolute_paths_inside_an_import_root(slide_storage: Path, settings) -> None:
    inside = Path(settings.SLIDE_IMPORT_ROOTS[1]) / "x.svs"
    assert resolve_slide_path(str(inside)) == inside


@pytest.mark.parametrize("path", ["../outside.svs", "/etc/passwd", "a/../../x.svs", ""])
def test_it_refuses_paths_outside_the_roots(slide_storage: Path, path: str) -> None:
    with pytest.raises(SlideFileError):
        resolve_slide_path(path)


def test_it_refuses_symlinks_that_leave_the_roots(slide_storage: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.svs"
    outside.write_bytes(b"x")
    (slide_storage / "link.svs").symlink_to(outside)
    with pytest.raises(SlideFileError):
        resolve_slide_path("link.svs")


async def fetch_tile(slide: Slide) -> int:
    response = await AsyncClient().get(
        f"/slides/{slide.pk}_files/0/0_0.jpeg",
        {"v": str(slide.version), "t": issue_tile_token(slide.pk, slide.version)},
    )
    return response.status_code


async def test_a_slide_pointing_outside_the_roots_gets_404(
    make_slide: Callable[..., Slide], slide_storage: Path, tmp_path: Path
) -> None:
    slide = await in_db(make_slide)
    outside = tmp_path / "outside.tiff"
    shutil.copyfile(slide_storage / slide.file_path, outside)
    slide.file_path = str(outside)
    await in_db(slide.save)
    assert await fetch_tile(slide) == 404


async def test_a_slide_whose_file_is_not_a_slide_gets_404(
    make_slide: Callable[..., Slide], slide_storage: Path
) -> None:
    slide = await in_db(make_slide)
    (slide_storage / slide.file_path).write_text("not a slide")
    assert await fetch_tile(slide) == 404


async def test_a_slide_whose_file_is_missing_gets_404(
    make_slide: Callable[..., Slide], slide_storage: Path
) -> None:
    slide = await in_db(make_slide)
    (slide_storage / slide.file_path).unlink()
    assert await fetch_tile(slide) == 404

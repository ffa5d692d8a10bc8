"""Tiles are pixel-identical to openslide's DeepZoomGenerator (see docs/tiles.md)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import openslide
import pytest
from django.conf import settings
from django.test import AsyncClient
from openslide.deepzoom import DeepZoomGenerator
from PIL import Image

from slides.descriptors import slide_descriptor
from slides.models import Slide
from slides.tiles import handles, jpeg, render
from slides.tokens import issue_tile_token
from tests.support.tiles import in_db

pytestmark = pytest.mark.django_db(transaction=True)


def reference_generator(slide: Slide) -> DeepZoomGenerator:
    path = handles.resolve_slide_path(slide.file_path)
    return DeepZoomGenerator(
        openslide.OpenSlide(path),
        tile_size=settings.TILE_SIZE,
        overlap=settings.TILE_OVERLAP,
        limit_bounds=True,
    )


def sample_tiles(dz: DeepZoomGenerator) -> list[tuple[int, int, int]]:
    """Corners, edges and an interior tile of the three finest levels, plus level 0."""
    picks = [(0, 0, 0)]
    for level in range(dz.level_count - 3, dz.level_count):
        cols, rows = dz.level_tiles[level]
        for col, row in {(0, 0), (cols - 1, rows - 1), (cols // 2, rows // 2), (cols - 1, 0)}:
            picks.append((level, col, row))
    return picks


@pytest.mark.parametrize("kind", ["generic", "aperio"])
def test_rendered_pixels_equal_deepzoomgenerator(make_slide, kind: str) -> None:
    slide = make_slide(kind)
    dz = reference_generator(slide)
    handle = handles.handle_for(slide.pk, slide.version)
    for level, col, row in sample_tiles(dz):
        ours = np.asarray(render.render_tile_image(handle, level, col, row))
        reference = np.asarray(dz.get_tile(level, (col, row)))
        assert ours.shape == reference.shape
        assert np.array_equal(ours, reference), (level, col, row)


@pytest.mark.parametrize("kind", ["generic", "aperio"])
async def test_served_tile_bytes_equal_encoded_deepzoomgenerator_tiles(
    make_slide, kind: str
) -> None:
    slide: Slide = await in_db(make_slide, kind)
    dz = reference_generator(slide)
    token = issue_tile_token(slide.pk, slide.version)
    client = AsyncClient()
    encoder = jpeg.JpegEncoder(settings.TILE_QUALITY)
    for level, col, row in sample_tiles(dz):
        response = await client.get(
            f"/slides/{slide.pk}_files/{level}/{col}_{row}.jpeg",
            {"v": str(slide.version), "t": token},
        )
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "image/jpeg"
        reference = dz.get_tile(level, (col, row))
        assert response.content == encoder.encode(reference)
        decoded = Image.open(io.BytesIO(response.content))
        assert decoded.size == reference.size


@pytest.fixture
def tiles_510(settings: Any) -> None:
    """A non-default tiling (handles._on_setting_changed drops open handles)."""
    settings.TILE_SIZE = 510
    settings.TILE_OVERLAP = 0


@pytest.mark.parametrize("kind", ["generic", "aperio"])
async def test_a_configured_tile_size_and_overlap_are_served_pixel_for_pixel(
    tiles_510: None, make_slide, kind: str
) -> None:
    slide: Slide = await in_db(make_slide, kind)
    dz = reference_generator(slide)
    assert dz.level_tiles[-1] == (6, 4)  # 3000 x 2000 px in 510 px tiles: the setting holds
    query = {"v": str(slide.version), "t": issue_tile_token(slide.pk, slide.version)}
    client = AsyncClient()

    dzi = await client.get(f"/slides/{slide.pk}.dzi", query)
    assert dzi.status_code == 200
    root = ElementTree.fromstring(dzi.content)
    assert (root.get("TileSize"), root.get("Overlap"), root.get("Format")) == ("510", "0", "jpeg")
    assert dzi.content.decode() == dz.get_dzi("jpeg")
    descriptor = await in_db(slide_descriptor, slide)
    assert (descriptor["tile_size"], descriptor["overlap"]) == (510, 0)

    handle = await in_db(handles.handle_for, slide.pk, slide.version)
    encoder = jpeg.JpegEncoder(settings.TILE_QUALITY)
    for level, col, row in sample_tiles(dz):
        reference = dz.get_tile(level, (col, row))
        ours = render.render_tile_image(handle, level, col, row)
        assert np.array_equal(np.asarray(ours), np.asarray(reference)), (level, col, row)
        response = await client.get(f"/slides/{slide.pk}_files/{level}/{col}_{row}.jpeg", query)
        assert response.status_code == 200, response.content
        assert response.content == encoder.encode(reference)
        assert Image.open(io.BytesIO(response.content)).size == reference.size
    # Column 6 of the finest level exists with 254 px tiles, not with 510.
    beyond = await client.get(f"/slides/{slide.pk}_files/{dz.level_count - 1}/6_0.jpeg", query)
    assert beyond.status_code == 404


def test_transparent_and_scaled_tiles_take_get_tiles_path_to_equal_bytes(
    libturbojpeg: None,
) -> None:
    """Opaque unscaled tiles skip compositing; the rest are composited as get_tile does.

    OpenSlide gives transparent pixels where a scan has no data (and past the
    slide's edge); an ImageSlide with a clear and a half-clear band has both.
    """
    image = Image.new("RGBA", (1200, 700), (200, 80, 150, 255))
    image.paste((0, 0, 0, 0), (300, 0, 420, 700))
    image.paste((10, 200, 30, 128), (700, 0, 760, 700))
    osr = openslide.ImageSlide(image)
    dz = DeepZoomGenerator(
        osr, tile_size=settings.TILE_SIZE, overlap=settings.TILE_OVERLAP, limit_bounds=True
    )
    handle = handles.SlideHandle(handles.SlideRecord(1, 1, Path("none"), 0.0), osr, dz)
    encoder = jpeg.JpegEncoder(settings.TILE_QUALITY)
    finest = dz.level_count - 1
    direct = 0
    for level in (finest - 1, finest):
        cols, rows = dz.level_tiles[level]
        for col in range(cols):
            for row in range(rows):
                reference = encoder.encode(dz.get_tile(level, (col, row)))
                assert render.render_tile_jpeg(handle, level, col, row) == reference
                region = osr.read_region(*dz.get_tile_coordinates(level, (col, row)))
                direct += encoder.encode_opaque_rgba(region) is not None
    # Column 0 of the finest level is opaque; columns 1 and 2 hold the clear bands.
    assert encoder.encode_opaque_rgba(osr.read_region(*dz.get_tile_coordinates(finest, (0, 0))))
    assert (
        encoder.encode_opaque_rgba(osr.read_region(*dz.get_tile_coordinates(finest, (1, 0))))
        is None
    )
    assert (
        encoder.encode_opaque_rgba(osr.read_region(*dz.get_tile_coordinates(finest, (2, 1))))
        is None
    )
    assert direct > 0


@pytest.mark.parametrize("binding", ["openslide buffer", "read_region"])
def test_opaque_tiles_of_openslide_files_are_encoded_from_openslides_own_pixels(
    libturbojpeg: None, make_slide, monkeypatch: pytest.MonkeyPatch, binding: str
) -> None:
    """The direct path (OpenSlide's ARGB buffer, or read_region without the binding)."""
    if binding == "read_region":
        monkeypatch.setattr(render, "_read_argb_into", None)
    slide = make_slide("aperio")
    dz = reference_generator(slide)
    handle = handles.handle_for(slide.pk, slide.version)
    encoder = jpeg.JpegEncoder(settings.TILE_QUALITY)
    finest = dz.level_count - 1
    cols, rows = dz.level_tiles[finest]
    for col, row in [(0, 0), (cols // 2, rows // 2), (cols - 1, rows - 1)]:
        location, level, size = dz.get_tile_coordinates(finest, (col, row))
        argb = render.read_argb(handle.osr, location, level, size)
        assert (argb is None) == (binding == "read_region")
        direct = render._direct_jpeg(handle, encoder, location, level, size)
        assert direct is not None  # opaque: no compositing needed
        assert direct == encoder.encode(dz.get_tile(finest, (col, row)))
        assert render.render_tile_jpeg(handle, finest, col, row) == direct


def test_the_lean_encode_gives_turbojpegs_bytes_and_keeps_one_compressor_a_thread(
    libturbojpeg: None,
) -> None:
    """encode_opaque_argb's one-call path (slides.tiles.turbojpeg_lowlevel.LeanCompressor)."""
    rng = np.random.default_rng(7)
    argb = rng.integers(0, 1 << 24, (256, 254), dtype=np.uint32) | np.uint32(0xFF000000)
    lean = jpeg.JpegEncoder(80)
    assert lean._lean is not None  # PyTurboJPEG 1.x's bindings are there
    public = jpeg.JpegEncoder(80)
    public._lean = None  # as without the private bindings: TurboJPEG.encode
    first = lean.encode_opaque_argb(argb)
    compressor = lean._lean._threads.compressor
    assert first is not None and first == public.encode_opaque_argb(argb)
    smaller = np.ascontiguousarray(argb[:100, :37])  # an edge tile, same buffer
    assert lean.encode_opaque_argb(smaller) == public.encode_opaque_argb(smaller)
    assert lean._lean._threads.compressor is compressor and compressor.handle
    with Image.open(io.BytesIO(first)) as im:
        assert im.size == (254, 256)

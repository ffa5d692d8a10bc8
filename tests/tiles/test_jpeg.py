"""JPEG encoding: TurboJPEG 4:2:0 at TILE_QUALITY, Pillow when libturbojpeg is missing."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import numpy as np
import pytest
from django.test import AsyncClient
from PIL import Image

from slides.models import Slide
from slides.tiles import jpeg
from slides.tokens import issue_tile_token
from tests.support.tiles import in_db

pytestmark = pytest.mark.django_db(transaction=True)


def sample_image() -> Image.Image:
    """Smooth, tissue-like colours with mild noise (what JPEG is made for)."""
    yy, xx = np.mgrid[0:256, 0:256].astype(np.float32)
    base = np.stack([200 - xx / 4, 120 + yy / 5, 180 + np.sin(xx / 9) * 20], -1)
    noise = np.random.default_rng(3).normal(0, 3, (256, 256, 3))
    pixels = np.clip(base + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGB")


def subsampling(data: bytes) -> int:
    from PIL import JpegImagePlugin

    image = Image.open(io.BytesIO(data))
    assert isinstance(image, JpegImagePlugin.JpegImageFile)
    return JpegImagePlugin.get_sampling(image)


@pytest.fixture
def fresh_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jpeg, "_fallback_warned", False)


def test_turbojpeg_is_used_when_libturbojpeg_loads(libturbojpeg: None) -> None:
    encoder = jpeg.JpegEncoder(80)
    assert encoder.backend == "turbojpeg"
    data = encoder.encode(sample_image())
    assert data[:2] == b"\xff\xd8"
    assert subsampling(data) == 2  # 4:2:0


def test_quality_is_applied() -> None:
    low = jpeg.JpegEncoder(20).encode(sample_image())
    high = jpeg.JpegEncoder(95).encode(sample_image())
    assert len(low) < len(high)


def test_it_falls_back_to_pillow_and_warns_once(
    fresh_warning: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="slides.tiles.jpeg")
    encoders = [
        jpeg.JpegEncoder(80, turbojpeg_lib="/nonexistent/libturbojpeg.so.0") for _ in range(3)
    ]
    assert {e.backend for e in encoders} == {"pillow"}
    warnings = [r for r in caplog.records if "libturbojpeg" in r.getMessage()]
    assert len(warnings) == 1
    data = encoders[0].encode(sample_image())
    assert subsampling(data) == 2  # 4:2:0 too
    decoded = np.asarray(Image.open(io.BytesIO(data)), dtype=np.int16)
    assert np.abs(decoded - np.asarray(sample_image(), dtype=np.int16)).mean() < 4


def test_both_encoders_give_similar_pixels(libturbojpeg: None, fresh_warning: None) -> None:
    turbo = jpeg.JpegEncoder(80).encode(sample_image())
    pillow = jpeg.JpegEncoder(80, turbojpeg_lib="/nonexistent/lib.so").encode(sample_image())
    a = np.asarray(Image.open(io.BytesIO(turbo)), dtype=np.int16)
    b = np.asarray(Image.open(io.BytesIO(pillow)), dtype=np.int16)
    assert np.abs(a - b).mean() < 3


async def test_tiles_are_served_with_the_pillow_fallback(
    make_slide: Callable[..., Slide], fresh_warning: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    slide = await in_db(make_slide)
    monkeypatch.setattr(jpeg, "_encoder", jpeg.JpegEncoder(80, turbojpeg_lib="/nonexistent/lib.so"))
    response = await AsyncClient().get(
        f"/slides/{slide.pk}_files/12/1_1.jpeg",
        {"v": str(slide.version), "t": issue_tile_token(slide.pk, slide.version)},
    )
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (256, 256)

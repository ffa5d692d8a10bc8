"""Thumbnails and associated images (label, macro) (see docs/tiles.md)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import AsyncClient
from PIL import Image

from slides.models import Slide
from slides.tokens import issue_tile_token
from tests.support.tiles import in_db

pytestmark = pytest.mark.django_db(transaction=True)


def q(slide: Slide, **extra: str) -> dict[str, str]:
    return {"v": str(slide.version), "t": issue_tile_token(slide.pk, slide.version), **extra}


async def test_it_serves_a_thumbnail_within_the_requested_size(course_slide: Slide) -> None:
    response = await AsyncClient().get(
        f"/slides/{course_slide.pk}/thumbnail.jpeg", q(course_slide, max="300")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert max(image.size) == 300
    assert image.size == (300, 200)


async def test_the_thumbnail_defaults_to_512_px(course_slide: Slide) -> None:
    response = await AsyncClient().get(f"/slides/{course_slide.pk}/thumbnail.jpeg", q(course_slide))
    assert Image.open(io.BytesIO(response.content)).size == (512, 341)


async def test_a_thumbnail_is_cached(course_slide: Slide, read_counter: Callable[[], int]) -> None:
    client = AsyncClient()
    await client.get(f"/slides/{course_slide.pk}/thumbnail.jpeg", q(course_slide))
    await client.get(f"/slides/{course_slide.pk}/thumbnail.jpeg", q(course_slide))
    assert read_counter() == 1


@pytest.mark.parametrize("size", ["0", "15", "2049", "abc", "-5", "1e3"])
async def test_it_rejects_a_bad_thumbnail_size_with_400(course_slide: Slide, size: str) -> None:
    response = await AsyncClient().get(
        f"/slides/{course_slide.pk}/thumbnail.jpeg", q(course_slide, max=size)
    )
    assert response.status_code == 400
    assert "max" in response.json()["error"]


async def test_it_serves_the_label_of_an_svs(make_slide: Callable[..., Slide]) -> None:
    slide = await in_db(make_slide, "aperio")
    response = await AsyncClient().get(f"/slides/{slide.pk}/associated/label.jpeg", q(slide))
    assert response.status_code == 200
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (300, 200)
    assert image.mode == "RGB"


@pytest.mark.parametrize("name", ["macro", "nothing", "thumbnail"])
async def test_an_unknown_associated_image_gets_404(
    make_slide: Callable[..., Slide], name: str
) -> None:
    slide = await in_db(make_slide, "aperio")
    response = await AsyncClient().get(f"/slides/{slide.pk}/associated/{name}.jpeg", q(slide))
    assert response.status_code == 404
    assert response.json()["error"] == "no such associated image"


async def test_a_generic_tiff_has_no_associated_images(course_slide: Slide) -> None:
    response = await AsyncClient().get(
        f"/slides/{course_slide.pk}/associated/label.jpeg", q(course_slide)
    )
    assert response.status_code == 404

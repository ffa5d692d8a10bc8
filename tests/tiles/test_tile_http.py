"""The tile endpoint's HTTP behaviour: caching headers, 304, 404s, 400s (see docs/tiles.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import AsyncClient

from slides.models import Slide
from slides.tiles import handles
from slides.tokens import issue_tile_token
from tests.support.tiles import in_db

pytestmark = pytest.mark.django_db(transaction=True)


def tile_url(slide: Slide, level: int, col: int, row: int, fmt: str = "jpeg") -> str:
    return f"/slides/{slide.pk}_files/{level}/{col}_{row}.{fmt}"


def query(slide: Slide, version: int | None = None) -> dict[str, str]:
    v = slide.version if version is None else version
    return {"v": str(v), "t": issue_tile_token(slide.pk, v)}


def error_of(response: Any) -> str:
    message: str = json.loads(response.content)["error"]
    return message


async def test_it_serves_a_tile_with_a_strong_etag_and_immutable_caching(
    course_slide: Slide,
) -> None:
    response = await AsyncClient().get(tile_url(course_slide, 12, 5, 3), query(course_slide))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert f":{course_slide.pk}:{course_slide.version}:" in etag
    assert response.content[:2] == b"\xff\xd8"


async def test_it_answers_if_none_match_with_304_and_no_body(
    course_slide: Slide, read_counter: Callable[[], int]
) -> None:
    client = AsyncClient()
    first = await client.get(tile_url(course_slide, 12, 5, 3), query(course_slide))
    reads = read_counter()
    again = await client.get(
        tile_url(course_slide, 12, 5, 3),
        query(course_slide),
        headers={"If-None-Match": first["ETag"]},
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert read_counter() == reads
    listed = await client.get(
        tile_url(course_slide, 12, 5, 3),
        query(course_slide),
        headers={"If-None-Match": f'"other", {first["ETag"]}'},
    )
    assert listed.status_code == 304


async def test_it_sends_the_tile_when_the_etag_does_not_match(course_slide: Slide) -> None:
    response = await AsyncClient().get(
        tile_url(course_slide, 12, 5, 3), query(course_slide), headers={"If-None-Match": '"nope"'}
    )
    assert response.status_code == 200


async def test_the_etag_changes_with_the_tile(course_slide: Slide) -> None:
    client = AsyncClient()
    a = await client.get(tile_url(course_slide, 12, 5, 3), query(course_slide))
    b = await client.get(tile_url(course_slide, 12, 5, 4), query(course_slide))
    assert a["ETag"] != b["ETag"]


@pytest.mark.parametrize(
    ("level", "col", "row"),
    [(13, 0, 0), (99, 0, 0), (12, 12, 0), (12, 0, 8), (12, 999, 999), (0, 1, 0)],
)
async def test_it_rejects_out_of_range_tiles_with_404(
    course_slide: Slide, level: int, col: int, row: int
) -> None:
    response = await AsyncClient().get(tile_url(course_slide, level, col, row), query(course_slide))
    assert response.status_code == 404
    assert error_of(response)


async def test_it_rejects_out_of_range_tiles_once_the_slide_is_open_too(
    course_slide: Slide,
) -> None:
    client = AsyncClient()
    assert (
        await client.get(tile_url(course_slide, 12, 0, 0), query(course_slide))
    ).status_code == 200
    response = await client.get(tile_url(course_slide, 12, 12, 0), query(course_slide))
    assert response.status_code == 404
    assert error_of(response) == "no such tile"


def would_be_etag(slide: Slide, level: int, col: int, row: int) -> str:
    return f'"t:{slide.pk}:{slide.version}:254:1:80:{level}:{col}_{row}.jpeg"'


@pytest.mark.parametrize(("level", "col", "row"), [(13, 0, 0), (12, 12, 0), (12, 0, 8)])
@pytest.mark.parametrize("if_none_match", ["exact", "*"])
async def test_a_matching_if_none_match_never_turns_an_out_of_range_tile_into_a_304(
    course_slide: Slide, level: int, col: int, row: int, if_none_match: str
) -> None:
    assert handles.handles().peek(course_slide.pk, course_slide.version) is None  # not open yet
    etag = would_be_etag(course_slide, level, col, row) if if_none_match == "exact" else "*"
    response = await AsyncClient().get(
        tile_url(course_slide, level, col, row),
        query(course_slide),
        headers={"If-None-Match": etag},
    )
    assert response.status_code == 404
    assert error_of(response) == "no such tile"


async def test_a_matching_if_none_match_on_an_in_range_tile_of_an_unopened_slide_is_a_304(
    course_slide: Slide, read_counter: Callable[[], int]
) -> None:
    response = await AsyncClient().get(
        tile_url(course_slide, 12, 11, 7),
        query(course_slide),
        headers={"If-None-Match": would_be_etag(course_slide, 12, 11, 7)},
    )
    assert response.status_code == 304
    assert response["ETag"] == would_be_etag(course_slide, 12, 11, 7)
    assert read_counter() == 0  # the slide was opened for its geometry; no tile was read


async def test_a_matching_if_none_match_on_an_unreadable_slide_is_a_404(
    course_slide: Slide, slide_storage: Path
) -> None:
    (slide_storage / course_slide.file_path).write_bytes(b"not a slide any more")
    response = await AsyncClient().get(
        tile_url(course_slide, 12, 0, 0),
        query(course_slide),
        headers={"If-None-Match": would_be_etag(course_slide, 12, 0, 0)},
    )
    assert response.status_code == 404
    assert error_of(response) == "slide file cannot be read"


@pytest.mark.parametrize("fmt", ["png", "jpg", "webp", "JPEG"])
async def test_it_rejects_unsupported_formats_with_404(course_slide: Slide, fmt: str) -> None:
    response = await AsyncClient().get(tile_url(course_slide, 12, 0, 0, fmt), query(course_slide))
    assert response.status_code == 404
    assert "format" in error_of(response)


async def test_it_rejects_a_stale_version_with_404(course_slide: Slide) -> None:
    old = query(course_slide)
    course_slide.version += 1
    await in_db(course_slide.save)
    handles.forget_slide(course_slide.pk)
    response = await AsyncClient().get(tile_url(course_slide, 12, 0, 0), old)
    assert response.status_code == 404
    assert "stale" in error_of(response)
    fresh = await AsyncClient().get(tile_url(course_slide, 12, 0, 0), query(course_slide))
    assert fresh.status_code == 200


async def test_it_rejects_a_version_from_the_future_with_404(course_slide: Slide) -> None:
    response = await AsyncClient().get(
        tile_url(course_slide, 12, 0, 0), query(course_slide, course_slide.version + 5)
    )
    assert response.status_code == 404


@pytest.mark.parametrize("v", ["", "abc", "-1", "1.0", "9999999999"])
async def test_it_rejects_a_malformed_version_with_400(course_slide: Slide, v: str) -> None:
    params = {"v": v, "t": issue_tile_token(course_slide.pk, course_slide.version)}
    response = await AsyncClient().get(tile_url(course_slide, 12, 0, 0), params)
    assert response.status_code == 400
    assert error_of(response).startswith("v:")


async def test_it_rejects_a_missing_version_with_400(course_slide: Slide) -> None:
    response = await AsyncClient().get(
        tile_url(course_slide, 12, 0, 0), {"t": issue_tile_token(course_slide.pk, 1)}
    )
    assert response.status_code == 400


async def test_it_returns_404_for_a_slide_that_does_not_exist(db: None) -> None:
    response = await AsyncClient().get(
        "/slides/424242_files/0/0_0.jpeg", {"v": "1", "t": issue_tile_token(424242, 1)}
    )
    assert response.status_code == 404


async def test_it_returns_404_for_a_slide_that_is_not_ready(
    make_slide: Callable[..., Slide],
) -> None:
    slide = await in_db(make_slide, status=Slide.Status.IMPORTING)
    response = await AsyncClient().get(tile_url(slide, 12, 0, 0), query(slide))
    assert response.status_code == 404


async def test_it_refuses_methods_other_than_get(course_slide: Slide) -> None:
    response = await AsyncClient().post(tile_url(course_slide, 12, 0, 0) + "?v=1&t=x")
    assert response.status_code == 405

"""Prewarm computes the tiles a viewer requests for a view and fills the cache with them."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

import pytest
from django.test import AsyncClient

from slides import prewarm
from slides.models import Slide
from slides.prewarm import DzGeometry, target_level, tiles_for_region, tiles_for_view
from slides.tilecache import TileKey, get_tile_cache, tile_cache_key
from slides.tiles import render
from slides.tokens import issue_tile_token

GEOMETRY = DzGeometry.for_size(3000, 2000, 254)


def osd_tiles(
    geometry: DzGeometry, x: float, y: float, zoom: float, rotation: float, w: int, h: int
) -> set[tuple[int, int, int]]:
    """Brute force: every tile on levels <= target meeting the rotated viewport's bounding box."""
    theta = math.radians(rotation)
    corners = [
        (
            x + (sx * w / 2 * math.cos(theta) - sy * h / 2 * math.sin(theta)) / zoom,
            y + (sx * w / 2 * math.sin(theta) + sy * h / 2 * math.cos(theta)) / zoom,
        )
        for sx in (-1, 1)
        for sy in (-1, 1)
    ]
    left, right = min(c[0] for c in corners), max(c[0] for c in corners)
    top, bottom = min(c[1] for c in corners), max(c[1] for c in corners)
    found = set()
    # OpenSeadragon draws level L while one of its pixels covers >= 0.5 screen pixels.
    levels = [
        lv for lv in range(geometry.max_level + 1) if zoom * 2 ** (geometry.max_level - lv) >= 0.5
    ]
    for level in range(max(levels, default=0) + 1):
        s = 2 ** (level - geometry.max_level)
        lw, lh = geometry.level_dimensions[level]
        ts = geometry.tile_size
        for col in range(math.ceil(lw / ts)):
            for row in range(math.ceil(lh / ts)):
                tl, tr = col * ts / s, min((col + 1) * ts, lw) / s
                tt, tb = row * ts / s, min((row + 1) * ts, lh) / s
                if tl < right and tr > left and tt < bottom and tb > top:
                    found.add((level, col, row))
    return found


def test_the_geometry_matches_deepzoomgenerator() -> None:
    assert GEOMETRY.max_level == 12
    assert GEOMETRY.level_dimensions[12] == (3000, 2000)
    assert GEOMETRY.level_dimensions[11] == (1500, 1000)
    assert GEOMETRY.level_dimensions[0] == (1, 1)
    assert GEOMETRY.level_tiles(12) == (12, 8)


@pytest.mark.parametrize(
    ("zoom", "level"),
    [(4.0, 12), (1.0, 12), (0.5, 12), (0.49, 11), (0.25, 11), (0.125, 10), (0.1, 9), (1e-6, 0)],
)
def test_the_target_level_is_the_finest_openseadragon_draws(zoom: float, level: int) -> None:
    assert target_level(GEOMETRY, zoom) == level


VIEWS: list[tuple[float, float, float, float, int, int]] = [
    (1500, 1000, 1.0, 0, 800, 600),
    (1500, 1000, 0.5, 30, 800, 600),
    (0, 0, 2.0, 0, 1920, 1080),
    (2999, 1999, 0.8, 90, 1280, 720),
    (1200, 700, 0.3, 45, 1920, 1080),
    (1500, 1000, 0.05, 0, 1920, 1080),
    (9000, 9000, 1.0, 0, 800, 600),
    (762, 508, 1.0, 0, 508, 508),  # edges exactly on tile boundaries
]


@pytest.mark.parametrize("view", VIEWS)
def test_without_margin_it_lists_exactly_the_tiles_the_viewer_requests(
    view: tuple[float, float, float, float, int, int],
) -> None:
    x, y, zoom, rotation, w, h = view
    ours = tiles_for_view(GEOMETRY, x, y, zoom, rotation, w, h, margin_tiles=0)
    assert len(ours) == len(set(ours))
    assert set(ours) == osd_tiles(GEOMETRY, x, y, zoom, rotation, w, h)


@pytest.mark.parametrize("view", VIEWS)
def test_the_margin_adds_a_ring_of_tiles(view: tuple[float, float, float, float, int, int]) -> None:
    x, y, zoom, rotation, w, h = view
    plain = set(tiles_for_view(GEOMETRY, x, y, zoom, rotation, w, h, margin_tiles=0))
    ringed = set(tiles_for_view(GEOMETRY, x, y, zoom, rotation, w, h, margin_tiles=1))
    assert plain <= ringed
    for level, col, row in ringed - plain:
        assert any(
            (level, col + dc, row + dr) in plain for dc in (-1, 0, 1) for dr in (-1, 0, 1)
        ) or not any(t[0] == level for t in plain)


def test_rotation_enlarges_the_area() -> None:
    flat = tiles_for_view(GEOMETRY, 1500, 1000, 1.0, 0, 800, 300, margin_tiles=0)
    turned = tiles_for_view(GEOMETRY, 1500, 1000, 1.0, 45, 800, 300, margin_tiles=0)
    assert set(flat) < set(turned)


def test_tiles_come_coarse_first_and_centre_out() -> None:
    tiles = tiles_for_view(GEOMETRY, 1500, 1000, 1.0, 0, 1920, 1080)
    levels = [t[0] for t in tiles]
    assert levels == sorted(levels)
    finest = [t for t in tiles if t[0] == 12]
    assert finest[0] in {(12, 5, 3), (12, 5, 4), (12, 6, 3), (12, 6, 4), (12, 5, 3)}


@pytest.mark.parametrize(
    "bad",
    [
        dict(zoom=0.0),
        dict(zoom=-1.0),
        dict(zoom=float("nan")),
        dict(x=float("inf")),
        dict(viewer_width=0),
    ],
)
def test_it_rejects_impossible_views(bad: dict[str, float]) -> None:
    view: dict[str, Any] = {
        "x": 10.0,
        "y": 10.0,
        "zoom": 1.0,
        "rotation": 0.0,
        "viewer_width": 100,
        "viewer_height": 100,
    } | bad
    with pytest.raises(ValueError):
        tiles_for_view(GEOMETRY, **view)


def test_a_region_covers_every_tile_under_it() -> None:
    tiles = tiles_for_region(GEOMETRY, (0, 0, 508, 254), (12, 12))
    assert sorted(tiles) == [(12, 0, 0), (12, 1, 0)]
    assert len(tiles_for_region(GEOMETRY)) == sum(
        GEOMETRY.level_tiles(lv)[0] * GEOMETRY.level_tiles(lv)[1] for lv in range(13)
    )


@pytest.mark.django_db(transaction=True)
async def test_prewarmed_tiles_are_exactly_the_ones_the_view_then_hits_in_cache(
    course_slide: Slide, read_counter: Callable[[], int]
) -> None:
    view: dict[str, Any] = dict(
        x=1400.0, y=900.0, zoom=0.7, rotation=20.0, viewer_width=900, viewer_height=500
    )
    prewarm.request_view_prewarm(course_slide.pk, **view)
    assert await asyncio.to_thread(prewarm.wait_for_prewarm, 30)
    expected = tiles_for_view(GEOMETRY, **view)
    assert read_counter() == len(expected)
    cache = get_tile_cache()
    assert cache.local is not None and len(cache.local) == len(expected)

    # The viewer now asks for the tiles of that view: every one is a cache hit.
    reads = read_counter()
    token = issue_tile_token(course_slide.pk, course_slide.version)
    client = AsyncClient()
    asked = osd_tiles(
        GEOMETRY, **{k: view[k] for k in ("x", "y", "zoom", "rotation")}, w=900, h=500
    )
    for level, col, row in sorted(asked):
        response = await client.get(
            f"/slides/{course_slide.pk}_files/{level}/{col}_{row}.jpeg",
            {"v": str(course_slide.version), "t": token},
        )
        assert response.status_code == 200
    assert read_counter() == reads


@pytest.mark.django_db(transaction=True)
def test_prewarm_skips_tiles_already_cached(
    course_slide: Slide, read_counter: Callable[[], int]
) -> None:
    tiles = tiles_for_region(GEOMETRY, (0, 0, 600, 600), (11, 12))
    first = prewarm.prewarm_tiles(course_slide.pk, course_slide.version, tiles, max_in_flight=2)
    second = prewarm.prewarm_tiles(course_slide.pk, course_slide.version, tiles, max_in_flight=2)
    assert first.rendered == len(tiles) and first.failed == 0
    assert second.rendered == 0 and second.already_cached == len(tiles)
    assert read_counter() == len(tiles)
    key = TileKey(course_slide.pk, course_slide.version, *tiles[0])
    assert get_tile_cache().get_local(tile_cache_key(key)) is not None


@pytest.mark.django_db(transaction=True)
def test_repeated_requests_for_one_view_are_deduplicated(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    hold = threading.Event()
    started = threading.Event()
    runs: list[float] = []
    real = prewarm.prewarm_view

    def slow(slide_id: int, **view: Any) -> prewarm.PrewarmStats:
        runs.append(view["x"])
        started.set()
        hold.wait(10)
        return real(slide_id, **view)

    monkeypatch.setattr(prewarm, "prewarm_view", slow)
    view: dict[str, Any] = dict(y=900.0, zoom=0.3)
    prewarm.request_view_prewarm(course_slide.pk, x=100.0, **view)
    assert started.wait(10)
    for _ in range(5):
        prewarm.request_view_prewarm(course_slide.pk, x=100.0, **view)  # same as running
    for x in (200.0, 300.0, 400.0):
        prewarm.request_view_prewarm(course_slide.pk, x=x, **view)  # latest wins
    hold.set()
    assert prewarm.wait_for_prewarm(30)
    assert runs == [100.0, 400.0]


@pytest.mark.django_db(transaction=True)
def test_invalid_views_and_unknown_slides_are_ignored(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    prewarm.request_view_prewarm(1, x=float("nan"), y=0.0, zoom=1.0)
    prewarm.request_view_prewarm(1, x=0.0, y=0.0, zoom=0.0)
    prewarm.request_view_prewarm(1, x=0.0, y=0.0, zoom=1.0, viewer_width=-3)
    prewarm.request_view_prewarm(987654, x=0.0, y=0.0, zoom=1.0)
    assert prewarm.wait_for_prewarm(30)
    assert render.reads.value >= 0  # nothing raised in the caller

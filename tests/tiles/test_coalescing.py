"""Concurrent misses for one tile are coalesced into one read, off the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.test import AsyncClient

from slides.models import Slide
from slides.tiles import fetch, render
from slides.tokens import issue_tile_token

pytestmark = pytest.mark.django_db(transaction=True)


class Gate:
    """Holds every tile read until released, counting fetch_future calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        self.fetches = 0
        self.threads: list[str] = []
        real_render = render.render_tile_jpeg
        real_fetch = fetch.fetch_future

        def held_render(*args: Any) -> Any:
            self.threads.append(threading.current_thread().name)
            assert self.release.wait(10)
            return real_render(*args)

        def counted_fetch(*args: Any) -> Any:
            self.fetches += 1
            return real_fetch(*args)

        monkeypatch.setattr(render, "render_tile_jpeg", held_render)
        monkeypatch.setattr(fetch, "fetch_future", counted_fetch)

    async def wait_for_fetches(self, n: int) -> None:
        for _ in range(500):
            if self.fetches >= n:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"only {self.fetches} of {n} requests reached the fetch")


async def get(client: AsyncClient, slide: Slide, col: int, row: int) -> Any:
    return await client.get(
        f"/slides/{slide.pk}_files/12/{col}_{row}.jpeg",
        {"v": str(slide.version), "t": issue_tile_token(slide.pk, slide.version)},
    )


async def test_concurrent_misses_for_one_tile_read_it_once(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch, read_counter: Callable[[], int]
) -> None:
    gate = Gate(monkeypatch)
    client = AsyncClient()
    requests = [asyncio.create_task(get(client, course_slide, 4, 4)) for _ in range(20)]
    await gate.wait_for_fetches(20)
    gate.release.set()
    responses = await asyncio.gather(*requests)
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert read_counter() == 1
    assert fetch._inflight == {}


async def test_different_tiles_are_read_separately(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch, read_counter: Callable[[], int]
) -> None:
    gate = Gate(monkeypatch)
    gate.release.set()
    client = AsyncClient()
    await asyncio.gather(*(get(client, course_slide, c, 1) for c in range(5)))
    assert read_counter() == 5


async def test_reads_run_on_the_tile_pool_not_the_event_loop(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch)
    gate.release.set()
    await get(AsyncClient(), course_slide, 1, 1)
    assert gate.threads and all(name.startswith("tile_") for name in gate.threads)
    assert threading.current_thread().name not in gate.threads


async def test_a_waiter_that_goes_away_does_not_cancel_the_read_for_others(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch, read_counter: Callable[[], int]
) -> None:
    gate = Gate(monkeypatch)
    client = AsyncClient()
    quitter = asyncio.create_task(get(client, course_slide, 6, 6))
    stayer = asyncio.create_task(get(client, course_slide, 6, 6))
    await gate.wait_for_fetches(2)
    quitter.cancel()
    gate.release.set()
    response = await stayer
    assert response.status_code == 200
    assert read_counter() == 1


async def test_a_failed_read_reaches_every_waiter_and_is_not_cached(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch, read_counter: Callable[[], int]
) -> None:
    import openslide

    calls = 0

    def broken(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        raise openslide.OpenSlideError("corrupt tile")

    # Every tile read: OpenSlide's buffer (the direct path) and read_region
    # (DeepZoomGenerator.get_tile, or the direct path without the binding).
    monkeypatch.setattr(render, "_read_argb_into", broken)
    monkeypatch.setattr(openslide.OpenSlide, "read_region", broken)
    client = AsyncClient()
    responses = await asyncio.gather(*(get(client, course_slide, 2, 2) for _ in range(5)))
    assert {r.status_code for r in responses} == {404}
    assert responses[0].json() == {"error": "tile cannot be read"}
    again = await get(client, course_slide, 2, 2)
    assert again.status_code == 404
    assert calls >= 2  # the failure was not cached


async def test_a_live_request_joins_a_prewarm_read_of_the_same_tile(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch, read_counter: Callable[[], int]
) -> None:
    from slides.prewarm import prewarm_tiles

    gate = Gate(monkeypatch)
    warming = asyncio.create_task(
        asyncio.to_thread(prewarm_tiles, course_slide.pk, course_slide.version, [(12, 7, 7)])
    )
    await gate.wait_for_fetches(1)
    live = asyncio.create_task(get(AsyncClient(), course_slide, 7, 7))
    await gate.wait_for_fetches(2)
    gate.release.set()
    response = await live
    stats = await warming
    assert response.status_code == 200
    assert stats.rendered == 1
    assert read_counter() == 1

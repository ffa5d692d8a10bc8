"""Slide records: no query per tile, one query per slide at a time, stale-while-refresh."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import AsyncClient

from slides.models import Slide
from slides.tiles import handles
from slides.tokens import issue_tile_token

pytestmark = pytest.mark.django_db(transaction=True)


def counting_queries(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = handles._query_record

    def query(slide_id: int) -> Any:
        calls.append(slide_id)
        time.sleep(0.05)  # long enough for the other requests to pile up
        return real(slide_id)

    monkeypatch.setattr(handles, "_query_record", query)
    return calls


async def get(slide: Slide, col: int) -> Any:
    return await AsyncClient().get(
        f"/slides/{slide.pk}_files/12/{col}_0.jpeg",
        {"v": str(slide.version), "t": issue_tile_token(slide.pk, slide.version)},
    )


async def test_many_first_requests_share_one_query(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_queries(monkeypatch)
    responses = await asyncio.gather(*(get(course_slide, c % 12) for c in range(30)))
    assert {r.status_code for r in responses} == {200}
    assert calls == [course_slide.pk]


async def test_later_requests_make_no_query(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_queries(monkeypatch)
    for col in range(6):
        assert (await get(course_slide, col)).status_code == 200
    assert len(calls) == 1


async def test_a_stale_record_is_served_while_one_refresh_runs(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await get(course_slide, 0)).status_code == 200
    monkeypatch.setattr(handles, "RECORD_TTL", 0.0)
    calls = counting_queries(monkeypatch)
    responses = await asyncio.gather(*(get(course_slide, 1) for _ in range(10)))
    assert {r.status_code for r in responses} == {200}
    await asyncio.to_thread(lambda: [f.result() for f in list(handles._refreshing.values())])
    assert 1 <= len(calls) <= 2


async def test_tiles_keep_flowing_when_the_database_fails_a_refresh(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await get(course_slide, 0)).status_code == 200
    monkeypatch.setattr(handles, "RECORD_TTL", 0.0)

    def broken(slide_id: int) -> Any:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(handles, "_query_record", broken)
    assert (await get(course_slide, 2)).status_code == 200


async def test_an_unknown_slide_with_the_database_down_gets_503(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(slide_id: int) -> Any:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(handles, "_query_record", broken)
    response = await AsyncClient().get(
        "/slides/5_files/0/0_0.jpeg", {"v": "1", "t": issue_tile_token(5, 1)}
    )
    assert response.status_code == 503
    assert "unavailable" in response.json()["error"]


def test_blocking_lookups_from_many_threads_share_one_query(
    course_slide: Slide, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_queries(monkeypatch)
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda: results.append(handles.lookup_slide(course_slide.pk)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert {r.version for r in results} == {course_slide.version}

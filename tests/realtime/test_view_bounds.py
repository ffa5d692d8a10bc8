"""Views must lie on a slide of the session (see docs/protocol.md, ``out_of_range``).

``set_viewport`` must name the open slide and centre inside it;
``report_viewport`` must name a slide of the session (its course's or its
agenda's) and centre inside it. Refusals are error frames; nothing is stored.
"""

from __future__ import annotations

from typing import Any

import pytest

from classroom import facts
from realtime.state import get_store
from slides.models import Slide
from tests.support.realtime import (
    capture_send_event_calls,
    connect,
    disconnect,
    recv,
    send,
    silent,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def generous_rate_limits(settings: Any) -> None:
    settings.REALTIME_RATE_SCALE = 100


def _view(slide_id: int, x: float, y: float) -> dict[str, Any]:
    return {"slide_id": slide_id, "x": x, "y": y, "zoom": 1.0}


async def test_a_teacher_viewport_outside_the_open_slide_is_refused(live, teacher):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="open_item", index=0)  # 50,000 x 40,000
    opened = await recv(t)
    for x, y in ((50_001.0, 10.0), (10.0, -1.0), (-0.5, 0.0)):
        await send(t, type="set_viewport", ref="v", **_view(live.slide.pk, x, y))
        error = await recv(t)
        assert (error["code"], error["ref"]) == ("out_of_range", "v")
    assert (await get_store().get(live.session.pk)).get("viewport") == opened["viewport"]
    await send(t, type="set_viewport", **_view(live.slide.pk, 50_000.0, 40_000.0))  # the corner
    assert (await recv(t))["type"] == "viewport"
    await disconnect(t)


async def test_a_student_report_on_a_slide_outside_the_session_is_refused(live, alice):
    stranger = await Slide.objects.acreate(title="Elsewhere", width=10, height=10, status="ready")
    a, _ = await connect(live.session.pk, user=alice)
    with capture_send_event_calls() as captured:
        await send(a, type="report_viewport", ref="r", **_view(stranger.pk, 1.0, 1.0))
        error = await recv(a)
        assert (error["code"], error["ref"]) == ("forbidden", "r")
        await send(a, type="report_viewport", ref="r", **_view(live.other_slide.pk, 20_001.0, 1.0))
        assert (await recv(a))["code"] == "out_of_range"
    assert captured.of("student_view") == []
    await disconnect(a)


async def test_a_student_may_report_any_slide_of_the_session(live, alice):
    a, _ = await connect(live.session.pk, user=alice)
    with capture_send_event_calls() as captured:
        await send(a, type="report_viewport", **_view(live.other_slide.pk, 20_000.0, 10_000.0))
        assert await silent(a)
    assert [e["viewport"]["slide_id"] for e in captured.of("student_view")] == [live.other_slide.pk]
    await disconnect(a)


async def test_a_slide_added_to_the_course_during_the_session_is_known_at_once(
    live, course, alice, monkeypatch
):
    monkeypatch.setattr(facts, "FACTS_MIN_RELOAD", 0.0)
    a, _ = await connect(live.session.pk, user=alice)
    await send(a, type="report_viewport", **_view(live.slide.pk, 1.0, 1.0))  # caches the facts
    assert await silent(a)
    added = await Slide.objects.acreate(title="New", width=100, height=100, status="ready")
    await course.slides.aadd(added)
    await send(a, type="report_viewport", **_view(added.pk, 50.0, 50.0))
    assert await silent(a)
    await disconnect(a)

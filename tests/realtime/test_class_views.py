"""The teacher's live class map: where roaming students look, staff only, at most once a second."""

from __future__ import annotations

from typing import Any

import pytest

from classroom.actions import live as live_actions
from tests.support.realtime import connect, disconnect, recv, recv_type, send, silent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_actions, "CLASS_VIEWS_SECONDS", 0.05)


def _view(slide_id: int, x: float) -> dict[str, Any]:
    return {"type": "report_viewport", "slide_id": slide_id, "x": x, "y": 100.0, "zoom": 0.5}


async def test_the_staff_see_where_roaming_students_look(live, teacher, alice, bob) -> None:
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    b, _ = await connect(live.session.pk, user=bob)
    await send(a, type="follow", following=False)
    await send(a, **_view(live.slide.pk, 1234.0))
    await send(b, **_view(live.slide.pk, 999.0))  # bob follows: not on the map
    frame = await recv_type(t, "class_views")
    while not frame["views"]:
        frame = await recv_type(t, "class_views")
    assert frame["views"] == [
        {
            "participant": f"u:{alice.pk}",
            "name": "Alice",
            "viewport": {
                "slide_id": live.slide.pk,
                "x": 1234.0,
                "y": 100.0,
                "zoom": 0.5,
                "rotation": 0.0,
            },
        }
    ]
    assert "seq" not in frame  # ephemeral: a reconnecting teacher gets the next one
    for student in (a, b):
        while not await silent(student, 0.3):
            assert (await recv(student))["type"] != "class_views"
    await send(a, type="follow", following=True)  # back with the teacher: off the map
    frame = await recv_type(t, "class_views")
    while frame["views"]:
        frame = await recv_type(t, "class_views")
    await disconnect(t, a, b)

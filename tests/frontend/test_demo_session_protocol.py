"""The demo logins drive the demo session through the websocket protocol.

`load_demo` must leave a session that works end to end (issue 3's "Done
when"): the demo teacher opens agenda items, demo students follow, and a
guest joins with the printed code. Uses the realtime test helpers through the
full ASGI stack; see docs/protocol.md.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import AsyncClient

from classroom.models import LiveSession
from frontend import demo
from slides.models import Slide
from tests.support.realtime import connect, disconnect, recv, send

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("realtime_isolation"),
]


def _demo_session() -> LiveSession:
    for title in ("Kidney H&E", "Liver H&E"):
        Slide.objects.create(
            title=title,
            width=20_000,
            height=15_000,
            level_count=4,
            mpp_x=0.25,
            mpp_y=0.25,
            objective_power=40.0,
            status=Slide.Status.READY,
            visibility=Slide.Visibility.PUBLIC,
        )
    return demo.load_demo().session


async def test_the_demo_teacher_opens_an_item_and_a_demo_student_follows(settings: Any) -> None:
    session = await database_sync_to_async(_demo_session)()
    teacher = await User.objects.aget(username=demo.TEACHER)
    student = await User.objects.aget(username=demo.STUDENTS[0])

    t, snapshot = await connect(session.pk, user=teacher)
    assert snapshot["you"]["role"] == "teacher"
    assert snapshot["session"]["state"] == "live"
    assert len(snapshot["agenda"]) == 3
    s, student_snapshot = await connect(session.pk, user=student)
    assert student_snapshot["you"]["role"] == "student"

    await send(t, type="open_item", index=1)
    event = await recv(t)
    assert event["type"] == "slide_opened"
    assert event["agenda_index"] == 1
    item = await session.agenda.aget(position=1)
    assert event["viewport"] == {"slide_id": item.slide_id, **(item.view or {})}
    assert await recv(s) == event
    await disconnect(t, s)


async def test_a_guest_joins_the_demo_session_with_its_code(settings: Any) -> None:
    session = await database_sync_to_async(_demo_session)()
    response = await AsyncClient().post(
        "/courses/join",
        data=json.dumps({"code": session.join_code, "name": "Gary"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    joined = response.json()
    g, snapshot = await connect(session.pk, guest=joined["guest_token"])
    assert snapshot["you"]["participant"] == joined["guest"]["participant"]
    assert snapshot["you"]["name"] == "Gary"
    await disconnect(g)

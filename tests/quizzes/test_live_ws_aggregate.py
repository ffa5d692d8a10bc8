"""The teacher's live aggregate over the websocket (docs/protocol.md, "Quizzes").

Staff get throttled ``quiz_aggregate`` frames (a final one at the close);
students never get aggregates nor anyone else's answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from classroom.models import Membership
from tests.support.live_quiz import SINGLE, answer, drain, locate_spec, push
from tests.support.realtime import capture_send_event_calls, connect, disconnect, recv_type

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("realtime_isolation"),
]


def _students(course: Any, n: int) -> list[User]:
    users = []
    for i in range(n):
        user = User.objects.create_user(f"student{i}", password="x")
        Membership.objects.create(course=course, user=user, role=Membership.Role.STUDENT)
        users.append(user)
    return users


async def test_many_answers_reach_the_teacher_as_few_throttled_updates_and_a_final_one(
    live, course, teacher, alice, settings
):
    settings.QUIZ_AGGREGATE_INTERVAL_MS = 200
    users = await database_sync_to_async(_students)(course, 12)
    t, _ = await connect(live.session.pk, user=teacher)
    socks: list[WebsocketCommunicator] = []
    for user in users:
        socks.append((await connect(live.session.pk, user=user))[0])
    with capture_send_event_calls() as captured:
        lq_id = await push(t, SINGLE)
        for i, sock in enumerate(socks):
            choice = "hep" if i % 3 else "kup"
            assert (await answer(sock, lq_id, f"c{i}", {"choice": choice}))["type"] == "quiz_ack"
        await t.send_json_to({"type": "quiz_close", "live_question_id": lq_id})
        final = await _final_aggregate(t)
    assert final["aggregate"]["answered"] == 12
    assert final["aggregate"]["counts"] == {"hep": 8, "kup": 4, "ste": 0}
    assert final["aggregate"]["correct"] == 8
    published = captured.of("quiz_aggregate")
    assert 1 <= len(published) < 12  # throttled, never one per answer
    assert [e["audience"] for e in captured.events if e["event"]["type"] == "quiz_aggregate"] == [
        "staff"
    ] * len(published)
    assert published[-1]["final"] is True
    for sock in socks:
        frames = await drain(sock)
        assert not [f for f in frames if f["type"] == "quiz_aggregate"]
    await disconnect(t, *socks)


async def _final_aggregate(t: WebsocketCommunicator) -> dict[str, Any]:
    while True:
        frame = await recv_type(t, "quiz_aggregate")
        if frame["final"]:
            return frame


async def test_students_never_see_aggregates_or_each_others_answers(live, teacher, alice, bob):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    b, _ = await connect(live.session.pk, user=bob)
    text = {"prompt": "Name the process", "body": {"type": "text", "accepted": ["mitosis"]}}
    lq_id = await push(t, text)
    await answer(a, lq_id, "a-1", {"text": "Alice-private-words"})
    await answer(b, lq_id, "b-1", {"text": "Bob-private-words"})
    aggregate = await recv_type(t, "quiz_aggregate")
    while aggregate["aggregate"]["answered"] < 2:
        aggregate = await recv_type(t, "quiz_aggregate")
    groups = {g["text"] for g in aggregate["aggregate"]["groups"]}
    assert groups == {"Alice-private-words", "Bob-private-words"}
    await t.send_json_to({"type": "quiz_reveal", "live_question_id": lq_id})
    await recv_type(t, "quiz_reveal")
    a_frames = " ".join(str(f) for f in await drain(a))
    b_frames = " ".join(str(f) for f in await drain(b))
    assert "Bob-private-words" not in a_frames and "quiz_aggregate" not in a_frames
    assert "Alice-private-words" not in b_frames and "quiz_aggregate" not in b_frames
    assert "Alice-private-words" in a_frames  # her own result
    await disconnect(t, a, b)


async def test_locate_answers_show_as_a_heatmap_with_the_hit_rate(
    live, course, teacher, alice, bob
):
    await database_sync_to_async(course.slides.add)(live.slide)
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    b, _ = await connect(live.session.pk, user=bob)
    lq_id = await push(t, locate_spec(live.slide.pk))
    question = await recv_type(a, "quiz_question")
    assert question["question"]["slide_id"] == live.slide.pk
    assert "regions" not in str(question) and "tolerance" not in str(question)
    await answer(a, lq_id, "a-1", {"x": 1500.0, "y": 1500.0})  # inside the target
    await answer(b, lq_id, "b-1", {"x": 40_000.0, "y": 30_000.0})  # far away
    await t.send_json_to({"type": "quiz_close", "live_question_id": lq_id})
    final = (await _final_aggregate(t))["aggregate"]
    assert final["hit_rate"] == 0.5
    heatmap = final["heatmap"]
    assert (heatmap["bins_x"], heatmap["cell_width"]) == (64, 50_000 / 64)
    assert heatmap["cells"] == [[1, 2, 1], [51, 48, 1]]
    assert "regions" not in str(await drain(a))  # regions come only with the reveal
    await disconnect(t, a, b)

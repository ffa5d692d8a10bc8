"""The active question in the session snapshot, and the session's end (docs/protocol.md)."""

from __future__ import annotations

import pytest

from quizzes.models import LiveQuestion
from tests.support.live_quiz import SINGLE, answer, guest_token, push
from tests.support.realtime import connect, disconnect, recv_type, send

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("realtime_isolation"),
]


async def test_the_snapshot_has_no_question_until_one_is_pushed(live, alice):
    a, snapshot = await connect(live.session.pk, user=alice)
    assert snapshot["question"] is None
    await disconnect(a)


async def test_the_snapshot_follows_pushes_and_dismissals(live, teacher, alice):
    a0, first = await connect(live.session.pk, user=alice)
    assert first["question"] is None
    t, _ = await connect(live.session.pk, user=teacher)
    lq_id = await push(t, SINGLE)
    a, pushed = await connect(live.session.pk, user=alice)
    assert pushed["question"]["live_question_id"] == lq_id
    await send(t, type="quiz_dismiss", live_question_id=lq_id)
    await recv_type(t, "quiz_dismissed")
    a2, dismissed = await connect(live.session.pk, user=alice)
    assert dismissed["question"] is None
    await disconnect(t, a0, a, a2)


async def test_a_reconnecting_student_gets_the_question_their_answer_and_the_time_left(
    live, teacher, alice
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    await answer(a, lq_id, "a-1", {"choice": "kup"})
    await disconnect(a)
    a, snapshot = await connect(live.session.pk, user=alice)
    question = snapshot["question"]
    assert question["live_question_id"] == lq_id and question["state"] == "open"
    assert question["question"]["options"][0] == {"id": "hep", "text": "Hepatocyte"}
    assert question["your_answer"] == {
        "answer": {"choice": "kup"},
        "client_id": "a-1",
        "revision": 1,
    }
    assert 0 < question["remaining_s"] <= 60
    assert question["spec"] is None and question["aggregate"] is None
    assert question["reveal"] is None
    await disconnect(t, a)


async def test_a_guest_snapshot_has_their_own_answer_only(live, teacher, alice):
    token = await guest_token(live.session, "Gus")
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    await answer(a, lq_id, "a-1", {"choice": "kup"})
    g, snapshot = await connect(live.session.pk, guest=token)
    assert snapshot["question"]["live_question_id"] == lq_id
    assert snapshot["question"]["your_answer"] is None
    await disconnect(t, a, g)


async def test_staff_snapshots_carry_the_full_question_and_the_live_aggregate(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    await answer(a, lq_id, "a-1", {"choice": "hep"})
    t2, snapshot = await connect(live.session.pk, user=teacher)
    question = snapshot["question"]
    assert question["spec"]["body"]["options"][0]["correct"] is True
    assert question["aggregate"]["counts"] == {"hep": 1, "kup": 0, "ste": 0}
    await disconnect(t, t2, a)


async def test_a_dismissed_question_leaves_the_snapshot(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    lq_id = await push(t, SINGLE)
    await send(t, type="quiz_dismiss", live_question_id=lq_id)
    assert (await recv_type(t, "quiz_dismissed"))["live_question_id"] == lq_id
    a, snapshot = await connect(live.session.pk, user=alice)
    assert snapshot["question"] is None
    await disconnect(t, a)


async def test_ending_the_session_closes_the_open_question(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    await send(t, type="session_end")
    closed = await recv_type(a, "quiz_closed")
    assert (closed["live_question_id"], closed["reason"]) == (lq_id, "ended")
    assert (await LiveQuestion.objects.aget(pk=lq_id)).state == "closed"
    assert (await answer(a, lq_id, "a-1", {"choice": "hep"}))["code"] == "closed"
    await send(t, type="quiz_push", question=SINGLE)
    assert (await recv_type(t, "error"))["code"] == "closed"
    await disconnect(t, a)

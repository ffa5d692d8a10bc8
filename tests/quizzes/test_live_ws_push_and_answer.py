"""Pushing a question and answering it over the session websocket (docs/protocol.md, "Quizzes")."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from quizzes.models import AnswerReceipt, LiveAnswer, LiveQuestion, Question
from tests.support.live_quiz import SINGLE, answer, guest_token, push
from tests.support.quizzes import make_single
from tests.support.realtime import (
    capture_send_event_calls,
    connect,
    disconnect,
    recv,
    recv_type,
    send,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("realtime_isolation"),
]


async def test_students_and_guests_receive_the_pushed_question_without_answers(
    live, teacher, alice
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    g, _ = await connect(live.session.pk, guest=await guest_token(live.session, "Gus"))
    with capture_send_event_calls() as captured:
        lq_id = await push(t, SINGLE)
        frame = await recv_type(a, "quiz_question")
    assert frame == await recv_type(g, "quiz_question")
    assert frame["live_question_id"] == lq_id and frame["seq"] >= 1
    assert frame["question"]["options"] == [
        {"id": "hep", "text": "Hepatocyte"},
        {"id": "kup", "text": "Kupffer cell"},
        {"id": "ste", "text": "Stellate cell"},
    ]
    assert "correct" not in str(frame) and "explanation" not in frame["question"]
    assert [e["audience"] for e in captured.events if e["event"]["type"] == "quiz_question"] == [
        "all"
    ]
    await disconnect(t, a, g)


async def make_single_async(live: Any) -> Question:
    question: Question = await database_sync_to_async(make_single)(live.session.course)
    return question


async def test_a_bank_question_is_pushed_with_a_time_limit_override(live, teacher, alice):
    question = await make_single_async(live)
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    await send(t, type="quiz_push", question_id=question.pk, time_limit=15, allow_change=False)
    frame = await recv_type(a, "quiz_question")
    assert frame["question"]["time_limit"] == 15
    assert frame["allow_change"] is False
    lq = await LiveQuestion.objects.aget(pk=frame["live_question_id"])
    assert (lq.deadline_at - lq.opened_at).total_seconds() == 15
    await disconnect(t, a)


async def test_it_rejects_a_push_with_neither_or_both_question_sources(live, teacher):
    t, _ = await connect(live.session.pk, user=teacher)
    await send(t, type="quiz_push", ref="p1")
    assert await recv(t) == {
        "type": "error",
        "code": "invalid",
        "message": "give either question_id (from the bank) or question (a spec)",
        "ref": "p1",
    }
    await send(t, type="quiz_push", question_id=1, question=SINGLE)
    assert (await recv(t))["code"] == "invalid"
    assert await LiveQuestion.objects.acount() == 0
    await disconnect(t)


async def test_it_rejects_an_invalid_spec_or_time_limit_or_foreign_question(live, teacher):
    t, _ = await connect(live.session.pk, user=teacher)
    bad = {**SINGLE, "body": {**SINGLE["body"], "options": SINGLE["body"]["options"][:1]}}
    await send(t, type="quiz_push", question=bad)
    error = await recv(t)
    assert error["code"] == "invalid" and "options" in error["message"]
    await send(t, type="quiz_push", question=SINGLE, time_limit=2)
    assert (await recv(t))["code"] == "out_of_range"
    await send(t, type="quiz_push", question_id=999_999)
    assert (await recv(t))["code"] == "not_found"
    assert await LiveQuestion.objects.acount() == 0
    await disconnect(t)


async def test_an_answer_is_acknowledged_only_once_it_is_committed(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    ack = await answer(a, lq_id, "c-1", {"choice": "kup"})
    assert ack["type"] == "quiz_ack" and "seq" not in ack
    assert (ack["live_question_id"], ack["client_id"], ack["revision"]) == (lq_id, "c-1", 1)
    # The ack went out after the commit: the row is there when it arrives.
    row = await LiveAnswer.objects.aget(live_question_id=lq_id, participant_key=f"u:{alice.pk}")
    assert row.payload == {"choice": "kup"} and row.correct is False
    await disconnect(t, a)


async def test_a_resent_client_id_gets_the_same_ack_and_stores_one_row(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    first = await answer(a, lq_id, "c-1", {"choice": "hep"})
    again = await answer(a, lq_id, "c-1", {"choice": "hep"})
    assert again == first
    assert await LiveAnswer.objects.filter(live_question_id=lq_id).acount() == 1
    assert await AnswerReceipt.objects.filter(live_question_id=lq_id).acount() == 1
    await disconnect(t, a)


async def test_a_student_may_change_the_answer_when_the_teacher_allows(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    assert (await answer(a, lq_id, "c-1", {"choice": "kup"}))["revision"] == 1
    assert (await answer(a, lq_id, "c-2", {"choice": "hep"}))["revision"] == 2
    row = await LiveAnswer.objects.aget(live_question_id=lq_id)
    assert row.payload == {"choice": "hep"} and row.correct is True
    # An old resend never undoes the newer answer.
    assert (await answer(a, lq_id, "c-1", {"choice": "kup"}))["revision"] == 1
    assert (await LiveAnswer.objects.aget(live_question_id=lq_id)).payload == {"choice": "hep"}
    await disconnect(t, a)


async def test_it_refuses_a_change_when_the_teacher_did_not_allow_it(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE, allow_change=False)
    await answer(a, lq_id, "c-1", {"choice": "kup"})
    error = await answer(a, lq_id, "c-2", {"choice": "hep"})
    assert error["code"] == "already_answered"
    assert (await LiveAnswer.objects.aget(live_question_id=lq_id)).payload == {"choice": "kup"}
    await disconnect(t, a)


async def test_a_guest_answers_and_is_acknowledged(live, teacher):
    t, _ = await connect(live.session.pk, user=teacher)
    g, first = await connect(live.session.pk, guest=await guest_token(live.session, "Gus"))
    lq_id = await push(t, SINGLE)
    ack = await answer(g, lq_id, "g-1", {"choice": "hep"})
    assert ack["type"] == "quiz_ack"
    row = await LiveAnswer.objects.aget(live_question_id=lq_id)
    assert row.participant_key == first["you"]["participant"]
    await disconnect(t, g)

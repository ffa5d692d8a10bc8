"""Refused quiz frames: late, foreign, forbidden and malformed (docs/protocol.md, "Quizzes").

Every refusal is an ``error`` frame; the socket stays open and nothing changes.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from classroom.actions.sessions import AgendaSpec, do_create_session
from classroom.models import LiveSession
from quizzes import runtime
from quizzes.models import LiveAnswer, LiveQuestion
from tests.support.live_quiz import SINGLE, answer, guest_token, push
from tests.support.realtime import connect, disconnect, recv, recv_type, refused_with, send, silent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("realtime_isolation"),
]


async def test_an_answer_after_the_close_gets_a_clear_error(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    await send(t, type="quiz_close", live_question_id=lq_id)
    assert (await recv_type(a, "quiz_closed"))["reason"] == "teacher"
    error = await answer(a, lq_id, "c-1", {"choice": "hep"})
    assert error["code"] == "closed" and "closed" in error["message"]
    assert await LiveAnswer.objects.acount() == 0
    await disconnect(t, a)


async def test_an_answer_after_the_deadline_is_late(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    runtime.deadlines.cancel(lq_id)  # as if the timer had not fired yet
    await LiveQuestion.objects.filter(pk=lq_id).aupdate(
        deadline_at=timezone.now() - timedelta(seconds=5)
    )
    error = await answer(a, lq_id, "c-1", {"choice": "hep"})
    assert error["code"] == "late"
    assert await LiveAnswer.objects.acount() == 0
    await disconnect(t, a)


@pytest.mark.parametrize("frame", ["quiz_push", "quiz_close", "quiz_reveal", "quiz_dismiss"])
async def test_it_forbids_students_to_send_teacher_quiz_commands(live, teacher, alice, frame):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    await recv_type(a, "quiz_question")
    fields = {"question": SINGLE} if frame == "quiz_push" else {"live_question_id": lq_id}
    await send(a, type=frame, ref="s1", **fields)
    error = await recv(a)
    assert (error["type"], error["code"], error["ref"]) == ("error", "forbidden", "s1")
    lq = await LiveQuestion.objects.aget()
    assert (lq.pk, lq.state, lq.dismissed_at) == (lq_id, "open", None)
    assert await silent(t)
    await disconnect(t, a)


async def test_it_forbids_teachers_to_answer(live, teacher):
    t, _ = await connect(live.session.pk, user=teacher)
    lq_id = await push(t, SINGLE)
    assert (await answer(t, lq_id, "c-1", {"choice": "hep"}))["code"] == "forbidden"
    assert await LiveAnswer.objects.acount() == 0
    await disconnect(t)


async def test_outsiders_cannot_connect_to_answer(live, outsider):
    assert await refused_with(live.session.pk, user=outsider) == 4403


async def test_a_guest_of_another_session_cannot_answer_this_sessions_question(
    live, course, teacher
):
    t, _ = await connect(live.session.pk, user=teacher)
    lq_id = await push(t, SINGLE)
    other = await database_sync_to_async(_other_session)(course, teacher, live.slide)
    token = await guest_token(other, "Mallory")
    # Their token does not open this session...
    assert await refused_with(live.session.pk, guest=token) == 4403
    # ...and on their own session's socket this question does not exist.
    m, _ = await connect(other.pk, guest=token)
    error = await answer(m, lq_id, "m-1", {"choice": "hep"})
    assert error["code"] == "not_found"
    assert await LiveAnswer.objects.acount() == 0
    await disconnect(t, m)


def _other_session(course, teacher, slide):
    session = do_create_session(
        course, title="Other", created_by=teacher, agenda=[AgendaSpec(slide)], allow_guests=True
    )
    session.state = LiveSession.State.LIVE
    session.save()
    return session


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"choice": 1}, "invalid_answer"),  # wrong type
        ({"choice": "nope"}, "invalid_answer"),  # no such option
        ({"value": 3}, "invalid_answer"),  # a numeric answer to a choice question
        ({"choice": "hep", "extra": 1}, "invalid_answer"),
        ({}, "invalid"),  # empty answer object
    ],
)
async def test_it_rejects_malformed_choice_answers_and_keeps_the_socket(
    live, teacher, alice, payload, code
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    error = await answer(a, lq_id, "c-1", payload)
    assert (error["type"], error["code"]) == ("error", code)
    assert await LiveAnswer.objects.acount() == 0
    # The socket stays open and the next good answer counts.
    assert (await answer(a, lq_id, "c-2", {"choice": "hep"}))["type"] == "quiz_ack"
    await disconnect(t, a)


NUMERIC = {"prompt": "Diameter in µm?", "body": {"type": "numeric", "answer": 7.5}}
TEXT = {"prompt": "Name it", "body": {"type": "text", "accepted": ["mitosis"]}}


@pytest.mark.parametrize(
    ("spec", "payload"),
    [
        (NUMERIC, {"value": "7.5"}),  # a string is not a number
        (NUMERIC, {"value": True}),
        (TEXT, {"text": "x" * 5000}),  # longer than an answer may be
        (TEXT, {"text": "   "}),
    ],
)
async def test_it_rejects_bad_numbers_and_text_answers(live, teacher, alice, spec, payload):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, spec)
    assert (await answer(a, lq_id, "c-1", payload))["code"] == "invalid_answer"
    assert await LiveAnswer.objects.acount() == 0
    await disconnect(t, a)


async def test_it_rejects_malformed_quiz_frames_with_protocol_errors(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    await recv_type(a, "quiz_question")
    base = {"type": "quiz_answer", "live_question_id": lq_id, "answer": {"choice": "hep"}}
    cases = [
        ({**base, "client_id": ""}, "invalid"),
        ({**base, "client_id": "x" * 65}, "invalid"),
        ({**base, "client_id": "bad\nid"}, "invalid"),
        ({**base, "client_id": "c", "live_question_id": "1"}, "invalid"),
        ({**base, "client_id": "c", "live_question_id": 0}, "out_of_range"),
        ({**base, "client_id": "c", "answer": "hep"}, "invalid"),
    ]
    for frame, code in cases:
        await send(a, **frame)
        assert (await recv(a))["code"] == code, frame
    await a.send_to(text_data='{"type": "quiz_answer", "answer": {"value": NaN}}')
    assert (await recv(a))["code"] == "bad_json"
    await a.send_to(text_data='{"type": "quiz_answer", "client_id": "' + "x" * 70_000 + '"}')
    assert (await recv(a))["code"] == "too_large"
    assert (await answer(a, lq_id, "ok", {"choice": "hep"}))["type"] == "quiz_ack"
    assert await LiveAnswer.objects.acount() == 1
    await disconnect(t, a)


async def test_an_invalid_push_spec_is_a_refused_action_not_a_protocol_violation(
    live, teacher, settings
):
    settings.REALTIME_ABUSE_LIMIT = 3
    t, _ = await connect(live.session.pk, user=teacher)
    bad_spec = {**SINGLE, "body": {"type": "single", "options": []}}
    for i in range(4):  # more than the abuse limit, within the push burst of 5
        await send(t, type="quiz_push", ref=f"p{i}", question=bad_spec)
        error = await recv(t)
        assert (error["code"], error["ref"]) == ("invalid", f"p{i}"), error
    await send(t, type="quiz_push", ref="p4")  # neither question_id nor question
    assert (await recv(t))["code"] == "invalid"
    assert await LiveQuestion.objects.acount() == 0
    await asyncio.sleep(1.1)  # a push token back
    assert await push(t, SINGLE) >= 1  # the socket is still open
    await disconnect(t)

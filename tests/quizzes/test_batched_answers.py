"""The group-commit writer: concurrent answers are committed in few
transactions, every one is acknowledged and none is lost (docs/quizzes.md)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.db import connections

from classroom.models import LiveSession
from quizzes import runtime
from quizzes.actions.live import aclose_question, asubmit_answer, do_push_question
from quizzes.answers import AnswerAck, get_writer
from quizzes.domain import Participant, QuizError
from quizzes.models import AnswerReceipt, LiveAnswer, LiveQuestion, Question
from tests.support.quizzes import make_crowd

pytestmark = pytest.mark.django_db(transaction=True)

N = 150


@pytest.fixture(autouse=True)
async def close_sync_thread_connection() -> AsyncIterator[None]:
    yield
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
def crowd(session: LiveSession) -> list[User]:
    return make_crowd(session, N)


@pytest.fixture
def live(session: LiveSession, single: Question, teacher: User) -> LiveQuestion:
    return do_push_question(session, single, by=teacher)


async def submit(lq: LiveQuestion, p: Participant, payload: Any, cid: str) -> AnswerAck | QuizError:
    try:
        return await asubmit_answer(lq.pk, p, payload, cid)
    except QuizError as e:
        return e


async def test_concurrent_answers_are_all_committed_in_few_batches(
    live: LiveQuestion, choice_ids: list[str], crowd: list[User], outsider: User
):
    choices = choice_ids
    calls = [
        submit(live, Participant.for_user(u), {"choice": choices[i % 3]}, f"c{i}")
        for i, u in enumerate(crowd)
    ]
    calls.append(submit(live, Participant.for_user(outsider), {"choice": choices[0]}, "o"))
    calls.append(submit(live, Participant.for_user(crowd[0]), {"choice": "nope"}, "bad"))
    outcomes = await asyncio.gather(*calls)

    acks = [o for o in outcomes[:N] if isinstance(o, AnswerAck)]
    assert len(acks) == N
    outsider_outcome, malformed = outcomes[N], outcomes[N + 1]
    assert isinstance(outsider_outcome, QuizError) and outsider_outcome.code == "not_participant"
    assert isinstance(malformed, QuizError) and malformed.code == "invalid"
    writer = get_writer()
    assert writer.batches < N / 5

    count = await database_sync_to_async(LiveAnswer.objects.filter(live_question=live).count)()
    assert count == N
    aggregate = runtime.aggregates.peek(live.pk)
    assert aggregate is not None and aggregate.teacher_view()["answered"] == N


async def test_resends_inside_one_batch_get_the_same_ack_and_one_row(
    live: LiveQuestion, choice_ids: list[str], crowd: list[User]
):
    me = Participant.for_user(crowd[0])
    choice = choice_ids[0]
    first, second = await asyncio.gather(
        submit(live, me, {"choice": choice}, "twice"), submit(live, me, {"choice": choice}, "twice")
    )
    assert isinstance(first, AnswerAck) and isinstance(second, AnswerAck)
    assert first.as_event() == second.as_event() and second.duplicate
    receipts = await database_sync_to_async(
        AnswerReceipt.objects.filter(live_question=live).count
    )()
    assert receipts == 1


async def test_the_last_change_inside_one_batch_wins(
    live: LiveQuestion, choice_ids: list[str], crowd: list[User]
):
    me = Participant.for_user(crowd[0])
    a, b, c = choice_ids
    outcomes = await asyncio.gather(
        submit(live, me, {"choice": a}, "1"),
        submit(live, me, {"choice": b}, "2"),
        submit(live, me, {"choice": c}, "3"),
    )
    assert [o.revision for o in outcomes if isinstance(o, AnswerAck)] == [1, 2, 3]
    row = await database_sync_to_async(LiveAnswer.objects.get)(live_question=live)
    assert row.payload == {"choice": c} and row.revision == 3
    aggregate = runtime.aggregates.peek(live.pk)
    assert aggregate is not None and aggregate.teacher_view()["counts"] == {a: 0, b: 0, c: 1}


async def test_closing_from_the_event_loop_commits_answers_already_received(
    live: LiveQuestion, choice_ids: list[str], crowd: list[User], teacher: User
):
    choice = choice_ids[0]
    pending = [
        asyncio.ensure_future(submit(live, Participant.for_user(u), {"choice": choice}, f"x{i}"))
        for i, u in enumerate(crowd[:40])
    ]
    await asyncio.sleep(0)  # they are queued, not yet committed
    await aclose_question(live.pk, by=teacher)
    outcomes = await asyncio.gather(*pending)
    assert all(isinstance(o, AnswerAck) for o in outcomes)
    late = await submit(live, Participant.for_user(crowd[50]), {"choice": choice}, "late")
    assert isinstance(late, QuizError) and late.code == "closed"

"""Every way a question closes first commits the answers already received:
the deadline and ``aclose_question`` (tests/quizzes/test_batched_answers.py),
a push replacing it and the session's end (here). See docs/quizzes.md,
"Answer durability"."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.db import connections

from classroom.actions.sessions import do_end_session
from classroom.models import LiveSession
from quizzes.actions.live import asubmit_answer, do_push_question
from quizzes.answers import AnswerAck
from quizzes.domain import Participant, QuizError
from quizzes.models import LiveAnswer, LiveQuestion, Question
from tests.support.quizzes import Captured, make_crowd

pytestmark = pytest.mark.django_db(transaction=True)

N = 20


@pytest.fixture(autouse=True)
def answers_wait_in_the_batch_window(settings: Any) -> None:
    # Long enough that the answers below are surely still queued when the
    # question closes (the default is 10 ms).
    settings.QUIZ_BATCH_WINDOW_MS = 400


@pytest.fixture(autouse=True)
async def close_sync_thread_connection() -> AsyncIterator[None]:
    yield
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
def crowd(session: LiveSession) -> list[User]:
    return make_crowd(session, N)


async def submit(lq: LiveQuestion, user: User, choice: str, cid: str) -> AnswerAck | QuizError:
    try:
        return await asubmit_answer(lq.pk, Participant.for_user(user), {"choice": choice}, cid)
    except QuizError as e:
        return e


def queue_answers(lq: LiveQuestion, crowd: list[User], choice: str) -> list[asyncio.Future[Any]]:
    return [asyncio.ensure_future(submit(lq, u, choice, f"c{i}")) for i, u in enumerate(crowd)]


def final_aggregates(events: Captured, lq: LiveQuestion) -> list[dict[str, Any]]:
    return [
        e
        for _, e, _ in events
        if e["type"] == "quiz_aggregate" and e["live_question_id"] == lq.pk and e["final"]
    ]


async def test_it_commits_queued_answers_before_a_new_question_replaces_the_open_one(
    session: LiveSession,
    single: Question,
    choice_ids: list[str],
    crowd: list[User],
    teacher: User,
    events: Captured,
):
    push = database_sync_to_async(do_push_question)
    first = await push(session, single, by=teacher)
    pending = queue_answers(first, crowd, choice_ids[0])
    await asyncio.sleep(0)  # received, waiting in the batch window

    await push(
        session, {"prompt": "Next?", "body": {"type": "truefalse", "answer": True}}, by=teacher
    )

    outcomes = await asyncio.gather(*pending)
    assert all(isinstance(o, AnswerAck) for o in outcomes), outcomes
    stored = await database_sync_to_async(LiveAnswer.objects.filter(live_question=first).count)()
    assert stored == N
    await database_sync_to_async(first.refresh_from_db)()
    assert first.close_reason == "replaced"
    assert final_aggregates(events, first)[-1]["aggregate"]["answered"] == N


async def test_it_commits_queued_answers_before_the_session_end_closes_the_question(
    session: LiveSession,
    single: Question,
    choice_ids: list[str],
    crowd: list[User],
    teacher: User,
    events: Captured,
):
    lq = await database_sync_to_async(do_push_question)(session, single, by=teacher)
    pending = queue_answers(lq, crowd, choice_ids[0])
    await asyncio.sleep(0)

    await database_sync_to_async(do_end_session)(session)

    outcomes = await asyncio.gather(*pending)
    assert all(isinstance(o, AnswerAck) for o in outcomes), outcomes
    await database_sync_to_async(lq.refresh_from_db)()
    assert (lq.state, lq.close_reason) == ("closed", "ended")
    assert final_aggregates(events, lq)[-1]["aggregate"]["answered"] == N


async def test_an_answer_received_after_the_session_ended_is_refused(
    session: LiveSession, single: Question, choice_ids: list[str], alice: User, teacher: User
):
    lq = await database_sync_to_async(do_push_question)(session, single, by=teacher)
    await database_sync_to_async(do_end_session)(session)
    late = await submit(lq, alice, choice_ids[0], "after-the-end")
    assert isinstance(late, QuizError) and late.code == "closed"

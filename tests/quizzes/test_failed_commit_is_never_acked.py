"""An ack means committed: when the database refuses a batch, nobody whose
answer was not stored gets a ``quiz_ack``, and the other answers of the batch
are retried one by one (see docs/quizzes.md, "Answer durability")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.db import DatabaseError, connections
from django.db.models.query import QuerySet

from classroom.models import Course, LiveSession, Membership
from quizzes import runtime
from quizzes.actions.live import asubmit_answer, do_push_question
from quizzes.answers import AnswerAck
from quizzes.domain import Participant, QuizError
from quizzes.models import AnswerReceipt, LiveAnswer, LiveQuestion, Question
from tests.support.live_quiz import SINGLE, answer, push
from tests.support.realtime import connect, disconnect

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("realtime_isolation"),
]


class FailingInsert:
    """``LiveAnswer`` bulk inserts raise DatabaseError while they hold a poisoned participant."""

    def __init__(self, *poisoned: str) -> None:
        self.poisoned = set(poisoned)
        self.batches: list[list[str]] = []
        self._real = QuerySet.bulk_create

    def __call__(self, qs: QuerySet[Any], objs: Any, *args: Any, **kwargs: Any) -> Any:
        if qs.model is not LiveAnswer:
            return self._real(qs, objs, *args, **kwargs)
        rows = list(objs)
        keys = [row.participant_key for row in rows]
        self.batches.append(keys)
        if self.poisoned & set(keys) or "*" in self.poisoned:
            raise DatabaseError("could not extend file: No space left on device")
        return self._real(qs, rows, *args, **kwargs)


@pytest.fixture
def failing_insert(monkeypatch: pytest.MonkeyPatch) -> Iterator[FailingInsert]:
    fake = FailingInsert()

    def bulk_create(qs: QuerySet[Any], objs: Any, *args: Any, **kwargs: Any) -> Any:
        return fake(qs, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", bulk_create)
    yield fake


@pytest.fixture
def carol(course: Course) -> User:
    user = User.objects.create_user("carol", first_name="Carol")
    Membership.objects.create(course=course, user=user, role=Membership.Role.STUDENT)
    return user


@pytest.fixture(autouse=True)
async def close_sync_thread_connection() -> AsyncIterator[None]:
    yield
    await database_sync_to_async(connections.close_all)()


async def submit(lq: LiveQuestion, user: User, payload: Any, cid: str) -> AnswerAck | QuizError:
    try:
        return await asubmit_answer(lq.pk, Participant.for_user(user), payload, cid)
    except QuizError as e:
        return e


async def test_it_never_acks_the_answer_the_database_refused_and_retries_the_others_alone(
    session: LiveSession,
    single: Question,
    choice_ids: list[str],
    teacher: User,
    alice: User,
    bob: User,
    carol: User,
    failing_insert: FailingInsert,
):
    lq = await database_sync_to_async(do_push_question)(session, single, by=teacher)
    failing_insert.poisoned.add(Participant.for_user(bob).key)

    outcomes = await asyncio.gather(
        submit(lq, alice, {"choice": choice_ids[0]}, "a"),
        submit(lq, bob, {"choice": choice_ids[1]}, "b"),
        submit(lq, carol, {"choice": choice_ids[2]}, "c"),
    )

    refused = outcomes[1]
    assert isinstance(refused, QuizError) and refused.code == "conflict"
    assert isinstance(outcomes[0], AnswerAck) and isinstance(outcomes[2], AnswerAck)
    # The batch of three failed as a whole, then each was committed alone.
    assert [len(keys) for keys in failing_insert.batches] == [3, 1, 1, 1]
    stored = await database_sync_to_async(
        lambda: set(LiveAnswer.objects.values_list("participant_key", flat=True))
    )()
    assert stored == {f"u:{alice.pk}", f"u:{carol.pk}"}
    assert not await AnswerReceipt.objects.filter(participant_key=f"u:{bob.pk}").aexists()
    aggregate = runtime.aggregates.peek(lq.pk)
    assert aggregate is not None and aggregate.teacher_view()["answered"] == 2


async def test_the_submitter_gets_an_error_frame_not_an_ack_and_a_resend_is_acked_later(
    live: Any, teacher: User, alice: User, failing_insert: FailingInsert
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    failing_insert.poisoned.add("*")

    reply = await answer(a, lq_id, "c-1", {"choice": "hep"})
    assert reply["type"] == "error" and reply["code"] == "conflict", reply
    assert not await LiveAnswer.objects.aexists()

    failing_insert.poisoned.clear()  # the database is back; the client resends
    reply = await answer(a, lq_id, "c-1", {"choice": "hep"})
    assert reply["type"] == "quiz_ack" and reply["revision"] == 1
    await disconnect(t, a)

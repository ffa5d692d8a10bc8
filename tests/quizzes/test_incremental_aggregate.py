"""The live aggregate is computed incrementally: a commit costs the same few
queries whether it is the first answer or the sixtieth, and never re-reads
the question's answers (see docs/quizzes.md, "Aggregation and throttling")."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from classroom.models import LiveSession
from quizzes import runtime
from quizzes.actions.live import do_push_question, do_submit_answer
from quizzes.aggregation import AggregateRegistry
from quizzes.answers import AnswerAck, Submission, commit_batch
from quizzes.domain import Participant
from quizzes.models import LiveQuestion, Question
from tests.support.quizzes import make_crowd

pytestmark = pytest.mark.django_db(transaction=True)

N = 60


@pytest.fixture
def crowd(session: LiveSession) -> list[User]:
    return make_crowd(session, N)


@pytest.fixture
def live(session: LiveSession, single: Question, teacher: User) -> LiveQuestion:
    return do_push_question(session, single, by=teacher)


def test_it_costs_the_same_queries_per_commit_with_sixty_answers_as_with_one(
    live: LiveQuestion, choice_ids: list[str], crowd: list[User]
):
    per_commit = []
    with patch.object(AggregateRegistry, "rebuild", wraps=runtime.aggregates.rebuild) as rebuild:
        for i, user in enumerate(crowd):
            with CaptureQueriesContext(connection) as queries:
                do_submit_answer(
                    live, Participant.for_user(user), {"choice": choice_ids[i % 3]}, f"c{i}"
                )
            per_commit.append(len(queries))
    assert rebuild.call_count == 0  # updated in place, never re-read
    assert max(per_commit) == min(per_commit), per_commit

    aggregate = runtime.aggregates.peek(live.pk)
    assert aggregate is not None
    assert aggregate.teacher_view() == runtime.aggregates.rebuild(live.pk).teacher_view()
    assert aggregate.teacher_view()["answered"] == N


def test_a_batch_of_sixty_answers_costs_the_same_queries_as_a_batch_of_five(
    live: LiveQuestion,
    choice_ids: list[str],
    crowd: list[User],
    django_assert_num_queries: DjangoAssertNumQueries,
):
    def batch(users: list[User], tag: str) -> list[Submission]:
        return [
            Submission(
                live_question_id=live.pk,
                participant=Participant.for_user(u),
                payload={"choice": choice_ids[0]},
                client_id=f"{tag}{i}",
                received_at=timezone.now(),
            )
            for i, u in enumerate(users)
        ]

    with CaptureQueriesContext(connection) as five:
        commit_batch(batch(crowd[:5], "a"))
    with django_assert_num_queries(len(five)):
        outcomes = commit_batch(batch(crowd, "b"))  # 5 changes and 55 first answers
    assert len(outcomes) == N and all(isinstance(o, AnswerAck) for o in outcomes)
    aggregate = runtime.aggregates.peek(live.pk)
    assert aggregate is not None and aggregate.teacher_view()["answered"] == N

"""A restart during an open question loses nothing: deadlines persist, timers
are re-armed, aggregates are rebuilt (see docs/quizzes.md, "Restart resilience")."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from unittest.mock import Mock

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError
from django.utils import timezone

from classroom.models import LiveSession
from quizzes import runtime
from quizzes.actions.live import do_push_question, do_submit_answer
from quizzes.actions.resume import resume_in_background, resume_open_questions
from quizzes.actions.reveal import active_question_for
from quizzes.apps import serves_requests
from quizzes.domain import Participant
from quizzes.models import LiveQuestion, Question
from tests.support.quizzes import Captured, option_ids

pytestmark = pytest.mark.django_db(transaction=True)


def test_resume_rebuilds_the_aggregate_and_rearms_the_deadline(
    session: LiveSession, single: Question, teacher: User, alice: User, bob: User
):
    right = option_ids(single)[0]
    lq = do_push_question(session, single, by=teacher)
    do_submit_answer(lq, Participant.for_user(alice), {"choice": right}, "a")
    runtime.reset()  # the process dies
    assert runtime.aggregates.peek(lq.pk) is None and not runtime.deadlines.armed()

    assert resume_open_questions() == [lq.pk]
    aggregate = runtime.aggregates.peek(lq.pk)
    assert aggregate is not None and aggregate.teacher_view()["counts"][right] == 1
    assert lq.pk in runtime.deadlines.armed()

    do_submit_answer(lq, Participant.for_user(bob), {"choice": right}, "b")
    assert aggregate.teacher_view()["answered"] == 2


def test_a_reconnecting_student_gets_the_question_their_answer_and_the_time_left(
    session: LiveSession, single: Question, teacher: User, alice: User
):
    lq = do_push_question(session, single, by=teacher)
    do_submit_answer(lq, Participant.for_user(alice), {"choice": option_ids(single)[1]}, "mine")
    runtime.reset()
    snap = _active(session, Participant.for_user(alice))
    assert snap is not None
    assert snap["live_question_id"] == lq.pk and snap["state"] == "open"
    assert 0 < snap["remaining_s"] <= 30
    assert snap["your_answer"] == {
        "answer": {"choice": option_ids(single)[1]},
        "client_id": "mine",
        "revision": 1,
    }
    assert snap["reveal"] is None and snap["your_result"] is None


def test_a_question_whose_deadline_passed_during_the_outage_is_closed_on_resume(
    session: LiveSession, single: Question, teacher: User, alice: User, events: Captured
):
    lq = do_push_question(session, single, by=teacher)
    do_submit_answer(lq, Participant.for_user(alice), {"choice": option_ids(single)[0]}, "a")
    runtime.reset()
    LiveQuestion.objects.filter(pk=lq.pk).update(deadline_at=timezone.now() - timedelta(minutes=1))
    assert resume_open_questions() == []
    lq.refresh_from_db()
    assert lq.state == "closed" and lq.close_reason == "deadline"
    final = [e for _, e, a in events if e["type"] == "quiz_aggregate" and e["final"]]
    assert final and final[-1]["aggregate"]["answered"] == 1


def test_the_deadline_timer_closes_the_question(
    session: LiveSession, single: Question, teacher: User, events: Captured
):
    lq = do_push_question(session, single, by=teacher)
    soon = timezone.now() + timedelta(milliseconds=200)
    LiveQuestion.objects.filter(pk=lq.pk).update(deadline_at=soon)
    runtime.deadlines.arm(lq.pk, soon)
    # Wait for the event, not the row: reading the row while the timer thread
    # writes it fails that write on the shared in-memory SQLite test database.
    for _ in range(100):
        if any(e["type"] == "quiz_closed" for _, e, _ in events):
            break
        time.sleep(0.1)
    assert any(e["type"] == "quiz_closed" and e["reason"] == "deadline" for _, e, _ in events)
    lq.refresh_from_db()
    assert lq.state == "closed" and lq.close_reason == "deadline"


def test_the_first_snapshot_after_a_restart_rearms_the_deadline(
    session: LiveSession, single: Question, teacher: User, alice: User
):
    lq = do_push_question(session, single, by=teacher)
    runtime.reset()
    assert not runtime.deadlines.armed()
    snap = _active(session, Participant.for_user(alice))
    assert snap is not None and snap["live_question_id"] == lq.pk
    assert lq.pk in runtime.deadlines.armed()
    assert runtime.aggregates.peek(lq.pk) is not None


def test_a_serving_process_closes_a_question_that_expired_while_it_was_down_without_any_client(
    session: LiveSession, single: Question, teacher: User, alice: User, events: Captured
):
    lq = do_push_question(session, single, by=teacher)
    do_submit_answer(lq, Participant.for_user(alice), {"choice": option_ids(single)[0]}, "a")
    runtime.reset()  # the server is down...
    LiveQuestion.objects.filter(pk=lq.pk).update(deadline_at=timezone.now() - timedelta(minutes=1))
    events.clear()

    resume_in_background().join(10)  # ...and starts again; nobody connects

    lq.refresh_from_db()
    assert (lq.state, lq.close_reason) == ("closed", "deadline")
    final = [e for _, e, _ in events if e["type"] == "quiz_aggregate" and e["final"]]
    assert final and final[-1]["aggregate"]["answered"] == 1


def test_a_serving_process_rearms_the_deadline_of_a_question_still_open_at_start_up(
    session: LiveSession, single: Question, teacher: User
):
    lq = do_push_question(session, single, by=teacher)
    runtime.reset()
    resume_in_background().join(10)
    assert lq.pk in runtime.deadlines.armed()


def test_a_failed_start_up_resume_is_retried_on_first_use(
    session: LiveSession, single: Question, teacher: User, monkeypatch: pytest.MonkeyPatch
):
    lq = do_push_question(session, single, by=teacher)
    runtime.reset()
    with monkeypatch.context() as m:
        m.setattr(runtime.aggregates, "rebuild", Mock(side_effect=DatabaseError("down")))
        resume_in_background().join(10)
    assert not runtime.resumed.is_set() and not runtime.deadlines.armed()
    assert active_question_for(session, None) is not None
    assert lq.pk in runtime.deadlines.armed()


@pytest.mark.parametrize(
    ("argv", "environ", "asgi_imported", "serves"),
    [
        (["/srv/.venv/bin/daphne", "-p", "8001", "scopecast.asgi:application"], {}, True, True),
        (["manage.py", "runserver", "127.0.0.1:8000", "--noreload"], {}, False, True),
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, False, True),  # the reloader's child
        (["manage.py", "runserver"], {}, False, False),  # the reloader's parent
        (["manage.py", "migrate", "--noinput"], {}, False, False),
        (["manage.py", "load_demo"], {}, False, False),
        (["manage.py", "run_worker"], {}, False, False),
        (["/srv/.venv/bin/pytest", "-q"], {}, False, False),
    ],
)
def test_it_resumes_at_start_up_only_in_a_process_that_serves(
    argv: list[str], environ: dict[str, str], asgi_imported: bool, serves: bool
):
    modules = {"scopecast.asgi"} if asgi_imported else set()
    assert serves_requests(argv, environ, modules, asgi_module="scopecast.asgi") is serves


def _active(*args: Any, **kwargs: Any) -> dict[str, Any] | None:
    """The snapshot question as the client receives it (JSON)."""
    found = active_question_for(*args, **kwargs)
    return found.model_dump(mode="json") if found is not None else None

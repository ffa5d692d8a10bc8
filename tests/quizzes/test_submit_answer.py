"""Submitting answers to a live question: acks, duplicates, changes, late,
malformed and outsider answers (see docs/quizzes.md, "Answer durability")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from classroom.models import Guest, LiveSession
from quizzes.actions.live import do_close_question, do_push_question, do_submit_answer
from quizzes.domain import Participant, QuizError
from quizzes.models import AnswerReceipt, LiveAnswer, LiveQuestion, Question
from tests.support.quizzes import option_ids

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(session: LiveSession, single: Question, teacher: User) -> LiveQuestion:
    return do_push_question(session, single, by=teacher)


def test_it_acknowledges_a_committed_answer(live: LiveQuestion, single: Question, alice: User):
    choice = option_ids(single)[0]
    ack = do_submit_answer(live, Participant.for_user(alice), {"choice": choice}, "c-1")
    assert ack.revision == 1 and not ack.duplicate
    row = LiveAnswer.objects.get(live_question=live, participant_key=f"u:{alice.pk}")
    assert row.payload == {"choice": choice}
    assert row.correct is True
    assert row.score == 1.0


def test_it_returns_the_same_ack_for_a_resend(live: LiveQuestion, single: Question, alice: User):
    payload = {"choice": option_ids(single)[1]}
    first = do_submit_answer(live, Participant.for_user(alice), payload, "same-id")
    again = do_submit_answer(live, Participant.for_user(alice), payload, "same-id")
    assert again.duplicate
    assert again.as_event() == first.as_event()
    assert LiveAnswer.objects.filter(live_question=live).count() == 1
    assert AnswerReceipt.objects.filter(live_question=live).count() == 1


def test_it_lets_a_student_change_the_answer_until_close(
    live: LiveQuestion, single: Question, alice: User
):
    right, wrong = option_ids(single)[:2]
    do_submit_answer(live, Participant.for_user(alice), {"choice": wrong}, "a")
    ack = do_submit_answer(live, Participant.for_user(alice), {"choice": right}, "b")
    assert ack.revision == 2
    row = LiveAnswer.objects.get(live_question=live)
    assert row.payload == {"choice": right} and row.correct is True and row.revision == 2


def test_an_old_resend_after_a_change_does_not_undo_the_change(
    live: LiveQuestion, single: Question, alice: User
):
    right, wrong = option_ids(single)[:2]
    me = Participant.for_user(alice)
    do_submit_answer(live, me, {"choice": wrong}, "a")
    do_submit_answer(live, me, {"choice": right}, "b")
    ack = do_submit_answer(live, me, {"choice": wrong}, "a")
    assert ack.duplicate and ack.revision == 1
    assert LiveAnswer.objects.get(live_question=live).payload == {"choice": right}


def test_it_rejects_a_change_when_the_teacher_forbids_it(
    session: LiveSession, single: Question, teacher: User, alice: User
):
    live = do_push_question(session, single, by=teacher, allow_change=False)
    right, wrong = option_ids(single)[:2]
    do_submit_answer(live, Participant.for_user(alice), {"choice": wrong}, "a")
    with pytest.raises(QuizError) as e:
        do_submit_answer(live, Participant.for_user(alice), {"choice": right}, "b")
    assert e.value.code == "already_answered"
    assert LiveAnswer.objects.get(live_question=live).payload == {"choice": wrong}


def test_it_rejects_an_answer_after_close(
    live: LiveQuestion, single: Question, alice: User, teacher: User
):
    do_close_question(live, by=teacher)
    with pytest.raises(QuizError, match="closed") as e:
        do_submit_answer(live, Participant.for_user(alice), {"choice": option_ids(single)[0]}, "x")
    assert e.value.code == "closed" and e.value.status == 409
    assert not LiveAnswer.objects.exists()


def test_it_rejects_an_answer_after_the_deadline_even_before_the_timer_closes(
    live: LiveQuestion, single: Question, alice: User
):
    LiveQuestion.objects.filter(pk=live.pk).update(
        deadline_at=timezone.now() - timedelta(seconds=5)
    )
    with pytest.raises(QuizError, match="time for this question is up") as e:
        do_submit_answer(live, Participant.for_user(alice), {"choice": option_ids(single)[0]}, "x")
    assert e.value.code == "late"


def test_a_resend_after_close_still_gets_its_ack(
    live: LiveQuestion, single: Question, alice: User, teacher: User
):
    payload = {"choice": option_ids(single)[0]}
    first = do_submit_answer(live, Participant.for_user(alice), payload, "keep")
    do_close_question(live, by=teacher)
    again = do_submit_answer(live, Participant.for_user(alice), payload, "keep")
    assert again.as_event() == first.as_event()


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "b",
        {},
        {"choice": 3},
        {"choice": "no-such-option"},
        {"choice": "x", "extra": 1},
        {"choices": ["a"]},
        {"text": "Hepatocyte"},
    ],
)
def test_it_rejects_a_malformed_answer(live: LiveQuestion, alice: User, payload: Any):
    with pytest.raises(QuizError) as e:
        do_submit_answer(live, Participant.for_user(alice), payload, "m")
    assert e.value.code == "invalid" and e.value.status == 400
    assert not LiveAnswer.objects.exists()


@pytest.mark.parametrize("client_id", ["", None, 7, "x" * 65, "tab\there", "ünï"])
def test_it_rejects_a_bad_client_id(
    live: LiveQuestion, single: Question, alice: User, client_id: Any
):
    with pytest.raises(QuizError) as e:
        do_submit_answer(
            live, Participant.for_user(alice), {"choice": option_ids(single)[0]}, client_id
        )
    assert e.value.code == "invalid"


def test_it_rejects_a_user_outside_the_course(live: LiveQuestion, single: Question, outsider: User):
    with pytest.raises(QuizError) as e:
        do_submit_answer(
            live, Participant.for_user(outsider), {"choice": option_ids(single)[0]}, "o"
        )
    assert e.value.code == "not_participant" and e.value.status == 403
    assert not LiveAnswer.objects.exists()


def test_it_rejects_the_teacher_as_a_participant(
    live: LiveQuestion, single: Question, teacher: User
):
    with pytest.raises(QuizError) as e:
        do_submit_answer(
            live, Participant.for_user(teacher), {"choice": option_ids(single)[0]}, "t"
        )
    assert e.value.code == "not_participant"


def test_it_accepts_a_guest_of_the_session(live: LiveQuestion, single: Question, guest: Guest):
    ack = do_submit_answer(
        live, Participant.for_guest(guest), {"choice": option_ids(single)[0]}, "g"
    )
    assert ack.revision == 1
    assert LiveAnswer.objects.get(live_question=live).guest_id == guest.pk


def test_it_rejects_a_guest_of_another_session(
    live: LiveQuestion, single: Question, session: LiveSession
):
    other = LiveSession.objects.create(course=session.course, title="Other")
    stranger = Guest.objects.create(session=other, display_name="Stray")
    with pytest.raises(QuizError) as e:
        do_submit_answer(
            live, Participant.for_guest(stranger), {"choice": option_ids(single)[0]}, "s"
        )
    assert e.value.code == "not_participant"


def test_it_rejects_an_unknown_live_question(alice: User):
    with pytest.raises(QuizError) as e:
        do_submit_answer(987654, Participant.for_user(alice), {"choice": "1"}, "u")
    assert e.value.code == "not_found"


def test_it_rejects_an_answer_sent_through_another_sessions_connection(
    live: LiveQuestion, single: Question, session: LiveSession, alice: User
):
    other = LiveSession.objects.create(course=session.course, title="Other room")
    with pytest.raises(QuizError) as e:
        do_submit_answer(
            live,
            Participant.for_user(alice),
            {"choice": option_ids(single)[0]},
            "x",
            session_id=other.pk,
        )
    assert e.value.code == "not_found"
    ack = do_submit_answer(
        live,
        Participant.for_user(alice),
        {"choice": option_ids(single)[0]},
        "y",
        session_id=session.pk,
    )
    assert ack.revision == 1

"""Closing and revealing: correct answer, own results, distribution and the
speed-weighted leaderboard (see docs/quizzes.md, "Close and reveal")."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from classroom.models import Guest, LiveSession
from quizzes.actions.live import (
    do_close_question,
    do_dismiss_question,
    do_push_question,
    do_submit_answer,
)
from quizzes.actions.reveal import active_question_for, do_reveal
from quizzes.domain import Participant, QuizError
from quizzes.models import LiveQuestion, Question
from tests.support.quizzes import Captured, option_ids

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def answered(
    session: LiveSession, single: Question, teacher: User, alice: User, bob: User, guest: Guest
) -> LiveQuestion:
    right, wrong = option_ids(single)[:2]
    lq = do_push_question(session, single, by=teacher, speed_scoring=True)
    do_submit_answer(lq, Participant.for_user(alice), {"choice": right}, "a")
    do_submit_answer(lq, Participant.for_user(bob), {"choice": wrong}, "b")
    do_submit_answer(lq, Participant.for_guest(guest), {"choice": right}, "g")
    return lq


def test_closing_twice_is_harmless(answered: LiveQuestion, teacher: User, events: Captured):
    do_close_question(answered, by=teacher)
    do_close_question(answered, by=teacher)
    assert [e["type"] for _, e, _ in events].count("quiz_closed") == 1


def test_a_student_cannot_close_or_reveal(answered: LiveQuestion, alice: User):
    for action in (do_close_question, do_reveal, do_dismiss_question):
        with pytest.raises(QuizError) as e:
            action(answered, by=alice)
        assert e.value.code == "forbidden"
    answered.refresh_from_db()
    assert answered.state == "open"


def test_the_reveal_shows_the_answer_and_each_participant_only_their_own_result(
    answered: LiveQuestion,
    single: Question,
    teacher: User,
    alice: User,
    bob: User,
    guest: Guest,
    events: Captured,
):
    do_reveal(answered, by=teacher, show_distribution=True)
    answered.refresh_from_db()
    assert answered.state == "revealed" and answered.close_reason == "teacher"
    reveal = next(e for _, e, a in events if e["type"] == "quiz_reveal")
    right, wrong, third = option_ids(single)
    assert reveal["correct_answer"] == {"choices": [right]}
    assert reveal["explanation"] == "Hepatocytes secrete bile."
    assert reveal["distribution"]["counts"] == {right: 2, wrong: 1, third: 0}
    assert reveal["leaderboard"] is None
    results = {a: e for _, e, a in events if e["type"] == "quiz_result"}
    assert set(results) == {f"p:u:{alice.pk}", f"p:u:{bob.pk}", f"p:g:{guest.pk}"}
    assert results[f"p:u:{alice.pk}"]["correct"] is True
    assert results[f"p:u:{bob.pk}"]["correct"] is False
    assert results[f"p:u:{bob.pk}"]["answer"] == {"choice": wrong}
    assert 0.5 <= results[f"p:u:{alice.pk}"]["score"] <= 1.0


def test_the_teacher_can_hide_the_distribution(
    answered: LiveQuestion, teacher: User, events: Captured
):
    do_reveal(answered, by=teacher, show_distribution=False)
    reveal = next(e for _, e, _ in events if e["type"] == "quiz_reveal")
    assert reveal["distribution"] is None


def test_the_leaderboard_ranks_speed_weighted_scores_with_names(
    answered: LiveQuestion, teacher: User, events: Captured
):
    do_reveal(answered, by=teacher, show_leaderboard=True)
    reveal = next(e for _, e, _ in events if e["type"] == "quiz_reveal")
    board = reveal["leaderboard"]
    assert [entry["name"] for entry in board][:2] in (["Alice", "Gus"], ["Gus", "Alice"])
    assert board[-1] == {"rank": 3, "name": "Bob", "score": 0.0}
    assert all(0.5 <= entry["score"] <= 1.0 for entry in board[:2])


def test_a_reconnecting_student_sees_the_reveal_and_their_result(
    answered: LiveQuestion, teacher: User, session: LiveSession, bob: User
):
    do_reveal(answered, by=teacher)
    snap = _active(session, Participant.for_user(bob))
    assert snap is not None and snap["state"] == "revealed"
    assert snap["your_result"] is not None and snap["your_result"]["correct"] is False
    assert snap["remaining_s"] == 0


def test_dismissing_takes_the_question_off_screen(
    answered: LiveQuestion, teacher: User, session: LiveSession, events: Captured
):
    do_dismiss_question(answered, by=teacher)
    assert active_question_for(session, None) is None
    assert events[-1][1] == {"type": "quiz_dismissed", "live_question_id": answered.pk}


def _active(*args: Any, **kwargs: Any) -> dict[str, Any] | None:
    """The snapshot question as the client receives it (JSON)."""
    found = active_question_for(*args, **kwargs)
    return found.model_dump(mode="json") if found is not None else None

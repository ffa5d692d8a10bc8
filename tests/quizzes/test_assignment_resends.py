"""Saving a self-paced answer is idempotent like a live one: every saved
submission leaves a receipt, and a resend of a known client id returns the
original ack and changes nothing (see docs/quizzes.md, "Self-paced assignments")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from quizzes.actions.assignments import do_submit_assignment_answer
from quizzes.domain import QuizError
from quizzes.models import (
    Assignment,
    AssignmentAnswer,
    AssignmentReceipt,
    Question,
)
from tests.support.quizzes import option_ids

pytestmark = pytest.mark.django_db


def save(assignment: Assignment, user: User, question: Question, choice: str, cid: str) -> str:
    ack = do_submit_assignment_answer(
        assignment, user, question_id=question.pk, payload={"choice": choice}, client_id=cid
    )
    assert ack.client_id == cid
    return ack.saved_at.isoformat()


def test_it_keeps_the_newer_answer_when_an_older_submission_arrives_late(
    assignment: Assignment, single: Question, alice: User
):
    right, wrong = option_ids(single)[:2]
    first = save(assignment, alice, single, wrong, "old")
    save(assignment, alice, single, right, "new")

    # The first request's retry, delayed on the network, arrives last.
    again = save(assignment, alice, single, wrong, "old")

    assert again == first
    row = AssignmentAnswer.objects.get()
    assert row.payload == {"choice": right} and row.correct is True and row.client_id == "new"
    assert AssignmentReceipt.objects.count() == 2


def test_it_returns_the_original_ack_for_a_resend_after_the_deadline(
    assignment: Assignment, single: Question, alice: User
):
    right, wrong = option_ids(single)[:2]
    first = save(assignment, alice, single, right, "sent-in-time")
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assignment.refresh_from_db()

    assert save(assignment, alice, single, right, "sent-in-time") == first
    with pytest.raises(QuizError) as refused:
        save(assignment, alice, single, wrong, "a-new-one")
    assert refused.value.code == "late"
    assert AssignmentAnswer.objects.get().payload == {"choice": right}


def test_it_keeps_receipts_per_student_and_question(
    assignment: Assignment, single: Question, alice: User, bob: User
):
    right = option_ids(single)[0]
    save(assignment, alice, single, right, "same-id")
    save(assignment, bob, single, right, "same-id")  # another student's id may coincide
    assert AssignmentAnswer.objects.count() == 2
    assert AssignmentReceipt.objects.count() == 2


def test_it_refuses_an_outsider_even_with_a_known_client_id(
    assignment: Assignment, single: Question, alice: User, outsider: User
):
    save(assignment, alice, single, option_ids(single)[0], "alices")
    with pytest.raises(QuizError) as refused:
        save(assignment, outsider, single, option_ids(single)[0], "alices")
    assert refused.value.code == "not_participant"

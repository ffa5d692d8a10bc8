"""An assignment grades and shows its questions as they were when it was
assigned, like a live question; a teacher's refresh takes the bank's current
versions and regrades every saved answer (see docs/quizzes.md,
"Self-paced assignments")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from classroom.models import Course
from quizzes.actions.assignments import (
    assignment_results,
    assignment_view_for,
    do_refresh_assignment,
    do_submit_assignment_answer,
)
from quizzes.domain import QuizError
from quizzes.models import (
    Assignment,
    AssignmentAnswer,
    Choice,
    Question,
    QuestionSetItem,
)
from tests.support.quizzes import make_single, option_ids

pytestmark = pytest.mark.django_db


def answer(assignment: Assignment, user: User, question: Question, choice: str, cid: str) -> None:
    do_submit_assignment_answer(
        assignment, user, question_id=question.pk, payload={"choice": choice}, client_id=cid
    )


def make_the_second_option_correct(question: Question) -> None:
    question.prompt = "Edited: which cell stores vitamin A?"
    question.save()
    Choice.objects.filter(question=question).update(is_correct=False)
    Choice.objects.filter(question=question, position=1).update(is_correct=True)


def past_due(assignment: Assignment) -> Assignment:
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assignment.refresh_from_db()
    return assignment


def test_it_grades_and_shows_the_question_as_assigned_after_the_teacher_edits_it(
    assignment: Assignment, single: Question, alice: User, bob: User
):
    first = option_ids(single)[0]
    answer(assignment, alice, single, first, "a")
    make_the_second_option_correct(single)
    answer(assignment, bob, single, first, "b")  # after the edit: still the assigned question

    assert set(AssignmentAnswer.objects.values_list("correct", flat=True)) == {True}
    results = assignment_results(assignment)
    assert results["questions"][0]["correct"] == 2
    assert results["questions"][0]["prompt"] == "Which cell makes bile?"
    view = assignment_view_for(past_due(assignment), alice)["questions"][0]
    assert view["question"]["prompt"] == "Which cell makes bile?"
    assert view["correct_answer"] == {"choices": [first]}
    assert view["your_result"] == {"correct": True, "score": 1.0}


def test_a_refresh_takes_the_edited_question_and_regrades_every_saved_answer(
    assignment: Assignment, single: Question, teacher: User, alice: User, bob: User
):
    first, second = option_ids(single)[:2]
    answer(assignment, alice, single, first, "a")
    answer(assignment, bob, single, second, "b")
    make_the_second_option_correct(single)

    assert do_refresh_assignment(assignment, by=teacher) == 2

    grades = dict(AssignmentAnswer.objects.values_list("user__username", "correct"))
    assert grades == {"alice": False, "bob": True}
    per_student = {s["name"]: s for s in assignment_results(assignment)["students"]}
    assert per_student["Alice"]["score"] == 0 and per_student["Bob"]["score"] == 1
    view = assignment_view_for(past_due(assignment), bob)["questions"][0]
    assert view["question"]["prompt"].startswith("Edited")
    assert view["correct_answer"] == {"choices": [second]}
    assert view["your_result"] == {"correct": True, "score": 1.0}


def test_after_a_refresh_an_answer_whose_option_was_deleted_counts_as_wrong(
    assignment: Assignment, single: Question, teacher: User, alice: User
):
    third = option_ids(single)[2]
    answer(assignment, alice, single, third, "a")
    Choice.objects.filter(pk=int(third)).delete()
    do_refresh_assignment(assignment, by=teacher)
    row = AssignmentAnswer.objects.get()
    assert (row.correct, row.score) == (False, 0.0)


def test_only_the_course_teachers_may_refresh(assignment: Assignment, alice: User):
    with pytest.raises(QuizError) as refused:
        do_refresh_assignment(assignment, by=alice)
    assert refused.value.code == "forbidden"


def test_a_question_added_to_the_set_later_is_not_part_of_the_assignment(
    assignment: Assignment, course: Course, alice: User
):
    later = make_single(course)
    QuestionSetItem.objects.create(question_set=assignment.question_set, question=later, position=1)
    assert [q["id"] for q in assignment_view_for(assignment, alice)["questions"]] == [
        assignment.question_set.ordered_questions()[0].pk
    ]
    with pytest.raises(QuizError) as refused:
        answer(assignment, alice, later, option_ids(later)[0], "a")
    assert refused.value.code == "not_found"


def test_the_admin_action_refreshes_and_regrades(
    assignment: Assignment, single: Question, teacher: User, alice: User
):
    answer(assignment, alice, single, option_ids(single)[0], "a")
    make_the_second_option_correct(single)
    teacher.is_staff = teacher.is_superuser = True
    teacher.save()
    admin = Client()
    admin.force_login(teacher)
    r = admin.post(
        "/admin/quizzes/assignment/",
        {"action": "refresh_from_bank", "_selected_action": [assignment.pk]},
        follow=True,
    )
    assert r.status_code == 200 and b"1 answer(s) regraded" in r.content
    assert AssignmentAnswer.objects.get().correct is False

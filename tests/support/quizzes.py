"""Plain helpers for the quiz tests: questions, a crowd of students, captured events.

- ``make_single(course)``: a single-choice question (Hepatocyte is correct);
- ``option_ids(question)``: its option ids in position order;
- ``make_crowd(session, n)``: ``n`` students of the session's course;
- ``ADD_QUESTION``, ``question_form(course, **fields)`` and ``with_choices``:
  the admin's question form and its POST data;
- ``Captured``: what the ``events`` fixture of tests/quizzes/conftest.py
  collects, as (session_id, event, audience).

The websocket helpers for live quizzes are in tests/support/live_quiz.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from classroom.models import Course, LiveSession, Membership
from quizzes.models import Choice, Question

Captured = list[tuple[int, dict[str, Any], str]]
ADD_QUESTION = "/admin/quizzes/question/add/"


def make_single(course: Course, *, time_limit: int = 30, points: int = 1) -> Question:
    q = Question.objects.create(
        course=course,
        type=Question.Type.SINGLE,
        prompt="Which cell makes bile?",
        explanation="Hepatocytes secrete bile.",
        time_limit=time_limit,
        points=points,
    )
    Choice.objects.create(question=q, position=0, text="Hepatocyte", is_correct=True)
    Choice.objects.create(question=q, position=1, text="Kupffer cell")
    Choice.objects.create(question=q, position=2, text="Stellate cell")
    return q


def make_crowd(session: LiveSession, n: int) -> list[User]:
    """``n`` students of the session's course (student0 ... student{n-1})."""
    users = User.objects.bulk_create(User(username=f"student{i}") for i in range(n))
    Membership.objects.bulk_create(
        Membership(course=session.course, user=u, role=Membership.Role.STUDENT) for u in users
    )
    return users


def option_ids(q: Question) -> list[str]:
    return [str(c.pk) for c in q.choices.order_by("position")]


def question_form(course: Course, **fields: Any) -> dict[str, Any]:
    """The POST data of the admin's question form, with ``fields`` set."""
    data: dict[str, Any] = {
        "course": course.pk,
        "prompt": "Which?",
        "explanation": "",
        "points": 1,
        "time_limit": 30,
        "view": "",
        "truefalse_answer": "",
        "numeric_tolerance": 0,
        "accepted_answers": "[]",
        "regions": "[]",
        "choices-TOTAL_FORMS": 0,
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    return data


def with_choices(data: dict[str, Any], *choices: tuple[str, bool]) -> dict[str, Any]:
    """``data`` with the choice inline forms: (text, correct) each."""
    data["choices-TOTAL_FORMS"] = len(choices)
    for i, (text, correct) in enumerate(choices):
        data[f"choices-{i}-position"] = i
        data[f"choices-{i}-text"] = text
        if correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data

"""Teachers write questions in the admin; it validates like a pushed question."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from classroom.models import Course
from quizzes.models import Question
from slides.models import Slide

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(teacher: User) -> Client:
    teacher.is_staff = teacher.is_superuser = True
    teacher.save()
    c = Client()
    c.force_login(teacher)
    return c


def form(course: Course, **fields: Any) -> dict[str, Any]:
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
    data["choices-TOTAL_FORMS"] = len(choices)
    for i, (text, correct) in enumerate(choices):
        data[f"choices-{i}-position"] = i
        data[f"choices-{i}-text"] = text
        if correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data


ADD = "/admin/quizzes/question/add/"


def test_every_quiz_admin_page_loads(admin_client_: Client):
    for model in [
        "question",
        "questionset",
        "livequestion",
        "liveanswer",
        "assignment",
        "assignmentanswer",
    ]:
        assert admin_client_.get(f"/admin/quizzes/{model}/").status_code == 200
    assert admin_client_.get(ADD).status_code == 200


def test_it_saves_a_single_choice_question_with_its_choices(admin_client_: Client, course: Course):
    data = with_choices(form(course, type="single"), ("Hepatocyte", True), ("Kupffer", False))
    r = admin_client_.post(ADD, data)
    assert r.status_code == 302, r.content[:2000]
    q = Question.objects.get()
    assert [c.text for c in q.choices.all()] == ["Hepatocyte", "Kupffer"]
    assert q.to_spec().type == "single"


def test_it_refuses_a_single_choice_question_without_a_correct_choice(
    admin_client_: Client, course: Course
):
    data = with_choices(form(course, type="single"), ("A", False), ("B", False))
    r = admin_client_.post(ADD, data)
    assert r.status_code == 200 and b"exactly one correct option" in r.content
    assert not Question.objects.exists()


def test_it_refuses_a_micrometre_tolerance_on_a_slide_without_mpp(
    admin_client_: Client, course: Course, teacher: User
):
    slide = Slide.objects.create(
        title="No MPP", width=1000, height=1000, status="ready", owner=teacher
    )
    course.slides.add(slide)
    data = form(
        course,
        type="locate",
        slide=slide.pk,
        regions='[{"kind": "rect", "x": 1, "y": 1, "width": 5, "height": 5}]',
        tolerance_um=5,
    )
    r = admin_client_.post(ADD, data)
    assert r.status_code == 200 and b"tolerance_px" in r.content
    data["tolerance_um"] = ""
    data["tolerance_px"] = 12
    assert admin_client_.post(ADD, data).status_code == 302


def test_it_refuses_malformed_regions(admin_client_: Client, course: Course, slide: Slide):
    data = form(course, type="locate", slide=slide.pk, regions='[{"kind": "circle", "r": 3}]')
    r = admin_client_.post(ADD, data)
    assert r.status_code == 200 and b"errornote" in r.content
    assert not Question.objects.exists()

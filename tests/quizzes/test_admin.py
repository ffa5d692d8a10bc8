"""Teachers write questions in the admin; it validates like a pushed question."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from classroom.models import Course
from quizzes.models import Question
from slides.models import Slide
from tests.support.quizzes import ADD_QUESTION, question_form, with_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(teacher: User) -> Client:
    teacher.is_staff = teacher.is_superuser = True
    teacher.save()
    c = Client()
    c.force_login(teacher)
    return c


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
    assert admin_client_.get(ADD_QUESTION).status_code == 200


def test_it_saves_a_single_choice_question_with_its_choices(admin_client_: Client, course: Course):
    data = with_choices(
        question_form(course, type="single"), ("Hepatocyte", True), ("Kupffer", False)
    )
    r = admin_client_.post(ADD_QUESTION, data)
    assert r.status_code == 302, r.content[:2000]
    q = Question.objects.get()
    assert [c.text for c in q.choices.all()] == ["Hepatocyte", "Kupffer"]
    assert q.to_spec().type == "single"


def test_it_refuses_a_single_choice_question_without_a_correct_choice(
    admin_client_: Client, course: Course
):
    data = with_choices(question_form(course, type="single"), ("A", False), ("B", False))
    r = admin_client_.post(ADD_QUESTION, data)
    assert r.status_code == 200 and b"exactly one correct option" in r.content
    assert not Question.objects.exists()


def test_it_refuses_a_micrometre_tolerance_on_a_slide_without_mpp(
    admin_client_: Client, course: Course, teacher: User
):
    slide = Slide.objects.create(
        title="No MPP", width=1000, height=1000, status="ready", owner=teacher
    )
    course.slides.add(slide)
    data = question_form(
        course,
        type="locate",
        slide=slide.pk,
        regions='[{"kind": "rect", "x": 1, "y": 1, "width": 5, "height": 5}]',
        tolerance_um=5,
    )
    r = admin_client_.post(ADD_QUESTION, data)
    assert r.status_code == 200 and b"tolerance_px" in r.content
    data["tolerance_um"] = ""
    data["tolerance_px"] = 12
    assert admin_client_.post(ADD_QUESTION, data).status_code == 302


def test_it_refuses_malformed_regions(admin_client_: Client, course: Course, slide: Slide):
    data = question_form(
        course, type="locate", slide=slide.pk, regions='[{"kind": "circle", "r": 3}]'
    )
    r = admin_client_.post(ADD_QUESTION, data)
    assert r.status_code == 200 and b"errornote" in r.content
    assert not Question.objects.exists()

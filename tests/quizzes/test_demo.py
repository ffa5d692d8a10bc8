"""The demo question set (see quizzes.demo)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from classroom.models import Course
from quizzes.demo import load_demo_questions
from quizzes.models import Assignment, QuestionSet
from quizzes.specs import LocateBody, region_bounds
from slides.models import Slide

pytestmark = pytest.mark.django_db


def test_it_loads_every_type_with_locate_questions_inside_the_slide(course: Course, slide: Slide):
    qs = load_demo_questions(course, [slide])
    questions = qs.ordered_questions()
    assert {q.type for q in questions} == {
        "single",
        "multiple",
        "truefalse",
        "numeric",
        "text",
        "open",
        "locate",
    }
    locate = [q.to_spec() for q in questions if q.type == "locate"]
    assert len(locate) == 2
    for spec in locate:
        assert isinstance(spec.body, LocateBody) and spec.body.tolerance_um == 50.0
        for region in spec.body.regions:
            x0, y0, x1, y1 = region_bounds(region)
            assert x0 >= 0 and y0 >= 0 and x1 <= slide.width and y1 <= slide.height
    assert slide in course.slides.all()


def test_loading_twice_returns_the_same_set_and_one_assignment(
    course: Course, slide: Slide, teacher: User
):
    first = load_demo_questions(course, [slide], teacher)
    assert first == load_demo_questions(course, [slide], teacher)
    assert QuestionSet.objects.filter(course=course).count() == 1
    assignment = Assignment.objects.get(course=course)
    assert assignment.question_set == first and assignment.due_at > timezone.now()


def test_a_slide_without_mpp_gets_a_pixel_tolerance(course: Course):
    plain = Slide.objects.create(title="Plain", width=4000, height=3000, status="ready")
    qs = load_demo_questions(course, [plain])
    locate = [q for q in qs.ordered_questions() if q.type == "locate"]
    assert locate and all(q.tolerance_px == 200 and q.tolerance_um is None for q in locate)


def test_without_slides_there_are_no_locate_questions(course: Course):
    qs = load_demo_questions(course, [])
    assert "locate" not in {q.type for q in qs.ordered_questions()}

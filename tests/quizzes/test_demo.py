"""The demo question set (see quizzes.demo)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from classroom.models import Course
from quizzes.actions.assignments import do_submit_assignment_answer
from quizzes.demo import NOTCHED_PROMPT, load_demo_questions
from quizzes.grading import grade
from quizzes.models import Assignment, Question, QuestionSet
from quizzes.specs import LocateBody, parse_answer, region_bounds
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


def test_a_set_made_before_any_slide_gains_its_locate_questions_once_there_is_one(
    course: Course, slide: Slide, teacher: User
):
    first = load_demo_questions(course, [], teacher)
    assert [q.type for q in first.ordered_questions()].count("locate") == 0

    again = load_demo_questions(course, [slide], teacher)
    load_demo_questions(course, [slide], teacher)  # idempotent from here on

    assert again == first
    types = [q.type for q in again.ordered_questions()]
    assert types == [
        "single",
        "multiple",
        "truefalse",
        "numeric",
        "text",
        "locate",
        "locate",
        "open",
    ]
    assert Question.objects.filter(course=course).count() == 8
    assignment = Assignment.objects.get(course=course)
    assert [q["id"] for q in assignment.frozen or []] == [q.pk for q in again.ordered_questions()]


def test_an_answered_demo_assignment_keeps_the_questions_it_was_answered_with(
    course: Course, slide: Slide, teacher: User, alice: User
):
    qs = load_demo_questions(course, [], teacher)
    assignment = Assignment.objects.get(course=course)
    single = qs.ordered_questions()[0]
    do_submit_assignment_answer(
        assignment,
        alice,
        question_id=single.pk,
        payload={"choice": str(single.choices.order_by("position")[0].pk)},
        client_id="a",
    )
    load_demo_questions(course, [slide], teacher)
    assignment.refresh_from_db()
    assert len(assignment.frozen or []) == 6


@pytest.mark.parametrize("slides", [0, 1])
def test_the_description_counts_the_questions(course: Course, slide: Slide, slides: int):
    qs = load_demo_questions(course, [slide][:slides])
    words = {6: "Six", 8: "Eight"}
    total = len(qs.ordered_questions())
    assert qs.description.startswith(f"{words[total]} short questions")
    assert ("two on the slide" in qs.description) is bool(slides)


def test_the_notched_locate_question_means_what_its_prompt_says(course: Course, slide: Slide):
    qs = load_demo_questions(course, [slide])
    [notched] = [q for q in qs.ordered_questions() if q.prompt == NOTCHED_PROMPT]
    spec = notched.to_spec()
    w, h = slide.width, slide.height

    def hit(fx: float, fy: float) -> bool | None:
        return grade(spec, parse_answer(spec, {"x": fx * w, "y": fy * h})).correct

    assert "upper-left quarter" in spec.prompt and "notch" in spec.prompt
    assert hit(0.25, 0.1) and hit(0.1, 0.4) and hit(0.4, 0.4)  # the M's top and legs
    assert not hit(0.25, 0.4)  # in the quarter, but inside the notch
    assert not hit(0.75, 0.75)  # another quarter

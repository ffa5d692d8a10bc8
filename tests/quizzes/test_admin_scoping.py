"""In the admin, a staff teacher sees and changes only what belongs to the
courses they teach; superusers see everything (see quizzes/admin.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.test import Client, RequestFactory
from django.utils import timezone

from classroom.models import Course, LiveSession, Membership
from quizzes.actions.live import do_push_question
from quizzes.admin import QuestionAdmin
from quizzes.models import Assignment, Question, QuestionSet, QuestionSetItem
from slides.models import Slide
from tests.support.quizzes import ADD_QUESTION, make_single, question_form

pytestmark = pytest.mark.django_db


def staff_with_quiz_permissions(user: User) -> Client:
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="quizzes"))
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def other_course() -> Course:
    return Course.objects.create(title="Nephrology", code="NEPH")


@pytest.fixture
def otto(other_course: Course) -> User:
    user = User.objects.create_user("otto", first_name="Otto")
    Membership.objects.create(course=other_course, user=user, role=Membership.Role.TEACHER)
    return user


@pytest.fixture
def theirs(other_course: Course, otto: User) -> Question:
    q = make_single(other_course)
    q.prompt = "Otto's secret question"
    q.save()
    return q


@pytest.fixture
def their_slide(other_course: Course) -> Slide:
    s = Slide.objects.create(title="Kidney, Otto's", width=1000, height=1000, status="ready")
    other_course.slides.add(s)
    return s


@pytest.fixture
def tess(teacher: User) -> Client:
    return staff_with_quiz_permissions(teacher)


def test_a_staff_teacher_lists_only_the_quiz_objects_of_courses_they_teach(
    tess: Client, course: Course, theirs: Question, other_course: Course, otto: User
):
    mine = make_single(course)
    their_set = QuestionSet.objects.create(course=other_course, title="Otto's set")
    QuestionSetItem.objects.create(question_set=their_set, question=theirs)
    Assignment.objects.create(
        course=other_course,
        question_set=their_set,
        title="Otto's homework",
        due_at=timezone.now() + timedelta(days=1),
    )

    their_session = LiveSession.objects.create(
        course=other_course, title="Otto's session", state=LiveSession.State.LIVE
    )
    do_push_question(their_session, theirs, by=otto)

    questions = tess.get("/admin/quizzes/question/").content.decode()
    assert mine.prompt in questions and "Otto&#x27;s secret" not in questions
    assert "NEPH" not in questions and "Nephrology" not in questions  # nor in the filter
    assert "Otto" not in tess.get("/admin/quizzes/questionset/").content.decode()
    assert "Otto" not in tess.get("/admin/quizzes/assignment/").content.decode()
    assert "Otto" not in tess.get("/admin/quizzes/livequestion/").content.decode()


def test_a_staff_teacher_can_neither_open_change_nor_delete_another_courses_question(
    tess: Client, course: Course, teacher: User, theirs: Question
):
    url = f"/admin/quizzes/question/{theirs.pk}/change/"
    assert tess.get(url).status_code == 302  # "does not exist": back to the index
    r = tess.post(url, question_form(course, type="single", prompt="Hijacked"))
    assert r.status_code == 302
    tess.post(f"/admin/quizzes/question/{theirs.pk}/delete/", {"post": "yes"})
    theirs.refresh_from_db()
    assert theirs.prompt == "Otto's secret question"

    request = RequestFactory().get("/admin/")
    request.user = teacher
    question_admin = QuestionAdmin(Question, admin.site)
    mine = make_single(course)
    assert question_admin.has_change_permission(request, mine)
    assert not question_admin.has_change_permission(request, theirs)
    assert not question_admin.has_delete_permission(request, theirs)
    assert not question_admin.has_view_permission(request, theirs)


def test_the_add_form_offers_only_their_courses_and_their_courses_slides(
    tess: Client, course: Course, slide: Slide, other_course: Course, their_slide: Slide
):
    page = tess.get(ADD_QUESTION).content.decode()
    assert options(page, "course") == {str(course.pk)}
    assert options(page, "slide") == {str(slide.pk)}

    r = tess.post(
        ADD_QUESTION, question_form(other_course, type="truefalse", truefalse_answer="true")
    )
    assert r.status_code == 200 and b"Select a valid choice" in r.content
    r = tess.post(
        ADD_QUESTION,
        question_form(
            course,
            type="locate",
            slide=their_slide.pk,
            regions='[{"kind": "rect", "x": 1, "y": 1, "width": 5, "height": 5}]',
            tolerance_px=3,
        ),
    )
    assert r.status_code == 200 and b"Select a valid choice" in r.content
    assert not Question.objects.filter(course=other_course).exclude(prompt__startswith="Otto")


def test_a_staff_teacher_cannot_put_another_courses_question_in_their_set(
    tess: Client, course: Course, theirs: Question
):
    data: dict[str, Any] = {
        "course": course.pk,
        "title": "Mine",
        "description": "",
        "items-TOTAL_FORMS": 1,
        "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
        "items-0-question": theirs.pk,
        "items-0-position": 0,
    }
    r = tess.post("/admin/quizzes/questionset/add/", data)
    assert r.status_code == 200 and b"Select a valid choice" in r.content
    assert not QuestionSet.objects.exists()


def test_a_question_on_a_slide_outside_its_course_is_refused_even_for_a_superuser(
    admin_client: Client, course: Course, their_slide: Slide
):
    data = question_form(
        course,
        type="locate",
        slide=their_slide.pk,
        regions='[{"kind": "rect", "x": 1, "y": 1, "width": 5, "height": 5}]',
        tolerance_px=3,
    )
    r = admin_client.post(ADD_QUESTION, data)
    assert r.status_code == 200 and b"not one of the course&#x27;s slides" in r.content
    assert not Question.objects.exists()


def test_a_superuser_sees_every_course(
    admin_client: Client, course: Course, theirs: Question, other_course: Course, otto: User
):
    mine = make_single(course)
    their_session = LiveSession.objects.create(
        course=other_course, title="Otto's session", state=LiveSession.State.LIVE
    )
    do_push_question(their_session, theirs, by=otto)
    page = admin_client.get("/admin/quizzes/question/").content.decode()
    assert mine.prompt in page and "Otto&#x27;s secret" in page
    live = admin_client.get("/admin/quizzes/livequestion/").content.decode()
    assert "Otto&#x27;s session" in live


def options(page: str, name: str) -> set[str]:
    """The non-empty option values of the form's ``<select name=...>``."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select is not None, f"no {name} select"
    return set(re.findall(r'<option value="([^"]+)"', select.group(0)))

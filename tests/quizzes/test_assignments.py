"""Self-paced assignments end to end through the Django test client
(see docs/quizzes.md, "Self-paced assignments")."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from classroom.models import Course
from quizzes.models import Assignment, AssignmentAnswer, Question, QuestionSet, QuestionSetItem
from slides.models import Slide
from tests.support.quizzes import make_single, option_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def question_set(course: Course, slide: Slide) -> QuestionSet:
    qs = QuestionSet.objects.create(course=course, title="Liver basics")
    single = make_single(course)
    numeric = Question.objects.create(
        course=course,
        type=Question.Type.NUMERIC,
        prompt="Lobule diameter?",
        numeric_answer=1.0,
        numeric_tolerance=0.2,
        numeric_unit="mm",
        explanation="About one millimetre.",
        points=2,
    )
    locate = Question.objects.create(
        course=course,
        type=Question.Type.LOCATE,
        prompt="Click a central vein",
        slide=slide,
        regions=[{"kind": "ellipse", "cx": 20000, "cy": 15000, "rx": 600, "ry": 400}],
        tolerance_um=25,
    )
    for i, q in enumerate([single, numeric, locate]):
        QuestionSetItem.objects.create(question_set=qs, question=q, position=i)
    return qs


@pytest.fixture
def assignment(course: Course, question_set: QuestionSet, teacher: User) -> Assignment:
    return Assignment.objects.create(
        course=course,
        question_set=question_set,
        title="Week 1",
        due_at=timezone.now() + timedelta(days=2),
        created_by=teacher,
    )


def client_for(user: User | None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def post(c: Client, url: str, body: Any) -> Any:
    return c.post(url, data=json.dumps(body), content_type="application/json")


def answer_url(a: Assignment) -> str:
    return f"/quizzes/assignments/{a.pk}/answers"


def questions(qs: QuestionSet) -> list[Question]:
    return qs.ordered_questions()


def test_a_teacher_assigns_a_set_and_students_answer_and_the_teacher_sees_results(
    course: Course, question_set: QuestionSet, teacher: User, alice: User, bob: User
):
    due = (timezone.now() + timedelta(days=1)).isoformat()
    r = post(
        client_for(teacher),
        f"/quizzes/courses/{course.pk}/assignments",
        {"question_set_id": question_set.pk, "title": "Homework", "due_at": due},
    )
    assert r.status_code == 201, r.content
    assignment = Assignment.objects.get(pk=r.json()["id"])

    page = client_for(alice).get(r.json()["url"])
    assert page.status_code == 200
    assert b"Homework" in page.content and b"quizzes/assignment.js" in page.content
    assert b"About one millimetre" not in page.content  # no explanation before the deadline
    assert b"20000" not in page.content  # no target region either

    single, numeric, locate = questions(question_set)
    alice_c, bob_c = client_for(alice), client_for(bob)
    for c, q, answer, cid in [
        (alice_c, single, {"choice": option_ids(single)[0]}, "a1"),
        (alice_c, numeric, {"value": 1.1}, "a2"),
        (alice_c, locate, {"x": 20010, "y": 15420}, "a3"),  # 20 px below: 10 µm away
        (bob_c, single, {"choice": option_ids(single)[1]}, "b1"),
    ]:
        ok = post(
            c, answer_url(assignment), {"question_id": q.pk, "client_id": cid, "answer": answer}
        )
        assert ok.status_code == 200, ok.content
        assert ok.json()["client_id"] == cid

    results = client_for(teacher).get(f"/quizzes/assignments/{assignment.pk}/results.json").json()
    per_student = {s["name"]: s for s in results["students"]}
    assert per_student["Alice"]["correct"] == 3 and per_student["Alice"]["score"] == 4
    assert per_student["Bob"]["answered"] == 1 and per_student["Bob"]["correct"] == 0
    per_question = {q["id"]: q for q in results["questions"]}
    assert per_question[single.pk]["answered"] == 2 and per_question[single.pk]["correct"] == 1
    assert per_question[locate.pk]["correct_rate"] == 1.0

    html = client_for(teacher).get(f"/quizzes/assignments/{assignment.pk}/results/")
    assert html.status_code == 200 and b"Alice" in html.content and b"Per question" in html.content


def test_a_student_can_change_an_answer_and_a_resend_is_stored_once(
    assignment: Assignment, question_set: QuestionSet, alice: User
):
    single = questions(question_set)[0]
    right, wrong = option_ids(single)[:2]
    c = client_for(alice)
    first = post(
        c,
        answer_url(assignment),
        {"question_id": single.pk, "client_id": "x", "answer": {"choice": wrong}},
    )
    again = post(
        c,
        answer_url(assignment),
        {"question_id": single.pk, "client_id": "x", "answer": {"choice": wrong}},
    )
    assert again.json() == first.json()
    post(
        c,
        answer_url(assignment),
        {"question_id": single.pk, "client_id": "y", "answer": {"choice": right}},
    )
    row = AssignmentAnswer.objects.get()
    assert row.payload == {"choice": right} and row.correct is True


def test_after_the_deadline_students_see_answers_and_results_but_cannot_answer(
    assignment: Assignment, question_set: QuestionSet, alice: User
):
    single = questions(question_set)[0]
    c = client_for(alice)
    post(
        c,
        answer_url(assignment),
        {"question_id": single.pk, "client_id": "a", "answer": {"choice": option_ids(single)[0]}},
    )
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    late = post(
        c,
        answer_url(assignment),
        {"question_id": single.pk, "client_id": "b", "answer": {"choice": option_ids(single)[1]}},
    )
    assert late.status_code == 409 and "deadline" in late.json()["error"]
    state = c.get(f"/quizzes/assignments/{assignment.pk}/state.json").json()
    first = state["questions"][0]
    assert first["correct_answer"] == {"choices": [option_ids(single)[0]]}
    assert first["your_result"] == {"correct": True, "score": 1.0}
    assert state["questions"][2]["correct_answer"]["regions"][0]["kind"] == "ellipse"


def test_before_it_opens_answers_are_refused(
    assignment: Assignment, question_set: QuestionSet, alice: User
):
    Assignment.objects.filter(pk=assignment.pk).update(opens_at=timezone.now() + timedelta(hours=1))
    single = questions(question_set)[0]
    r = post(
        client_for(alice),
        answer_url(assignment),
        {"question_id": single.pk, "client_id": "a", "answer": {"choice": option_ids(single)[0]}},
    )
    assert r.status_code == 409 and "not open yet" in r.json()["error"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("{not json", 400, "JSON"),
        ({"question_id": "1", "client_id": "a", "answer": {}}, 400, "question_id"),
        ({"question_id": 1, "client_id": "", "answer": {}}, 400, "client_id"),
        ({"question_id": 1, "client_id": "a", "answer": {}, "extra": 1}, 400, "extra"),
        ({"client_id": "a", "answer": {}}, 400, "question_id"),
        (
            {"question_id": 999999, "client_id": "a", "answer": {"choice": "x"}},
            404,
            "no such question",
        ),
    ],
)
def test_it_rejects_a_malformed_request(
    assignment: Assignment, alice: User, body: Any, status: int, message: str
):
    c = client_for(alice)
    raw = body if isinstance(body, str) else json.dumps(body)
    r = c.post(answer_url(assignment), data=raw, content_type="application/json")
    assert r.status_code == status
    assert message in r.json()["error"]
    assert not AssignmentAnswer.objects.exists()


@pytest.mark.parametrize(
    ("index", "answer"),
    [(0, {"choice": "nope"}), (1, {"value": "1"}), (2, {"x": -5, "y": 10}), (2, {"x": 1})],
)
def test_it_rejects_an_answer_that_does_not_fit_the_question(
    assignment: Assignment, question_set: QuestionSet, alice: User, index: int, answer: Any
):
    q = questions(question_set)[index]
    r = post(
        client_for(alice),
        answer_url(assignment),
        {"question_id": q.pk, "client_id": "a", "answer": answer},
    )
    assert r.status_code == 400 and r.json()["error"]
    assert not AssignmentAnswer.objects.exists()


def test_a_question_of_another_set_is_not_in_the_assignment(
    assignment: Assignment, course: Course, alice: User
):
    stray = make_single(course)
    r = post(
        client_for(alice),
        answer_url(assignment),
        {"question_id": stray.pk, "client_id": "a", "answer": {"choice": option_ids(stray)[0]}},
    )
    assert r.status_code == 404


def test_it_rejects_an_oversized_body(assignment: Assignment, alice: User):
    r = client_for(alice).post(
        answer_url(assignment), data="x" * (65 * 1024), content_type="application/json"
    )
    assert r.status_code == 413


def test_anonymous_users_get_401_json_and_a_login_redirect_for_pages(assignment: Assignment):
    c = Client()
    assert (
        c.post(answer_url(assignment), data="{}", content_type="application/json").status_code
        == 401
    )
    assert c.get(f"/quizzes/assignments/{assignment.pk}/results.json").status_code == 401
    page = c.get(f"/quizzes/assignments/{assignment.pk}/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_outsiders_and_students_are_kept_out_of_what_is_not_theirs(
    assignment: Assignment, question_set: QuestionSet, outsider: User, alice: User, teacher: User
):
    single = questions(question_set)[0]
    body = {"question_id": single.pk, "client_id": "o", "answer": {"choice": option_ids(single)[0]}}
    assert post(client_for(outsider), answer_url(assignment), body).status_code == 403
    assert client_for(outsider).get(f"/quizzes/assignments/{assignment.pk}/").status_code == 403
    assert (
        client_for(alice).get(f"/quizzes/assignments/{assignment.pk}/results.json").status_code
        == 403
    )
    assert (
        client_for(alice).get(f"/quizzes/assignments/{assignment.pk}/results/").status_code == 403
    )
    teacher_answer = post(client_for(teacher), answer_url(assignment), body)
    assert teacher_answer.status_code == 403
    assert not AssignmentAnswer.objects.exists()


def test_an_unknown_assignment_is_404(alice: User):
    assert client_for(alice).get("/quizzes/assignments/424242/state.json").status_code == 404


def test_csrf_protection_is_on(assignment: Assignment, alice: User):
    c = Client(enforce_csrf_checks=True)
    c.force_login(alice)
    r = c.post(answer_url(assignment), data="{}", content_type="application/json")
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"due_at": "2000-01-01T00:00:00+00:00"}, 400, "past"),
        ({"due_at": "2999-01-01T00:00:00"}, 400, "timezone"),
        ({"title": ""}, 400, "title"),
        ({"question_set_id": 999999}, 404, "question set"),
    ],
)
def test_it_rejects_a_bad_assignment(
    course: Course,
    question_set: QuestionSet,
    teacher: User,
    change: dict[str, Any],
    status: int,
    message: str,
):
    body = {
        "question_set_id": question_set.pk,
        "title": "T",
        "due_at": "2999-01-01T00:00:00+00:00",
        **change,
    }
    r = post(client_for(teacher), f"/quizzes/courses/{course.pk}/assignments", body)
    assert r.status_code == status and message in r.json()["error"]
    assert not Assignment.objects.exists()


def test_only_teachers_create_assignments(course: Course, question_set: QuestionSet, alice: User):
    body = {"question_set_id": question_set.pk, "title": "T", "due_at": "2999-01-01T00:00:00+00:00"}
    assert (
        post(client_for(alice), f"/quizzes/courses/{course.pk}/assignments", body).status_code
        == 403
    )
    assert post(client_for(alice), "/quizzes/courses/999999/assignments", body).status_code == 404


def test_the_list_page_links_students_and_teachers_to_their_pages(
    assignment: Assignment, alice: User, teacher: User
):
    student_page = client_for(alice).get("/quizzes/assignments/")
    assert b"Week 1" in student_page.content and b"/results/" not in student_page.content
    assert b"/results/" in client_for(teacher).get("/quizzes/assignments/").content

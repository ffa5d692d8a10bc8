"""Self-paced assignments over HTTP (see docs/quizzes.md, "Self-paced assignments").

Views stay thin: a decorator authenticates and loads the assignment with the
caller's role, a strict pydantic model parses the JSON body, a service in
``quizzes.actions.assignments`` does the work, and every refusal is ``{"error": ...}``
with its status (400/401/403/404/409/413). CSRF protection stays on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from classroom.models import Course, Membership
from quizzes.actions import assignments
from quizzes.answers import MAX_CLIENT_ID
from quizzes.domain import QuizError
from quizzes.models import Assignment, QuestionSet
from quizzes.permissions import is_course_staff, is_course_student

MAX_BODY_BYTES = 64 * 1024
Role = Literal["staff", "student"]
M = TypeVar("M", bound=BaseModel)


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def quiz_error(e: QuizError) -> JsonResponse:
    return JsonResponse(e.as_dict(), status=e.status)


def _role(request: HttpRequest, course_id: int) -> Role | None:
    if is_course_staff(request.user, course_id):
        return "staff"
    if is_course_student(request.user, course_id):
        return "student"
    return None


ViewFunc = Callable[..., HttpResponse]


def api_login_required(view: ViewFunc) -> ViewFunc:
    """JSON endpoints answer 401 instead of redirecting to the login page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return error("log in first", 401)
        return view(request, *args, **kwargs)

    return wrapper


AssignmentView = Callable[[HttpRequest, Assignment, Role], HttpResponse]


def with_assignment(
    *roles: Role,
) -> Callable[[AssignmentView], Callable[[HttpRequest, int], HttpResponse]]:
    """Load the assignment and the caller's role in its course; refuse other roles."""

    def decorate(view: AssignmentView) -> Callable[[HttpRequest, int], HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, assignment_id: int) -> HttpResponse:
            assignment = (
                Assignment.objects.select_related("course", "question_set")
                .filter(pk=assignment_id)
                .first()
            )
            if assignment is None:
                return error("no such assignment", 404)
            role = _role(request, assignment.course_id)
            if role is None:
                return error("you are not in this course", 403)
            if role not in roles:
                return error(f"only {' or '.join(roles)} members can do that", 403)
            return view(request, assignment, role)

        return wrapper

    return decorate


def _parse(request: HttpRequest, model: type[M]) -> M | JsonResponse:
    if len(request.body) > MAX_BODY_BYTES:
        return error(f"the request body is larger than {MAX_BODY_BYTES} bytes", 413)
    try:
        return model.model_validate_json(request.body)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return error(f"{where}: {first['msg']}" if where else str(first["msg"]), 400)


class AnswerIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    question_id: int
    client_id: str = Field(min_length=1, max_length=MAX_CLIENT_ID)
    answer: dict[str, Any]


class AssignmentIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    question_set_id: int
    title: str = Field(min_length=1, max_length=200)
    due_at: AwareDatetime
    opens_at: AwareDatetime | None = None


def slide_info_url(slide_id: int) -> str:
    try:
        return reverse("slides:info", args=[slide_id])
    except NoReverseMatch:  # the tile app names it differently; this is the contract
        return f"/slides/{slide_id}/info.json"


# --- pages -----------------------------------------------------------------------


@login_required
@require_GET
def assignment_list(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.filter(user_id=int(str(request.user.pk)))
    teaching = {m.course_id for m in memberships if m.role != Membership.Role.STUDENT}
    learning = {m.course_id for m in memberships if m.role == Membership.Role.STUDENT}
    assignments = (
        Assignment.objects.filter(course_id__in=teaching | learning)
        .select_related("course")
        .order_by("due_at")
    )
    rows = [
        {
            "assignment": a,
            "staff": a.course_id in teaching,
            "past_due": a.due_at < timezone.now(),
        }
        for a in assignments
    ]
    return render(request, "quizzes/assignment_list.html", {"rows": rows})


@login_required
@require_GET
@with_assignment("student", "staff")
def assignment_page(request: HttpRequest, assignment: Assignment, role: Role) -> HttpResponse:
    data = assignments.assignment_view_for(assignment, request.user)
    slide_ids = {q["question"]["slide_id"] for q in data["questions"] if q["question"]["slide_id"]}
    context = {
        "assignment": assignment,
        "staff": role == "staff",
        "data": data,
        "config": {
            "answerUrl": reverse("quizzes:assignment_answer", args=[assignment.pk]),
            "stateUrl": reverse("quizzes:assignment_state", args=[assignment.pk]),
            "slideInfo": {str(i): slide_info_url(i) for i in slide_ids},
            "osdPrefix": static("vendor/openseadragon/images/"),
            "canAnswer": role == "student",
        },
    }
    return render(request, "quizzes/assignment.html", context)


@login_required
@require_GET
@with_assignment("staff")
def results_page(request: HttpRequest, assignment: Assignment, role: Role) -> HttpResponse:
    results = assignments.assignment_results(assignment)
    return render(request, "quizzes/results.html", {"assignment": assignment, "r": results})


# --- JSON --------------------------------------------------------------------------


@api_login_required
@require_GET
@with_assignment("student", "staff")
def assignment_state(request: HttpRequest, assignment: Assignment, role: Role) -> HttpResponse:
    return JsonResponse(assignments.assignment_view_for(assignment, request.user))


@api_login_required
@require_POST
@with_assignment("student", "staff")
def assignment_answer(request: HttpRequest, assignment: Assignment, role: Role) -> HttpResponse:
    body = _parse(request, AnswerIn)
    if isinstance(body, JsonResponse):
        return body
    try:
        ack = assignments.do_submit_assignment_answer(
            assignment,
            request.user,
            question_id=body.question_id,
            payload=body.answer,
            client_id=body.client_id,
        )
    except QuizError as e:
        return quiz_error(e)
    return JsonResponse(ack.as_dict())


@api_login_required
@require_GET
@with_assignment("staff")
def results_json(request: HttpRequest, assignment: Assignment, role: Role) -> HttpResponse:
    return JsonResponse(assignments.assignment_results(assignment))


@api_login_required
@require_POST
def create_assignment(request: HttpRequest, course_id: int) -> HttpResponse:
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        return error("no such course", 404)
    if not is_course_staff(request.user, course.pk):
        return error("only the course's teachers can assign work", 403)
    body = _parse(request, AssignmentIn)
    if isinstance(body, JsonResponse):
        return body
    question_set = QuestionSet.objects.filter(pk=body.question_set_id, course=course).first()
    if question_set is None:
        return error("no such question set in this course", 404)
    try:
        assignment = assignments.do_create_assignment(
            course,
            question_set,
            title=body.title,
            due_at=body.due_at,
            opens_at=body.opens_at,
            by=request.user,
        )
    except QuizError as e:
        return quiz_error(e)
    return JsonResponse(
        {
            "id": assignment.pk,
            "url": reverse("quizzes:assignment", args=[assignment.pk]),
            "results_url": reverse("quizzes:results", args=[assignment.pk]),
        },
        status=201,
    )

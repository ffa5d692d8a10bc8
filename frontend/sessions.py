"""The live session's pages: the class's view, the teacher console, projector mode,
and joining by code (see docs/frontend.md).

Thin views: find the session, decide who may see which page, and render the
page with its typed data (frontend/page_data.py). Everything live happens in
the browser over the session websocket.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from classroom.models import LiveSession, Membership
from frontend import links
from frontend.page_data import (
    CourseSlide,
    ProjectorPage,
    SessionRef,
    StudentPage,
    TeacherPage,
    Urls,
)
from quizzes.bank import question_bank
from realtime.roles import STAFF
from slides.models import Slide


def _session(session_id: int) -> LiveSession:
    return get_object_or_404(LiveSession.objects.select_related("course"), pk=session_id)


def _role(request: HttpRequest, session: LiveSession) -> str | None:
    if not request.user.is_authenticated:
        return None
    membership = Membership.objects.filter(course_id=session.course_id, user=request.user).first()
    return membership.role if membership else None


def _ref(session: LiveSession) -> SessionRef:
    return SessionRef(
        id=session.pk,
        title=session.title,
        state=session.state,  # type: ignore[arg-type]
        course_code=session.course.code,
        course_title=session.course.title,
        allow_guests=session.allow_guests,
    )


def _urls(session: LiveSession, *, staff: bool) -> Urls:
    return Urls(
        home=reverse("frontend:home"),
        login=reverse("login"),
        join_api=links.join_url(),
        student=reverse("frontend:session", args=[session.pk]),
        teach=reverse("frontend:teach", args=[session.pk]) if staff else None,
        project=reverse("frontend:project", args=[session.pk]) if staff else None,
        osd_images=links.openseadragon_images_url(),
    )


def join_link(session: LiveSession) -> str:
    """What the QR code on the projector opens: the join page with the code filled in."""
    return settings.SITE_ROOT.rstrip("/") + reverse("frontend:join-code", args=[session.join_code])


def _name(request: HttpRequest) -> str:
    user = request.user
    if isinstance(user, User):
        return user.get_full_name() or user.get_username()
    return ""


def _forbidden(request: HttpRequest, session: LiveSession, message: str) -> HttpResponse:
    context = {"session": session, "message": message}
    return render(request, "frontend/live/forbidden.html", context, status=403)


def student(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    role = _role(request, session)
    data = StudentPage(
        page="student",
        session=_ref(session),
        me=_name(request) if role else None,
        member=role is not None,
        staff=role in STAFF,
        urls=_urls(session, staff=role in STAFF),
    )
    return render(request, "frontend/live/student.html", {"data": data.model_dump()})


@login_required
def teach(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    role = _role(request, session)
    if role not in STAFF:
        return _forbidden(
            request, session, "Only the course's teachers and assistants run this session."
        )
    slides = session.course.slides.filter(status=Slide.Status.READY).order_by("title")
    data = TeacherPage(
        page="teacher",
        session=_ref(session),
        me=_name(request),
        role=role,  # type: ignore[arg-type]
        join_code=session.join_code,
        join_url=join_link(session),
        slides=[
            CourseSlide(
                id=s.pk,
                title=s.title,
                subtitle=" · ".join(t for t in (s.organ, s.stain) if t),
                thumbnail_url=links.thumbnail_url(s),
            )
            for s in slides
        ],
        questions=question_bank(session.course_id),
        urls=_urls(session, staff=True),
    )
    return render(request, "frontend/live/teacher.html", {"data": data.model_dump()})


@login_required
def project(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(session_id)
    if _role(request, session) not in STAFF:
        return _forbidden(request, session, "Projector mode is for the course's teachers.")
    data = ProjectorPage(
        page="projector",
        session=_ref(session),
        join_code=session.join_code,
        join_url=join_link(session),
        urls=_urls(session, staff=True),
    )
    return render(request, "frontend/live/projector.html", {"data": data.model_dump()})


def join(request: HttpRequest, code: str = "") -> HttpResponse:
    """``/join/`` and ``/join/<code>/`` (the QR code): a member goes straight in."""
    code = code.strip().upper()
    session = (
        LiveSession.objects.select_related("course")
        .filter(join_code=code)
        .exclude(state=LiveSession.State.ENDED)
        .first()
        if code
        else None
    )
    if session is not None and _role(request, session) is not None:
        return redirect("frontend:session", session_id=session.pk)
    context = {"code": code, "session": session, "join_url": links.join_url()}
    return render(request, "frontend/live/join.html", context)

"""Server-rendered pages: home, login (templates only) and the slide viewer.

The pages stay thin: they pick what to list and hand the browser the URLs it
needs. Access to a slide is decided by the slide endpoints themselves
(``/slides/<id>/info.json`` and the signed tile URLs it returns), so the viewer
page holds no permission logic of its own. See docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from classroom.models import LiveSession, Membership
from frontend import links
from slides.models import Slide

HOME_SLIDE_LIMIT = 60


@dataclass(frozen=True)
class SlideCard:
    id: int
    title: str
    subtitle: str
    viewer_url: str
    thumbnail_url: str


def _slide_card(slide: Slide) -> SlideCard:
    tags = [t for t in (slide.organ, slide.stain) if t]
    return SlideCard(
        id=slide.pk,
        title=slide.title,
        subtitle=" · ".join(tags),
        viewer_url=reverse("frontend:viewer", args=[slide.pk]),
        thumbnail_url=links.thumbnail_url(slide),
    )


@dataclass(frozen=True)
class SessionCard:
    """A session on the home page, with the way in that fits the user's role."""

    title: str
    course_code: str
    state: str
    state_label: str
    url: str  # the class's view: members follow the session here
    teach_url: str | None  # the console, for the course's teachers and assistants
    project_url: str | None
    join_code: str | None


def _session_card(session: LiveSession, *, staff: bool) -> SessionCard:
    args = [session.pk]
    return SessionCard(
        title=session.title,
        course_code=session.course.code,
        state=session.state,
        state_label=session.get_state_display(),
        url=reverse("frontend:session", args=args),
        teach_url=reverse("frontend:teach", args=args) if staff else None,
        project_url=reverse("frontend:project", args=args) if staff else None,
        join_code=session.join_code if staff else None,
    )


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "frontend/home.html", {"join_url": links.join_url()})
    user = request.user
    memberships = (
        Membership.objects.filter(user=user).select_related("course").order_by("course__code")
    )
    slides = links.viewable_slides(user).filter(status=Slide.Status.READY)[:HOME_SLIDE_LIMIT]
    sessions = (
        LiveSession.objects.filter(course__memberships__user=user)
        .exclude(state=LiveSession.State.ENDED)
        .select_related("course")
        .distinct()
        .order_by("course__code", "title")
    )
    teaching = {m.course_id for m in memberships if m.role != Membership.Role.STUDENT}
    # Live sessions first: a student who opens Scopecast during class is one
    # click from following it.
    cards = sorted(
        (_session_card(s, staff=s.course_id in teaching) for s in sessions),
        key=lambda c: c.state != LiveSession.State.LIVE,
    )
    context = {
        "memberships": memberships,
        "slides": [_slide_card(s) for s in slides],
        "sessions": cards,
        "upload_url": links.upload_url() if teaching or user.is_staff else None,
        "join_url": links.join_url(),
    }
    return render(request, "frontend/home.html", context)


@login_required
def viewer(request: HttpRequest, slide_id: int) -> HttpResponse:
    context = {
        "slide_id": slide_id,
        "info_url": links.info_url(slide_id),
        "osd_prefix": links.openseadragon_images_url(),
    }
    return render(request, "frontend/viewer.html", context)

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
    context = {
        "memberships": memberships,
        "slides": [_slide_card(s) for s in slides],
        "sessions": sessions,
        "teaching": teaching,
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

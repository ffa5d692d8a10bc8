"""The frontend's seams to the other apps: URLs and the slide access query.

Every URL the browser code needs from another app is built here, so a renamed
route breaks one function (and its test), not a template. See
docs/architecture.md ("Slides → everyone").
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse

from slides.models import Slide

ViewableSlides = Callable[[Any], QuerySet[Slide]]


def _fallback_viewable_slides(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Slide]:
    """The contract's rule (owner, course member, public) as one query."""
    if not user.is_authenticated:
        return Slide.objects.none()
    rule = (
        Q(owner=user) | Q(courses__memberships__user=user) | Q(visibility=Slide.Visibility.PUBLIC)
    )
    return Slide.objects.filter(rule).distinct()


def viewable_slides(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Slide]:
    """``slides.access.viewable_slides`` when present, else the same rule here."""
    try:
        module = importlib.import_module("slides.access")
    except ImportError:
        return _fallback_viewable_slides(user)
    func = cast("ViewableSlides | None", getattr(module, "viewable_slides", None))
    if func is None:
        return _fallback_viewable_slides(user)
    return func(user)


def _reverse_first(candidates: list[tuple[str, dict[str, Any]]]) -> str | None:
    for name, kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def info_url(slide_id: int) -> str:
    """The viewer's metadata JSON (``slides`` app): dimensions, MPP, signed ``dzi`` URL."""
    found = _reverse_first(
        [
            ("slides:info", {"slide_id": slide_id}),
            ("slides:slide_info", {"slide_id": slide_id}),
        ]
    )
    return found or f"/slides/{slide_id}/info.json"


def thumbnail_url(slide_id: int) -> str | None:
    """A small preview image for slide lists, or None if the route is missing."""
    return _reverse_first(
        [
            ("slides:thumbnail", {"slide_id": slide_id}),
            ("slides:slide_thumbnail", {"slide_id": slide_id}),
        ]
    )


def join_url() -> str:
    """Where the "join a session with a code" form posts its JSON."""
    return _reverse_first([("classroom:join", {})]) or "/courses/join"


def openseadragon_images_url() -> str:
    """OpenSeadragon's button images, served from npm's copy by staticfiles."""
    return static("vendor/openseadragon/images/")

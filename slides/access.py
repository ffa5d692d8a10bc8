"""Who may view a slide (see docs/tiles.md, "Access control").

The rules, in order:

* superusers see every slide (they administer the library);
* the owner sees their slide whatever its visibility;
* ``public`` slides are visible to any logged-in user;
* ``course`` slides are visible to members (any role) of a course whose
  ``slides`` include the slide (asked of the course directory classroom
  registers, see slides.courses);
* ``private`` slides are visible to their owner only.

These functions decide permission only; whether a slide is ready to serve is
the caller's business. For an anonymous user they answer "public slides
only", but no endpoint asks on an anonymous user's behalf: ``info.json``
answers 401 before asking, and the anonymous home page lists no slides. A
live session's guests are not users: they get the descriptor (and its tile
token) of the slide the session shows them in the realtime snapshot, whatever
its visibility, and never through these functions. Tiles are not checked
here per request: the viewer gets a signed token with the descriptor (see
slides.tokens).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from slides.courses import course_directory
from slides.models import Slide

AnyUser = AbstractBaseUser | AnonymousUser


def _is_superuser(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False))


def can_view_slide(user: AnyUser, slide: Slide) -> bool:
    if slide.visibility == Slide.Visibility.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if _is_superuser(user) or (slide.owner_id is not None and slide.owner_id == user.pk):
        return True
    if slide.visibility != Slide.Visibility.COURSE:
        return False
    return course_directory().shared_slides(user.pk).filter(pk=slide.pk).exists()


def viewable_slides(user: AnyUser) -> QuerySet[Slide]:
    slides = Slide.objects.all()
    if not user.is_authenticated:
        return slides.filter(visibility=Slide.Visibility.PUBLIC)
    if _is_superuser(user):
        return slides
    in_my_courses = (
        course_directory()
        .shared_slides(user.pk)
        .filter(visibility=Slide.Visibility.COURSE)
        .values("pk")
    )
    return slides.filter(
        Q(owner_id=user.pk) | Q(visibility=Slide.Visibility.PUBLIC) | Q(pk__in=in_my_courses)
    )

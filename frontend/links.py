"""The frontend's seams to the other apps: URLs and the slide access query.

Every URL the browser code needs from another app is built here, so a renamed
route breaks one function (and its test), not a template. See
docs/architecture.md ("Slides → everyone").
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.templatetags.static import static
from django.urls import reverse

from slides import access
from slides.descriptors import slide_descriptor
from slides.models import Slide

THUMBNAIL_PX = 320


def viewable_slides(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Slide]:
    """The slides app's access rule (owner, course member, public)."""
    return access.viewable_slides(user)


def info_url(slide_id: int) -> str:
    """The viewer's metadata JSON: dimensions, MPP and the signed ``dzi`` URL."""
    return reverse("slides:info", args=[slide_id])


def thumbnail_url(slide: Slide) -> str:
    """A small signed preview image for slide lists (the token is in the query)."""
    return f"{slide_descriptor(slide)['thumbnail']}&max={THUMBNAIL_PX}"


def upload_url() -> str:
    """The slides app's resumable upload page (teachers and staff)."""
    return reverse("slides:upload-page")


def join_url() -> str:
    """Where the "join a session with a code" form posts its JSON."""
    return reverse("classroom:join")


def openseadragon_images_url() -> str:
    """OpenSeadragon's button images, served from npm's copy by staticfiles."""
    return static("vendor/openseadragon/images/")

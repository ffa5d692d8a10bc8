"""Sessions: create, start, end; what is on screen (slide, agenda item)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from classroom.drawings import slide_drawings
from classroom.errors import ActionError
from classroom.events import SessionStateEvent, SlideOpenedEvent
from classroom.facts import forget_session_facts
from classroom.models import AgendaItem, Course, LiveSession
from classroom.viewports import (
    VIEWER_HEIGHT,
    VIEWER_WIDTH,
    SlideView,
    View,
    check_view,
    overview,
    slide_size,
)
from realtime import broadcast
from slides.descriptors import slide_descriptor
from slides.models import Slide
from slides.prewarm import request_view_prewarm

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgendaSpec:
    slide: Slide
    view: View | Mapping[str, float] | None = None
    notes: str = ""


def do_create_session(
    course: Course,
    *,
    title: str,
    created_by: Any = None,
    agenda: Sequence[AgendaSpec] = (),
    allow_guests: bool = False,
) -> LiveSession:
    """A scheduled session with its agenda (used by admin flows and the demo loader)."""
    with transaction.atomic():
        session = LiveSession.objects.create(
            course=course, title=title, created_by=created_by, allow_guests=allow_guests
        )
        for position, item in enumerate(agenda):
            view = None
            if item.view is not None:
                view = check_view(item.view, slide_size(item.slide)).model_dump()
            AgendaItem.objects.create(
                session=session, position=position, slide=item.slide, view=view, notes=item.notes
            )
            course.slides.add(item.slide)
    return session


def do_start_session(session: LiveSession, *, actor: str = "") -> None:
    if session.state == LiveSession.State.ENDED:
        raise ActionError("conflict", "this session has ended")
    if session.state == LiveSession.State.LIVE:
        return
    with transaction.atomic():
        session.state = LiveSession.State.LIVE
        session.started_at = timezone.now()
        session.save(update_fields=["state", "started_at"])
        transaction.on_commit(lambda: forget_session_facts(session.pk))
        broadcast.send_event_on_commit(
            session.pk,
            SessionStateEvent(type="session_state", state="live"),
            actor=actor,
            state={"state": "live"},
        )


def do_end_session(session: LiveSession, *, actor: str = "") -> None:
    if session.state == LiveSession.State.ENDED:
        raise ActionError("conflict", "this session has already ended")
    with transaction.atomic():
        session.state = LiveSession.State.ENDED
        session.ended_at = timezone.now()
        session.save(update_fields=["state", "ended_at"])
        transaction.on_commit(lambda: forget_session_facts(session.pk))
        broadcast.send_event_on_commit(
            session.pk,
            SessionStateEvent(type="session_state", state="ended"),
            actor=actor,
            state={"state": "ended", "locked": None, "spotlight": None},
        )


def check_session_open(session: LiveSession) -> None:
    if session.state == LiveSession.State.ENDED:
        raise ActionError("session_ended", "this session has ended")


def check_session_slide(session: LiveSession, slide_id: int) -> Slide:
    """A slide the session may show: one of the course's slides or in the agenda."""
    slide = Slide.objects.filter(pk=slide_id).first()
    if slide is None:
        raise ActionError("not_found", f"slide {slide_id} does not exist")
    in_course = session.course.slides.filter(pk=slide_id).exists()
    in_agenda = session.agenda.filter(slide_id=slide_id).exists()
    if not (in_course or in_agenda):
        raise ActionError("forbidden", f"slide {slide_id} is not part of this course")
    if slide.status != Slide.Status.READY:
        raise ActionError("conflict", f"slide {slide_id} is not ready ({slide.status})")
    return slide


def request_prewarm(slide_id: int, view: View) -> None:
    """Ask the tile server to warm one view; never fails the caller."""
    if not settings.LIVE_PREWARM:
        return
    try:
        request_view_prewarm(
            slide_id,
            x=view.x,
            y=view.y,
            zoom=view.zoom,
            rotation=view.rotation,
            viewer_width=VIEWER_WIDTH,
            viewer_height=VIEWER_HEIGHT,
        )
    except Exception:
        logger.exception("prewarm request failed for slide %s", slide_id)


def do_open_slide(
    session: LiveSession,
    slide: Slide,
    *,
    view: View | Mapping[str, Any] | None = None,
    agenda_index: int | None = None,
    next_view: tuple[int, View] | None = None,
    actor: str = "",
) -> None:
    """Put ``slide`` on everyone's screen (and prewarm it and what comes next)."""
    check_session_open(session)
    clean = check_view(view, slide_size(slide)) if view is not None else overview(slide)
    viewport = SlideView(slide_id=slide.pk, **clean.model_dump())
    with transaction.atomic():
        session.current_slide = slide
        session.current_item = agenda_index
        session.save(update_fields=["current_slide", "current_item"])
        broadcast.send_event_on_commit(
            session.pk,
            SlideOpenedEvent(
                type="slide_opened",
                slide=slide_descriptor(slide),
                agenda_index=agenda_index,
                viewport=viewport,
                annotations=slide_drawings(session.pk, slide.pk),
            ),
            actor=actor,
            state={
                "slide_id": slide.pk,
                "agenda_index": agenda_index,
                "viewport": viewport.model_dump(),
                "spotlight": None,
            },
        )

        def _prewarm() -> None:
            request_prewarm(slide.pk, clean)
            if next_view is not None:
                request_prewarm(*next_view)

        transaction.on_commit(_prewarm)


def do_open_item(session: LiveSession, index: int, *, actor: str = "") -> None:
    items = list(session.agenda.select_related("slide").order_by("position", "id"))
    if not 0 <= index < len(items):
        raise ActionError("not_found", f"the agenda has no item {index}")
    item = items[index]
    nxt = items[index + 1] if index + 1 < len(items) else None
    next_view = (nxt.slide_id, nxt.saved_view() or overview(nxt.slide)) if nxt is not None else None
    do_open_slide(
        session,
        item.slide,
        view=item.saved_view(),
        agenda_index=index,
        next_view=next_view,
        actor=actor,
    )

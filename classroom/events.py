"""Every websocket event the classroom emits, declared once (see docs/protocol.md).

Strict pydantic models, registered with the transport by ``register_events``
(from ``ClassroomConfig.ready``) with their delivery properties (see
realtime/events.py). Services build these models and hand them to
``realtime.broadcast``; the browser client's types are generated from them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from classroom.models import Annotation
from classroom.viewports import Id, Point, SlideView, View
from realtime.events import Event, Shape, register_event

SessionState = Literal["scheduled", "live", "ended"]
# Lax for this one field: a kind arrives as its string value and becomes the enum.
AnnotationKindField = Field(strict=False)


# --- shapes -------------------------------------------------------------------
class AnnotationShape(Shape):
    id: int
    slide_id: int
    kind: Annotation.Kind = AnnotationKindField
    colour: str
    points: list[Point]
    text: str
    created_by: str


class Spotlight(Shape):
    participant: str
    name: str
    view: SlideView | None


class AgendaEntry(Shape):
    index: int
    slide_id: int
    title: str
    view: View | None
    notes: str | None = None  # staff only


class SessionInfo(Shape):
    id: int
    title: str
    state: SessionState


# --- broadcasts -------------------------------------------------------------
class SlideOpenedEvent(Event):
    type: Literal["slide_opened"]
    slide: dict[str, Any]  # slides.descriptors.slide_descriptor
    agenda_index: int | None
    viewport: SlideView
    annotations: list[AnnotationShape]  # the session's drawings on this slide, as in the snapshot


class ViewportEvent(Event):
    type: Literal["viewport"]
    viewport: SlideView


class PointerEvent(Event):
    type: Literal["pointer"]
    point: Point | None


class AnnotationCreatedEvent(Event):
    type: Literal["annotation_created"]
    annotation: AnnotationShape


class AnnotationUpdatedEvent(Event):
    type: Literal["annotation_updated"]
    annotation: AnnotationShape


class AnnotationDeletedEvent(Event):
    type: Literal["annotation_deleted"]
    id: Id  # the annotation's
    slide_id: Id


class LockEvent(Event):
    type: Literal["lock"]
    locked: bool


class SpotlightEvent(Event):
    type: Literal["spotlight"]
    spotlight: Spotlight | None


class SpotlightViewEvent(Event):
    type: Literal["spotlight_view"]
    participant: str
    viewport: SlideView


class SessionStateEvent(Event):
    type: Literal["session_state"]
    state: SessionState


class HandEvent(Event):
    type: Literal["hand"]
    participant: str
    name: str
    raised: bool


class QuestionAskedEvent(Event):
    type: Literal["question_asked"]
    participant: str
    name: str
    text: str


class ClassView(Shape):
    participant: str
    name: str
    viewport: SlideView


class ClassViewsEvent(Event):
    """Staff only, at most once a second: where the roaming students look
    (their own reported views; following students see the teacher's)."""

    type: Literal["class_views"]
    views: list[ClassView]


# --- logged only, never sent ---------------------------------------------------
class StudentViewEvent(Event):
    """A student's own view (attention analytics), at most once a second."""

    type: Literal["student_view"]
    participant: str
    viewport: SlideView


class FollowEvent(Event):
    """A student turned follow on or off ("who followed").

    A ``lock`` puts everyone back on follow; that is logged once, as the lock.
    """

    type: Literal["follow"]
    participant: str
    following: bool


def register_events() -> None:
    """Declare the classroom's frames with the transport (idempotent)."""
    register_event(SlideOpenedEvent, sequenced=True)
    register_event(ViewportEvent, sequenced=True, coalesce="viewport", stream=True)
    register_event(PointerEvent, sequenced=False, coalesce="pointer", logged=False, stream=True)
    register_event(AnnotationCreatedEvent, sequenced=True)
    register_event(AnnotationUpdatedEvent, sequenced=True)
    register_event(AnnotationDeletedEvent, sequenced=True)
    register_event(LockEvent, sequenced=True)
    register_event(SpotlightEvent, sequenced=True)
    register_event(SpotlightViewEvent, sequenced=True, coalesce="spotlight_view", stream=True)
    register_event(SessionStateEvent, sequenced=True)
    register_event(HandEvent, sequenced=True)
    register_event(QuestionAskedEvent, sequenced=True)
    register_event(ClassViewsEvent, sequenced=False, coalesce="class_views", logged=False)
    register_event(StudentViewEvent, sequenced=False, logged=True)
    register_event(FollowEvent, sequenced=False, logged=True)

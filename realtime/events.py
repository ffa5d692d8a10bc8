"""Every outbound websocket event shape (see docs/protocol.md).

Each server-to-client frame is declared here as a strict pydantic model whose
``type`` field is a ``Literal``. Events are registered in ``EVENTS`` with
their delivery properties:

- ``sequenced``: carries the per-session ``seq`` and goes into the resume
  ring buffer (everything except purely ephemeral frames);
- ``coalesce``: latest-value-wins key; a pending frame with the same key in
  a client's outbound queue is replaced, never queued behind;
- ``logged``: written to classroom.SessionEvent.

Extending (quizzes): declare a model here or in your app and call
``register_event(Model, sequenced=..., coalesce=..., logged=...)`` at import
time (e.g. from ``AppConfig.ready``). Tests validate every emitted event
against this registry with ``validate_event``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from realtime.roles import Role

PROTOCOL_VERSION = 1

AnnotationKind = Literal[
    "point", "arrow", "line", "rectangle", "ellipse", "polygon", "freehand", "text"
]


# One point in level-0 pixels: [x, y].
Point = Annotated[list[float], Field(min_length=2, max_length=2)]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class View(Shape):
    x: float
    y: float
    zoom: float
    rotation: float


class SlideView(View):
    slide_id: int


class Identity(Shape):
    participant: str
    role: Role
    name: str


class RosterEntry(Shape):
    participant: str
    role: Role
    name: str
    connections: int
    following: bool
    hand: bool


class Counts(Shape):
    connected: int
    students: int
    staff: int
    following: int
    hands: int


class AnnotationShape(Shape):
    id: int
    slide_id: int
    kind: AnnotationKind
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
    state: Literal["scheduled", "live", "ended"]


class Event(Shape):
    """Base of every server frame; ``seq`` is set on sequenced events."""

    type: str
    seq: int | None = None


# --- per-connection frames (never broadcast) --------------------------------
class SnapshotEvent(Event):
    type: Literal["snapshot"]
    protocol: int
    you: Identity
    session: SessionInfo
    slide: dict[str, Any] | None
    agenda_index: int | None
    agenda: list[AgendaEntry]
    viewport: SlideView | None
    annotations: list[AnnotationShape]
    locked: bool
    spotlight: Spotlight | None
    question: dict[str, Any] | None
    counts: Counts
    roster: list[RosterEntry] | None
    last_seq: int


class HelloEvent(Event):
    type: Literal["hello"]
    protocol: int
    you: Identity
    resumed_from: int
    last_seq: int


class ErrorEvent(Event):
    type: Literal["error"]
    code: str
    message: str
    ref: str | None


class PongEvent(Event):
    type: Literal["pong"]
    last_seq: int


# --- broadcasts -------------------------------------------------------------
class SlideOpenedEvent(Event):
    type: Literal["slide_opened"]
    slide: dict[str, Any]
    agenda_index: int | None
    viewport: SlideView


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
    id: int
    slide_id: int


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
    state: Literal["scheduled", "live", "ended"]


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


class PresenceEvent(Event):
    type: Literal["presence"]
    counts: Counts


class RosterEvent(Event):
    type: Literal["roster"]
    roster: list[RosterEntry]
    counts: Counts


class StudentViewEvent(Event):
    """Logged only (attention analytics); never sent to a socket."""

    type: Literal["student_view"]
    participant: str
    viewport: SlideView


class JoinedEvent(Event):
    """Logged only (attendance): one socket of a participant connected."""

    type: Literal["joined"]
    participant: str
    role: Role
    name: str
    connection: str  # the socket's id; its "left" row carries the same


class LeftEvent(Event):
    """Logged only (attendance): that socket closed, with its close code."""

    type: Literal["left"]
    participant: str
    role: Role
    connection: str
    code: int


class FollowEvent(Event):
    """Logged only ("who followed"): a student turned follow on or off.

    A ``lock`` puts everyone back on follow; that is logged once, as the lock.
    """

    type: Literal["follow"]
    participant: str
    following: bool


@dataclass(frozen=True)
class EventSpec:
    model: type[Event]
    sequenced: bool
    coalesce: str | None
    logged: bool


EVENTS: dict[str, EventSpec] = {}


def register_event(
    model: type[Event], *, sequenced: bool, coalesce: str | None = None, logged: bool = True
) -> None:
    """Declare one event type (see the module docstring)."""
    type_name = model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    if type_name in EVENTS and EVENTS[type_name].model is not model:
        raise ValueError(f"event type {type_name!r} is already registered")
    EVENTS[type_name] = EventSpec(model, sequenced, coalesce, logged)


for _model in (SnapshotEvent, HelloEvent, ErrorEvent, PongEvent):
    register_event(_model, sequenced=False, logged=False)
register_event(SlideOpenedEvent, sequenced=True)
register_event(ViewportEvent, sequenced=True, coalesce="viewport")
register_event(PointerEvent, sequenced=False, coalesce="pointer", logged=False)
register_event(AnnotationCreatedEvent, sequenced=True)
register_event(AnnotationUpdatedEvent, sequenced=True)
register_event(AnnotationDeletedEvent, sequenced=True)
register_event(LockEvent, sequenced=True)
register_event(SpotlightEvent, sequenced=True)
register_event(SpotlightViewEvent, sequenced=True, coalesce="spotlight_view")
register_event(SessionStateEvent, sequenced=True)
register_event(HandEvent, sequenced=True)
register_event(QuestionAskedEvent, sequenced=True)
register_event(PresenceEvent, sequenced=False, coalesce="presence", logged=False)
register_event(RosterEvent, sequenced=False, coalesce="roster", logged=False)
# Logged only, never sent (classroom.actions calls broadcast.log_only).
register_event(StudentViewEvent, sequenced=False, logged=True)
register_event(JoinedEvent, sequenced=False, logged=True)
register_event(LeftEvent, sequenced=False, logged=True)
register_event(FollowEvent, sequenced=False, logged=True)


def event_spec(type_name: str) -> EventSpec:
    try:
        return EVENTS[type_name]
    except KeyError:
        raise ValueError(
            f"unknown event type {type_name!r}: declare it in realtime/events.py"
        ) from None


def validate_event(event: dict[str, Any], *, delivered: bool = False) -> Event:
    """Check one outbound frame against its declared shape (raises on mismatch).

    ``delivered`` frames (as a client receives them) must carry ``seq``
    exactly when their type is sequenced; emitted bodies never carry it yet.
    """
    spec = event_spec(str(event.get("type")))
    parsed = spec.model.model_validate(event)
    has_seq = event.get("seq") is not None
    if delivered and has_seq != spec.sequenced:
        raise ValueError(f"{event.get('type')}: seq present={has_seq}, sequenced={spec.sequenced}")
    if not delivered and has_seq:
        raise ValueError(f"{event.get('type')}: emitted events get their seq from the store")
    return parsed


def dump(model: Event) -> dict[str, Any]:
    """The JSON-ready dict of an event model, without an unset ``seq``."""
    return model.model_dump(mode="json", exclude={"seq"} if model.seq is None else set())

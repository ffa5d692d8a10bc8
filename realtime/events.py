"""The transport's own websocket frames, and the registry of every frame
(see docs/protocol.md).

Each server-to-client frame is a strict pydantic model whose ``type`` field
is a ``Literal``, registered in ``EVENTS`` with its delivery properties:

- ``sequenced``: carries the per-session ``seq`` and goes into the resume
  ring buffer (everything except purely ephemeral frames);
- ``coalesce``: latest-value-wins key; a pending frame with the same key in
  a client's outbound queue is replaced, never queued behind;
- ``logged``: written to the session event log (realtime/eventlog.py);
- ``stream``: one of the continuous streams (the teacher's viewport and
  pointer) whose frames each process's hub paces for large classes
  (realtime/hub.py, ``stream_interval``); needs ``coalesce``.

Declared here: what the transport itself sends (``snapshot``'s core,
``hello``, ``error``, ``pong``, ``presence``, ``roster``) and logs
(attendance: ``joined``, ``left``). Higher apps declare their frames in their
own ``events.py`` and call ``register_event`` from ``AppConfig.ready``
(classroom/events.py, quizzes/events.py). Tests validate every emitted event
against this registry with ``validate_event``; the browser client's types
are generated from it (``manage.py protocol_schema``, docs/frontend.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from realtime.roles import Role

PROTOCOL_VERSION = 1


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


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


class Event(Shape):
    """Base of every server frame; ``seq`` is set on sequenced events."""

    type: str
    # Omitted while unset: emitted bodies get theirs from the store.
    seq: int | None = Field(default=None, exclude_if=lambda seq: seq is None)


# --- per-connection frames (never broadcast) --------------------------------
class SnapshotCore(Event):
    """What every snapshot holds; the apps add their parts (realtime/snapshot.py)
    and the registered ``snapshot`` model is this core plus those parts."""

    type: Literal["snapshot"]
    protocol: int
    you: Identity
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
class PresenceEvent(Event):
    type: Literal["presence"]
    counts: Counts


class RosterEvent(Event):
    type: Literal["roster"]
    roster: list[RosterEntry]
    counts: Counts


# --- logged only (attendance), never sent ------------------------------------
class JoinedEvent(Event):
    """One socket of a participant connected."""

    type: Literal["joined"]
    participant: str
    role: Role
    name: str
    connection: str  # the socket's id; its "left" row carries the same


class LeftEvent(Event):
    """That socket closed, with its close code."""

    type: Literal["left"]
    participant: str
    role: Role
    connection: str
    code: int


@dataclass(frozen=True)
class EventSpec:
    model: type[Event]
    sequenced: bool
    coalesce: str | None
    logged: bool
    stream: bool = False


EVENTS: dict[str, EventSpec] = {}


def type_of(model: type[BaseModel]) -> str:
    """The ``type`` literal of a frame model."""
    return str(model.model_fields["type"].annotation.__args__[0])  # type: ignore[union-attr]


def register_event(
    model: type[Event],
    *,
    sequenced: bool,
    coalesce: str | None = None,
    logged: bool = True,
    replace: bool = False,
    stream: bool = False,
) -> None:
    """Declare one event type (see the module docstring).

    Registering the same model again is a no-op; another model for a known
    type is an error unless ``replace`` (the snapshot model grows as apps
    add their parts).
    """
    type_name = type_of(model)
    if type_name in EVENTS and EVENTS[type_name].model is not model and not replace:
        raise ValueError(f"event type {type_name!r} is already registered")
    if stream and coalesce is None:
        raise ValueError(f"stream {type_name!r} needs a coalesce key")
    EVENTS[type_name] = EventSpec(model, sequenced, coalesce, logged, stream)


for _model in (SnapshotCore, HelloEvent, ErrorEvent, PongEvent):
    register_event(_model, sequenced=False, logged=False)
register_event(PresenceEvent, sequenced=False, coalesce="presence", logged=False)
register_event(RosterEvent, sequenced=False, coalesce="roster", logged=False)
# Logged only, never sent (realtime/attendance.py calls broadcast.log_only).
register_event(JoinedEvent, sequenced=False, logged=True)
register_event(LeftEvent, sequenced=False, logged=True)


def event_spec(type_name: str) -> EventSpec:
    try:
        return EVENTS[type_name]
    except KeyError:
        raise ValueError(
            f"unknown event type {type_name!r}: declare it in an app's events.py and register it"
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

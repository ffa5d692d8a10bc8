"""Inbound websocket commands: typed, strict, range-checked (see docs/protocol.md).

Every client frame is a JSON object with a ``type``; ``parse_command`` turns
the raw text into one registered pydantic model or raises ``ProtocolError``
with a machine-readable code. Unknown fields are rejected, numbers are
range-checked, and each type declares who may send it and its rate limit.

Extending (quizzes): declare a ``Command`` subclass with a ``Literal`` type
and call ``register_command(Model, roles=..., rate=..., burst=...,
handler=...)``; the consumer dispatches to ``handler(conn, command)``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from realtime.events import AnnotationKind

if TYPE_CHECKING:
    from realtime.connection import Connection

MAX_FRAME_BYTES = 64 * 1024
# Level-0 coordinates: the largest slides are ~250k px; allow a margin.
COORD_LIMIT = 10_000_000.0
MAX_POINTS = 5000

Coord = Annotated[float, Field(ge=-COORD_LIMIT, le=COORD_LIMIT, allow_inf_nan=False)]
Zoom = Annotated[float, Field(gt=0.0, le=1000.0, allow_inf_nan=False)]
Rotation = Annotated[float, Field(ge=-360.0, le=360.0, allow_inf_nan=False)]
SlideId = Annotated[int, Field(ge=1, le=2**62)]
Ref = Annotated[str, StringConstraints(max_length=64)]
PointIn = Annotated[list[Coord], Field(min_length=2, max_length=2)]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: str
    ref: Ref | None = None


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    x: Coord
    y: Coord
    zoom: Zoom
    rotation: Rotation = 0.0


# --- teacher ----------------------------------------------------------------
class OpenSlide(Command):
    type: Literal["open_slide"]
    slide_id: SlideId
    view: ViewIn | None = None


class OpenItem(Command):
    type: Literal["open_item"]
    index: Annotated[int, Field(ge=0, le=10_000)]


class SetViewport(Command):
    type: Literal["set_viewport"]
    slide_id: SlideId
    x: Coord
    y: Coord
    zoom: Zoom
    rotation: Rotation = 0.0


class Pointer(Command):
    type: Literal["pointer"]
    point: PointIn | None


class AnnotationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    kind: AnnotationKind
    colour: Colour = "#ffcc00"
    points: Annotated[list[PointIn], Field(min_length=1, max_length=MAX_POINTS)]
    text: Annotated[str, StringConstraints(max_length=500)] = ""


class CreateAnnotation(Command):
    type: Literal["annotation_create"]
    slide_id: SlideId
    annotation: AnnotationIn


class UpdateAnnotation(Command):
    type: Literal["annotation_update"]
    id: SlideId
    colour: Colour | None = None
    points: Annotated[list[PointIn], Field(min_length=1, max_length=MAX_POINTS)] | None = None
    text: Annotated[str, StringConstraints(max_length=500)] | None = None


class DeleteAnnotation(Command):
    type: Literal["annotation_delete"]
    id: SlideId


class SetLock(Command):
    type: Literal["lock"]
    locked: bool


class StartSpotlight(Command):
    type: Literal["spotlight"]
    participant: Annotated[str, StringConstraints(pattern=r"^[ug]:[0-9]{1,18}$")]


class EndSpotlight(Command):
    type: Literal["spotlight_end"]


class StartSession(Command):
    type: Literal["session_start"]


class EndSession(Command):
    type: Literal["session_end"]


# --- students -------------------------------------------------------------
class Follow(Command):
    type: Literal["follow"]
    following: bool


class ReportViewport(Command):
    type: Literal["report_viewport"]
    slide_id: SlideId
    x: Coord
    y: Coord
    zoom: Zoom
    rotation: Rotation = 0.0


class Hand(Command):
    type: Literal["hand"]
    raised: bool


class Ask(Command):
    type: Literal["ask"]
    text: Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]


# --- everyone ---------------------------------------------------------------
class Ping(Command):
    type: Literal["ping"]
    seq: Annotated[int, Field(ge=0, le=2**62)]


class Resume(Command):
    type: Literal["resume"]
    since: Annotated[int, Field(ge=0, le=2**62)]


Handler = Callable[["Connection", Any], Awaitable[None]]


@dataclass(frozen=True)
class CommandSpec:
    model: type[Command]
    roles: frozenset[str]
    rate: float  # tokens per second
    burst: float
    handler: Handler | None  # None: handled by the consumer itself


COMMANDS: dict[str, CommandSpec] = {}


def register_command(
    model: type[Command],
    *,
    roles: frozenset[str],
    rate: float,
    burst: float,
    handler: Handler | None = None,
) -> None:
    type_name = model.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    if type_name in COMMANDS and COMMANDS[type_name].model is not model:
        raise ValueError(f"command type {type_name!r} is already registered")
    COMMANDS[type_name] = CommandSpec(model, roles, rate, burst, handler)


def _ref_of(data: dict[str, Any]) -> str | None:
    ref = data.get("ref")
    return ref[:64] if isinstance(ref, str) else None


def parse_command(text: str) -> tuple[Command, CommandSpec]:
    """Parse one text frame; raises ProtocolError with a precise code."""
    if len(text) > MAX_FRAME_BYTES or len(text.encode()) > MAX_FRAME_BYTES:
        raise ProtocolError("too_large", f"frames are limited to {MAX_FRAME_BYTES} bytes")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise ProtocolError("bad_json", f"frame is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ProtocolError("bad_frame", "a frame must be a JSON object with a 'type'")
    ref = _ref_of(data)
    type_name = data.get("type")
    if not isinstance(type_name, str):
        raise ProtocolError("bad_frame", "missing or non-string 'type'", ref)
    spec = COMMANDS.get(type_name)
    if spec is None:
        raise ProtocolError("unknown_type", f"unknown command type {type_name[:40]!r}", ref)
    try:
        command = spec.model.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "frame"
        code = "out_of_range" if _is_range_error(first["type"]) else "invalid"
        raise ProtocolError(code, f"{where}: {first['msg']}", ref) from None
    return command, spec


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed")


def _is_range_error(kind: str) -> bool:
    return kind in {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "finite_number",
    }


def check_finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)

"""Every websocket command the classroom handles, declared once (see docs/protocol.md).

Strict pydantic models (unknown fields refused, numbers range-checked by the
``View`` types of classroom/viewports.py). classroom/ws.py registers each
with its roles, rate limit and handler.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from classroom.events import AnnotationKindField
from classroom.models import Annotation
from classroom.viewports import Coord, Id, Point, Rotation, View, Zoom
from realtime.commands import Command

MAX_POINTS = 5000
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Text = Annotated[str, StringConstraints(max_length=500)]
Points = Annotated[list[Point], Field(min_length=1, max_length=MAX_POINTS)]


# --- teacher ----------------------------------------------------------------
class OpenSlide(Command):
    type: Literal["open_slide"]
    slide_id: Id
    view: View | None = None


class OpenItem(Command):
    type: Literal["open_item"]
    index: Annotated[int, Field(ge=0, le=10_000)]


class SetViewport(Command):
    type: Literal["set_viewport"]
    slide_id: Id
    x: Coord
    y: Coord
    zoom: Zoom
    rotation: Rotation = 0.0


class Pointer(Command):
    type: Literal["pointer"]
    point: Point | None


class AnnotationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    kind: Annotation.Kind = AnnotationKindField
    colour: Colour = "#ffcc00"
    points: Points
    text: Text = ""


class CreateAnnotation(Command):
    type: Literal["annotation_create"]
    slide_id: Id
    annotation: AnnotationIn


class UpdateAnnotation(Command):
    type: Literal["annotation_update"]
    id: Id  # the annotation's
    colour: Colour | None = None
    points: Points | None = None
    text: Text | None = None


class DeleteAnnotation(Command):
    type: Literal["annotation_delete"]
    id: Id  # the annotation's


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
    slide_id: Id
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

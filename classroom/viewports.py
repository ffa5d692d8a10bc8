"""What a view of a slide is, and the one place a view is checked.

A view is ``{"x", "y", "zoom", "rotation"}`` (docs/architecture.md,
"Coordinates and views"): the centre in level-0 pixels, screen pixels per
level-0 pixel, and degrees clockwise. The same ``View`` model types the
teacher's and the students' frames, the events, the agenda's saved views and
the admin's forms; ``check_view`` is the only function that decides whether
a view fits a slide (``AgendaItem.saved_view`` reads a stored one with it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, ValidationError

from classroom.errors import ActionError
from realtime.commands import is_range_error
from realtime.events import Shape

if TYPE_CHECKING:
    from slides.models import Slide

# Level-0 coordinates: the largest slides are ~250k px; allow a margin.
COORD_LIMIT = 10_000_000.0
Coord = Annotated[float, Field(ge=-COORD_LIMIT, le=COORD_LIMIT, allow_inf_nan=False)]
Zoom = Annotated[float, Field(gt=0.0, le=1000.0, allow_inf_nan=False)]
Rotation = Annotated[float, Field(ge=-360.0, le=360.0, allow_inf_nan=False)]
Id = Annotated[int, Field(ge=1, le=2**62)]
# One point in level-0 pixels: [x, y].
Point = Annotated[list[Coord], Field(min_length=2, max_length=2)]

# The viewer a saved view and a prewarm are planned for.
VIEWER_WIDTH = 1920
VIEWER_HEIGHT = 1080


class View(Shape):
    x: Coord
    y: Coord
    zoom: Zoom
    rotation: Rotation = 0.0


class SlideView(View):
    slide_id: Id


def check_view(view: View | Mapping[str, Any], size: tuple[int, int] | None) -> View:
    """``view`` as a ``View``, if its numbers are in range and its centre lies
    inside a slide of ``size`` (width, height; unknown or 0: not checked)."""
    if not isinstance(view, View):
        try:
            view = View.model_validate(dict(view), strict=False)  # "20" reads as 20.0
        except (ValidationError, TypeError, ValueError) as e:
            errors = e.errors() if isinstance(e, ValidationError) else []
            if errors and is_range_error(errors[0]["type"]):
                raise ActionError(
                    "out_of_range", "view numbers must be finite, in range, and zoom positive"
                ) from None
            raise ActionError("invalid", "a view needs numeric x, y, zoom and rotation") from None
    if size is not None and size[0]:
        width, height = size
        if not (0 <= view.x <= width and 0 <= view.y <= height):
            raise ActionError("out_of_range", "the view centre lies outside the slide")
    return view


def slide_size(slide: Slide) -> tuple[int, int]:
    return int(slide.width or 0), int(slide.height or 0)


def overview(slide: Slide) -> View:
    """The whole slide fitted into a 1920x1080 viewer."""
    width, height = max(int(slide.width), 1), max(int(slide.height), 1)
    zoom = min(VIEWER_WIDTH / width, VIEWER_HEIGHT / height)
    return View(x=width / 2, y=height / 2, zoom=zoom, rotation=0.0)

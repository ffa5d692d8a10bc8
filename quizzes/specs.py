"""Typed shapes of questions and answers (see docs/quizzes.md).

A ``QuestionSpec`` is the complete, frozen description of one question,
including its correct answer: it is what the bank question turns into when it
is pushed live (``Question.to_spec()``), what an ad-hoc question is parsed
into, and what grading reads. It never leaves the server as a whole: students
only ever get ``PublicQuestion`` (built by ``public_question``), a separate
model that has no field able to hold an answer.

Answer payloads are parsed per question type by ``parse_answer``; every
model is strict and forbids unknown fields.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from classroom.errors import ActionError
from classroom.viewports import View, check_view

MAX_OPTIONS = 20
MAX_TEXT_ANSWER = 500
MAX_PROMPT = 10_000
MAX_REGIONS = 20
MAX_POLYGON_POINTS = 1_000

QuestionType = Literal["single", "multiple", "truefalse", "numeric", "text", "open", "locate"]


class SpecError(ValueError):
    """A question or answer that does not validate; ``str()`` is user-facing."""


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


# Strict floats accept ints (JSON clients send 3 for 3.0) but never strings,
# booleans, NaN or infinities.
Number = Annotated[float, Field(allow_inf_nan=False)]
Point = Annotated[list[Number], Field(min_length=2, max_length=2)]


# --- Slide geometry and views -------------------------------------------------


class SlideRef(_Strict):
    """What grading and aggregation need to know about the question's slide."""

    id: int
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    mpp_x: Number | None = Field(default=None, gt=0)
    mpp_y: Number | None = Field(default=None, gt=0)

    @property
    def has_mpp(self) -> bool:
        return self.mpp_x is not None and self.mpp_y is not None


# --- Regions (level-0 slide pixels) ------------------------------------------


class PolygonRegion(_Strict):
    kind: Literal["polygon"]
    points: list[Point] = Field(min_length=3, max_length=MAX_POLYGON_POINTS)


class RectRegion(_Strict):
    kind: Literal["rect"]
    x: Number
    y: Number
    width: Number = Field(gt=0)
    height: Number = Field(gt=0)


class EllipseRegion(_Strict):
    """Centre, radii and rotation in degrees clockwise on screen (y points down)."""

    kind: Literal["ellipse"]
    cx: Number
    cy: Number
    rx: Number = Field(gt=0)
    ry: Number = Field(gt=0)
    rotation: Number = 0.0


Region = Annotated[PolygonRegion | RectRegion | EllipseRegion, Field(discriminator="kind")]


def region_bounds(region: PolygonRegion | RectRegion | EllipseRegion) -> tuple[float, ...]:
    """Axis-aligned bounding box (x0, y0, x1, y1); for ellipses the enclosing circle's box."""
    if isinstance(region, PolygonRegion):
        xs = [p[0] for p in region.points]
        ys = [p[1] for p in region.points]
        return (min(xs), min(ys), max(xs), max(ys))
    if isinstance(region, RectRegion):
        return (region.x, region.y, region.x + region.width, region.y + region.height)
    r = max(region.rx, region.ry)
    return (region.cx - r, region.cy - r, region.cx + r, region.cy + r)


# --- Question bodies (one per type) -------------------------------------------


class ChoiceOption(_Strict):
    id: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=1_000)
    correct: bool = False


class _ChoiceBody(_Strict):
    options: list[ChoiceOption] = Field(min_length=2, max_length=MAX_OPTIONS)

    @field_validator("options")
    @classmethod
    def _unique_ids(cls, options: list[ChoiceOption]) -> list[ChoiceOption]:
        ids = [o.id for o in options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique")
        return options

    def correct_ids(self) -> list[str]:
        return [o.id for o in self.options if o.correct]


class SingleBody(_ChoiceBody):
    type: Literal["single"]

    @model_validator(mode="after")
    def _one_correct(self) -> SingleBody:
        if len(self.correct_ids()) != 1:
            raise ValueError("a single-choice question needs exactly one correct option")
        return self


class MultipleBody(_ChoiceBody):
    type: Literal["multiple"]

    @model_validator(mode="after")
    def _some_correct(self) -> MultipleBody:
        if not self.correct_ids():
            raise ValueError("a multiple-choice question needs at least one correct option")
        return self


class TrueFalseBody(_Strict):
    type: Literal["truefalse"]
    answer: bool


class NumericBody(_Strict):
    type: Literal["numeric"]
    answer: Number
    tolerance: Number = Field(default=0.0, ge=0)
    unit: str = Field(default="", max_length=20)


class TextBody(_Strict):
    type: Literal["text"]
    accepted: list[str] = Field(min_length=1, max_length=50)
    case_sensitive: bool = False

    @field_validator("accepted")
    @classmethod
    def _nonblank(cls, accepted: list[str]) -> list[str]:
        if any(not a.strip() for a in accepted):
            raise ValueError("accepted answers must not be blank")
        if any(len(a) > MAX_TEXT_ANSWER for a in accepted):
            raise ValueError(f"accepted answers are at most {MAX_TEXT_ANSWER} characters")
        return accepted


class OpenBody(_Strict):
    """An ungraded open response."""

    type: Literal["open"]


class LocateBody(_Strict):
    """Click on the slide; graded against the regions (level-0 pixels).

    ``tolerance_um`` needs a slide with MPP; ``tolerance_px`` works on any
    slide. At most one of them is set (see docs/quizzes.md).
    """

    type: Literal["locate"]
    regions: list[Region] = Field(min_length=1, max_length=MAX_REGIONS)
    tolerance_um: Number | None = Field(default=None, ge=0)
    tolerance_px: Number | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_tolerance(self) -> LocateBody:
        if self.tolerance_um is not None and self.tolerance_px is not None:
            raise ValueError("set tolerance_um or tolerance_px, not both")
        return self


Body = Annotated[
    SingleBody | MultipleBody | TrueFalseBody | NumericBody | TextBody | OpenBody | LocateBody,
    Field(discriminator="type"),
]


class QuestionSpec(_Strict):
    """A complete question, correct answer included. Server-side only."""

    prompt: str = Field(min_length=1, max_length=MAX_PROMPT)
    explanation: str = Field(default="", max_length=MAX_PROMPT)
    time_limit: int = Field(default=30, ge=5, le=3600)
    points: int = Field(default=1, ge=0, le=1000)
    slide: SlideRef | None = None
    view: View | None = None
    body: Body

    @property
    def type(self) -> QuestionType:
        return self.body.type

    @model_validator(mode="after")
    def _locate_needs_slide(self) -> QuestionSpec:
        body = self.body
        if isinstance(body, LocateBody):
            slide = self.slide
            if slide is None:
                raise ValueError("a locate question needs a slide")
            if body.tolerance_um and not slide.has_mpp:
                raise ValueError(
                    "this slide has no microns-per-pixel calibration: "
                    "give the tolerance in pixels (tolerance_px) instead of micrometres"
                )
            for region in body.regions:
                x0, y0, x1, y1 = region_bounds(region)
                if x1 < 0 or y1 < 0 or x0 > slide.width or y0 > slide.height:
                    raise ValueError("every target region must overlap the slide")
        return self

    @model_validator(mode="after")
    def _view_on_the_slide(self) -> QuestionSpec:
        if self.view is not None and self.slide is not None:
            try:
                check_view(self.view, (self.slide.width, self.slide.height))
            except ActionError as e:
                raise ValueError(f"view: {e.message}") from None
        return self


def parse_spec(data: Any) -> QuestionSpec:
    """Validate a spec from JSON-like data; raises SpecError with a readable message."""
    try:
        return QuestionSpec.model_validate(data)
    except ValidationError as e:
        raise SpecError(_describe(e)) from None


def _describe(error: ValidationError) -> str:
    """The first few problems as ``field.path: message``."""
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(p) for p in item["loc"])
        msg = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts)


# --- Answers -----------------------------------------------------------------


class ChoiceAnswer(_Strict):
    choice: str = Field(min_length=1, max_length=40)


class MultipleAnswer(_Strict):
    choices: list[str] = Field(min_length=1, max_length=MAX_OPTIONS)


class BoolAnswer(_Strict):
    value: bool


class NumericAnswer(_Strict):
    value: Number


class TextAnswer(_Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT_ANSWER)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("the answer is empty")
        return text


class PointAnswer(_Strict):
    x: Number
    y: Number


Answer = ChoiceAnswer | MultipleAnswer | BoolAnswer | NumericAnswer | TextAnswer | PointAnswer

_ANSWER_MODELS: dict[QuestionType, type[BaseModel]] = {
    "single": ChoiceAnswer,
    "multiple": MultipleAnswer,
    "truefalse": BoolAnswer,
    "numeric": NumericAnswer,
    "text": TextAnswer,
    "open": TextAnswer,
    "locate": PointAnswer,
}


def parse_answer(spec: QuestionSpec, payload: Any) -> Answer:
    """Validate one answer against its question; raises SpecError."""
    model = _ANSWER_MODELS[spec.type]
    try:
        answer = cast(Answer, model.model_validate(payload))
    except ValidationError as e:
        raise SpecError(f"malformed {spec.type} answer: {_describe(e)}") from None
    body = spec.body
    if isinstance(answer, ChoiceAnswer) and isinstance(body, SingleBody):
        if answer.choice not in {o.id for o in body.options}:
            raise SpecError("unknown choice")
    elif isinstance(answer, MultipleAnswer) and isinstance(body, MultipleBody):
        if len(set(answer.choices)) != len(answer.choices):
            raise SpecError("a choice is given twice")
        if not set(answer.choices) <= {o.id for o in body.options}:
            raise SpecError("unknown choice")
    elif isinstance(answer, PointAnswer):
        slide = spec.slide
        assert slide is not None  # a locate spec always has one
        if not (0 <= answer.x <= slide.width and 0 <= answer.y <= slide.height):
            raise SpecError("the point is outside the slide")
    return answer


def answer_json(answer: Answer) -> dict[str, Any]:
    return answer.model_dump(mode="json")


# --- What students may see ----------------------------------------------------


class PublicOption(_Strict):
    id: str
    text: str


class PublicQuestion(_Strict):
    """A question as students see it before the reveal.

    Built field by field from a spec; it has no field that could carry a
    correct answer, an explanation or a target region.
    """

    type: QuestionType
    prompt: str
    time_limit: int
    points: int
    slide_id: int | None
    view: View | None
    options: list[PublicOption] | None
    unit: str | None


def public_question(spec: QuestionSpec) -> PublicQuestion:
    body = spec.body
    options = None
    if isinstance(body, SingleBody | MultipleBody):
        options = [PublicOption(id=o.id, text=o.text) for o in body.options]
    if isinstance(body, TrueFalseBody):
        options = [PublicOption(id="true", text="True"), PublicOption(id="false", text="False")]
    return PublicQuestion(
        type=spec.type,
        prompt=spec.prompt,
        time_limit=spec.time_limit,
        points=spec.points,
        slide_id=spec.slide.id if spec.slide else None,
        view=spec.view,
        options=options,
        unit=body.unit if isinstance(body, NumericBody) else None,
    )


def correct_answer(spec: QuestionSpec) -> dict[str, Any]:
    """The correct answer as revealed to students (JSON)."""
    body = spec.body
    if isinstance(body, SingleBody | MultipleBody):
        return {"choices": body.correct_ids()}
    if isinstance(body, TrueFalseBody):
        return {"value": body.answer}
    if isinstance(body, NumericBody):
        return {"value": body.answer, "tolerance": body.tolerance, "unit": body.unit}
    if isinstance(body, TextBody):
        return {"accepted": list(body.accepted), "case_sensitive": body.case_sensitive}
    if isinstance(body, LocateBody):
        return {
            "regions": [r.model_dump(mode="json") for r in body.regions],
            "tolerance_um": body.tolerance_um,
            "tolerance_px": body.tolerance_px,
        }
    return {}

"""The shapes of what the quiz frames carry besides the question itself, declared
once for the server's validation and the browser's types (see docs/quizzes.md,
"Events"): the live distribution of answers, the revealed correct answer, and a
participant's own answer.

The services build these as dicts (quizzes/aggregation.py, quizzes/specs.py);
the event models of quizzes/events.py validate them into these types, so every
frame is checked against them and the generated client types name every field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from quizzes.specs import (
    BoolAnswer,
    ChoiceAnswer,
    MultipleAnswer,
    Number,
    NumericAnswer,
    PointAnswer,
    Region,
    TextAnswer,
)


class _Shape(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


# --- the distribution of answers (Aggregate.teacher_view / student_view) -------
class ChoiceDistribution(_Shape):
    type: Literal["single", "multiple", "truefalse"]
    answered: int
    correct: int | None  # answers graded correct; None for ungraded types
    counts: dict[str, int]  # option id (or "true"/"false") -> answers


class Bin(_Shape):
    lo: Number | None  # None: the open-ended outermost bin
    hi: Number | None
    count: int


class NumericDistribution(_Shape):
    type: Literal["numeric"]
    answered: int
    correct: int | None
    histogram: list[Bin]
    mean: Number | None


class Heatmap(_Shape):
    """Clicks per cell of a bins_x by bins_y grid over the slide (level-0 pixels)."""

    bins_x: int
    bins_y: int
    cell_width: Number
    cell_height: Number
    cells: list[Annotated[list[int], Field(min_length=3, max_length=3)]]  # [x bin, y bin, clicks]


class LocateDistribution(_Shape):
    type: Literal["locate"]
    answered: int
    correct: int | None
    heatmap: Heatmap
    hit_rate: Number | None


class TextGroup(_Shape):
    text: str
    count: int
    correct: bool | None


class TextDistribution(_Shape):
    """The teacher's view lists the grouped answers; the students' reveal does not."""

    type: Literal["text", "open"]
    answered: int
    correct: int | None
    groups: list[TextGroup] | None = Field(default=None, exclude_if=lambda v: v is None)
    distinct: int | None = Field(default=None, exclude_if=lambda v: v is None)


Distribution = Annotated[
    ChoiceDistribution | NumericDistribution | LocateDistribution | TextDistribution,
    Field(discriminator="type"),
]


# --- the correct answer, as revealed (specs.correct_answer) -------------------------
class ChoicesKey(_Shape):
    choices: list[str]


class TrueFalseKey(_Shape):
    value: bool


class NumericKey(_Shape):
    value: Number
    tolerance: Number
    unit: str


class TextKey(_Shape):
    accepted: list[str]
    case_sensitive: bool


class RegionsKey(_Shape):
    regions: list[Region]
    tolerance_um: Number | None
    tolerance_px: Number | None


class NoKey(_Shape):
    """An open question has no correct answer."""


CorrectAnswer = ChoicesKey | TrueFalseKey | NumericKey | TextKey | RegionsKey | NoKey

# One answer, by question type (specs.parse_answer): what a result shows back.
AnswerPayload = (
    ChoiceAnswer | MultipleAnswer | BoolAnswer | NumericAnswer | TextAnswer | PointAnswer
)


_distribution: TypeAdapter[Distribution] = TypeAdapter(Distribution)
_correct: TypeAdapter[CorrectAnswer] = TypeAdapter(CorrectAnswer)
_answer: TypeAdapter[AnswerPayload] = TypeAdapter(AnswerPayload)


def distribution(view: Mapping[str, Any]) -> Distribution:
    """An aggregate's view (``Aggregate.teacher_view``/``student_view``), typed."""
    return _distribution.validate_python(view)


def correct_key(key: Mapping[str, Any]) -> CorrectAnswer:
    """``specs.correct_answer``'s dict, typed."""
    return _correct.validate_python(key)


def answer_payload(payload: Mapping[str, Any]) -> AnswerPayload:
    """A stored answer payload (``specs.answer_json``), typed."""
    return _answer.validate_python(payload)

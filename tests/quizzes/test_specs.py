"""Question and answer validation, and the public (answer-free) question shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quizzes.specs import (
    PublicOption,
    PublicQuestion,
    SpecError,
    parse_answer,
    parse_spec,
    public_question,
)

SLIDE = {"id": 1, "width": 1000, "height": 800, "mpp_x": 0.5, "mpp_y": 0.5}
NO_MPP = {"id": 2, "width": 1000, "height": 800}
RECT = {"kind": "rect", "x": 10, "y": 10, "width": 50, "height": 50}


def make(body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"prompt": "Find it", "body": body, **extra}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (make({"type": "locate", "regions": [RECT]}), "needs a slide"),
        (
            make({"type": "locate", "regions": [RECT], "tolerance_um": 5}, slide=NO_MPP),
            "tolerance_px",
        ),
        (
            make(
                {"type": "locate", "regions": [{**RECT, "x": 5000}]},
                slide=SLIDE,
            ),
            "overlap the slide",
        ),
        (
            make(
                {"type": "locate", "regions": [RECT], "tolerance_um": 1, "tolerance_px": 1},
                slide=SLIDE,
            ),
            "not both",
        ),
        (make({"type": "locate", "regions": []}, slide=SLIDE), "at least 1"),
        (
            make(
                {"type": "locate", "regions": [{"kind": "polygon", "points": [[0, 0], [1, 1]]}]},
                slide=SLIDE,
            ),
            "at least 3",
        ),
        (
            make(
                {"type": "single", "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]}
            ),
            "exactly one",
        ),
        (
            make(
                {
                    "type": "multiple",
                    "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
                }
            ),
            "at least one correct",
        ),
        (
            make(
                {
                    "type": "single",
                    "options": [
                        {"id": "a", "text": "A", "correct": True},
                        {"id": "a", "text": "B"},
                    ],
                }
            ),
            "unique",
        ),
        (make({"type": "text", "accepted": ["  "]}), "blank"),
        (make({"type": "numeric", "answer": "7"}), "valid number"),
        (make({"type": "numeric", "answer": 7, "tolerance": -1}), "greater than or equal"),
        (make({"type": "truefalse", "answer": None}), "boolean"),
        (make({"type": "essay"}), "type"),
        ({"body": {"type": "open"}}, "prompt"),
        (make({"type": "open"}, time_limit=1), "time_limit"),
    ],
)
def test_it_rejects_an_invalid_question_with_a_clear_message(data: dict[str, Any], message: str):
    with pytest.raises(SpecError, match=message):
        parse_spec(data)


def test_a_slide_without_mpp_accepts_a_pixel_tolerance():
    spec = parse_spec(make({"type": "locate", "regions": [RECT], "tolerance_px": 20}, slide=NO_MPP))
    assert spec.type == "locate"


def test_a_stored_spec_round_trips_through_json():
    data = make(
        {
            "type": "locate",
            "regions": [RECT, {"kind": "polygon", "points": [[0, 0], [100, 0], [50, 80]]}],
            "tolerance_um": 4,
        },
        slide=SLIDE,
    )
    spec = parse_spec(data)
    again = parse_spec(json.loads(json.dumps(spec.model_dump(mode="json"))))
    assert again == spec


LOCATE = parse_spec(make({"type": "locate", "regions": [RECT]}, slide=SLIDE))
NUMERIC = parse_spec(make({"type": "numeric", "answer": 3}))
TEXT = parse_spec(make({"type": "text", "accepted": ["x"]}))
MULTI = parse_spec(
    make(
        {
            "type": "multiple",
            "options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}],
        }
    )
)


@pytest.mark.parametrize(
    ("spec", "payload", "message"),
    [
        (LOCATE, {"x": -1, "y": 5}, "outside the slide"),
        (LOCATE, {"x": 5, "y": 801}, "outside the slide"),
        (LOCATE, {"x": "5", "y": 5}, "malformed"),
        (LOCATE, {"x": float("nan"), "y": 5}, "malformed"),
        (LOCATE, [5, 5], "malformed"),
        (NUMERIC, {"value": "3"}, "malformed"),
        (NUMERIC, {"value": True}, "malformed"),
        (NUMERIC, {"value": float("inf")}, "malformed"),
        (TEXT, {"text": "   "}, "empty"),
        (TEXT, {"text": "x" * 501}, "malformed"),
        (MULTI, {"choices": []}, "malformed"),
        (MULTI, {"choices": ["a", "a"]}, "twice"),
        (MULTI, {"choices": ["z"]}, "unknown choice"),
    ],
)
def test_it_rejects_a_malformed_answer(spec: Any, payload: Any, message: str):
    with pytest.raises(SpecError, match=message):
        parse_answer(spec, payload)


def test_the_public_question_has_no_field_that_can_hold_an_answer():
    fields = set(PublicQuestion.model_fields)
    assert fields == {
        "type",
        "prompt",
        "time_limit",
        "points",
        "slide_id",
        "view",
        "options",
        "unit",
    }
    assert set(PublicOption.model_fields) == {"id", "text"}


def test_the_public_question_drops_correctness_explanation_and_regions():
    spec = parse_spec(
        make(
            {"type": "locate", "regions": [RECT], "tolerance_um": 3},
            slide=SLIDE,
            explanation="SECRET-EXPLANATION",
        )
    )
    dumped = json.dumps(public_question(spec).model_dump(mode="json"))
    assert "SECRET" not in dumped and "regions" not in dumped and "tolerance" not in dumped
    choice = parse_spec(
        make(
            {
                "type": "single",
                "options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}],
            }
        )
    )
    assert "correct" not in json.dumps(public_question(choice).model_dump(mode="json"))

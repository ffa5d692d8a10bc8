"""Grading every question type and the speed-weighted score (see docs/quizzes.md)."""

from __future__ import annotations

from typing import Any

from quizzes.grading import grade, normalise_text, score
from quizzes.specs import QuestionSpec, parse_answer, parse_spec


def spec(body: dict[str, Any], **extra: Any) -> QuestionSpec:
    return parse_spec({"prompt": "?", "time_limit": 20, "points": 4, "body": body, **extra})


OPTIONS = [
    {"id": "a", "text": "A", "correct": True},
    {"id": "b", "text": "B"},
    {"id": "c", "text": "C", "correct": True},
]


def graded(s: QuestionSpec, payload: Any) -> bool | None:
    return grade(s, parse_answer(s, payload)).correct


def test_single_choice_is_right_only_for_the_correct_option():
    s = spec({"type": "single", "options": [OPTIONS[0], OPTIONS[1]]})
    assert graded(s, {"choice": "a"}) is True
    assert graded(s, {"choice": "b"}) is False


def test_multiple_choice_needs_exactly_the_correct_set():
    s = spec({"type": "multiple", "options": OPTIONS})
    assert graded(s, {"choices": ["c", "a"]}) is True
    assert graded(s, {"choices": ["a"]}) is False
    assert graded(s, {"choices": ["a", "b", "c"]}) is False


def test_true_false():
    s = spec({"type": "truefalse", "answer": False})
    assert graded(s, {"value": False}) is True
    assert graded(s, {"value": True}) is False


def test_numeric_accepts_values_within_the_tolerance_inclusive():
    s = spec({"type": "numeric", "answer": 7.4, "tolerance": 0.05})
    assert graded(s, {"value": 7.4}) is True
    assert graded(s, {"value": 7.45}) is True
    assert graded(s, {"value": 7.35}) is True
    assert graded(s, {"value": 7.46}) is False
    assert graded(s, {"value": 7}) is False


def test_numeric_without_tolerance_needs_the_exact_value():
    s = spec({"type": "numeric", "answer": 3})
    assert graded(s, {"value": 3}) is True
    assert graded(s, {"value": 3.0000001}) is False


def test_short_text_ignores_case_and_spacing_unless_case_sensitive():
    s = spec({"type": "text", "accepted": ["Kupffer cell", "Kupffer cells"]})
    assert graded(s, {"text": "  kupffer   CELL "}) is True
    assert graded(s, {"text": "kupffer cells"}) is True
    assert graded(s, {"text": "kupfer cell"}) is False
    strict = spec({"type": "text", "accepted": ["HbA1c"], "case_sensitive": True})
    assert graded(strict, {"text": "HbA1c"}) is True
    assert graded(strict, {"text": "hba1c"}) is False


def test_text_normalisation_folds_unicode_compatibility_forms():
    fullwidth = "\uff23\uff24\uff13\uff14"  # "CD34" in fullwidth forms
    assert normalise_text(fullwidth) == normalise_text("cd34")
    assert normalise_text("Straße") == normalise_text("STRASSE")


def test_an_open_response_is_ungraded():
    s = spec({"type": "open"})
    assert graded(s, {"text": "anything"}) is None
    assert score(s, grade(s, parse_answer(s, {"text": "x"})), elapsed_s=1, speed_scoring=True) == 0


def test_locate_uses_the_slide_geometry():
    s = spec(
        {
            "type": "locate",
            "regions": [{"kind": "rect", "x": 10, "y": 10, "width": 5, "height": 5}],
        },
        slide={"id": 1, "width": 100, "height": 100},
    )
    assert graded(s, {"x": 12, "y": 15}) is True
    assert graded(s, {"x": 50, "y": 50}) is False


def test_a_correct_answer_earns_all_points_without_speed_scoring():
    s = spec({"type": "truefalse", "answer": True})
    result = grade(s, parse_answer(s, {"value": True}))
    assert score(s, result, elapsed_s=19, speed_scoring=False) == 4


def test_speed_scoring_goes_from_all_points_to_half_at_the_deadline():
    s = spec({"type": "truefalse", "answer": True})
    result = grade(s, parse_answer(s, {"value": True}))
    assert score(s, result, elapsed_s=0, speed_scoring=True) == 4
    assert score(s, result, elapsed_s=10, speed_scoring=True) == 3
    assert score(s, result, elapsed_s=20, speed_scoring=True) == 2
    assert score(s, result, elapsed_s=25, speed_scoring=True) == 2
    wrong = grade(s, parse_answer(s, {"value": False}))
    assert score(s, wrong, elapsed_s=0, speed_scoring=True) == 0

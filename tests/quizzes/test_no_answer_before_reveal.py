"""Nobody but staff sees a correct answer before the reveal: not in events,
acks or (re)connect snapshots (see docs/quizzes.md, "Privacy")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User

from classroom.models import LiveSession
from quizzes.actions.live import do_close_question, do_push_question, do_submit_answer
from quizzes.actions.reveal import active_question_for, do_reveal
from quizzes.domain import Participant
from slides.models import Slide
from tests.support.quizzes import Captured

pytestmark = pytest.mark.django_db(transaction=True)

SENTINELS = ["EXPLAIN-SENTINEL", "zebrafish-sentinel", "98765.4321", "12345.5"]
SECRET_KEYS = {"correct", "correct_answer", "regions", "accepted", "explanation"}


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def assert_no_secret(payload: Any) -> None:
    text = json.dumps(payload)
    for sentinel in SENTINELS:
        assert sentinel not in text
    leaked = keys_in(payload) & SECRET_KEYS
    assert not leaked, f"{leaked} in {text[:300]}"
    assert not any(k.startswith("tolerance") for k in keys_in(payload))


def specs(slide: Slide) -> list[dict[str, Any]]:
    explain = {"explanation": "EXPLAIN-SENTINEL"}
    return [
        {
            "prompt": "Pick",
            "body": {
                "type": "single",
                "options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}],
            },
            **explain,
        },
        {
            "prompt": "Name it",
            "body": {"type": "text", "accepted": ["zebrafish-sentinel"]},
            **explain,
        },
        {
            "prompt": "How big",
            "body": {"type": "numeric", "answer": 98765.4321, "tolerance": 1},
            **explain,
        },
        {
            "prompt": "Find it",
            "slide_id": slide.pk,
            "body": {
                "type": "locate",
                "regions": [{"kind": "rect", "x": 12345.5, "y": 100, "width": 50, "height": 50}],
                "tolerance_um": 3,
            },
            **explain,
        },
    ]


ANSWERS: list[dict[str, Any]] = [{"choice": "a"}, {"text": "guess"}, {"value": 1}, {"x": 5, "y": 5}]


def test_no_student_visible_payload_holds_a_correct_answer_before_the_reveal(
    session: LiveSession, slide: Slide, teacher: User, alice: User, events: Captured
):
    me = Participant.for_user(alice)
    for spec, answer in zip(specs(slide), ANSWERS, strict=True):
        lq = do_push_question(session, spec, by=teacher)
        assert_no_secret(_active(session, me))
        ack = do_submit_answer(lq, me, answer, f"c-{lq.pk}")
        assert_no_secret(ack.as_event().model_dump(mode="json"))
        assert_no_secret(_active(session, me))
        do_close_question(lq, by=teacher)
        assert_no_secret(_active(session, me))
    student_events = [e for _, e, audience in events if audience != "staff"]
    assert {e["type"] for e in student_events} == {"quiz_question", "quiz_closed"}
    for event in student_events:
        assert_no_secret(event)


def test_the_reveal_then_carries_the_answer_to_everyone(
    session: LiveSession, slide: Slide, teacher: User, alice: User, events: Captured
):
    lq = do_push_question(session, specs(slide)[3], by=teacher)
    do_reveal(lq, by=teacher)
    reveal = next(e for _, e, _ in events if e["type"] == "quiz_reveal")
    assert "12345.5" in json.dumps(reveal) and reveal["explanation"] == "EXPLAIN-SENTINEL"
    snapshot = _active(session, Participant.for_user(alice))
    assert snapshot is not None and snapshot["reveal"] is not None


def test_staff_snapshots_hold_the_full_spec_before_the_reveal(
    session: LiveSession, slide: Slide, teacher: User
):
    do_push_question(session, specs(slide)[1], by=teacher)
    snapshot = _active(session, None, staff=True)
    assert snapshot is not None and snapshot["spec"] is not None
    assert "zebrafish-sentinel" in json.dumps(snapshot["spec"])
    assert snapshot["aggregate"] == {
        "type": "text",
        "answered": 0,
        "correct": 0,
        "groups": [],
        "distinct": 0,
    }


def _active(*args: Any, **kwargs: Any) -> dict[str, Any] | None:
    """The snapshot question as the client receives it (JSON)."""
    found = active_question_for(*args, **kwargs)
    return found.model_dump(mode="json") if found is not None else None

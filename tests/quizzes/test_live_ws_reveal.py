"""Reveal over the websocket, and no correct answer before it (docs/protocol.md, "Quizzes").

The privacy test watches every frame a student and a guest receive (the
question, acks, closes, snapshots on reconnect) for sentinel values of the
correct answers of every question type, then checks the reveal carries them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async

from tests.support.live_quiz import SINGLE, answer, drain, guest_token, locate_spec, push
from tests.support.realtime import connect, disconnect, recv_type, send

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("realtime_isolation"),
]

EXPLAIN = "EXPLANATION-SENTINEL"


def _specs(slide_id: int) -> list[tuple[dict[str, Any], dict[str, Any], list[str]]]:
    """(spec, a student's answer, sentinels that must stay hidden until the reveal)."""
    locate = locate_spec(slide_id)
    locate["explanation"] = EXPLAIN
    locate["body"]["regions"] = [
        {"kind": "polygon", "points": [[31337.25, 1111.5], [32337.25, 1111.5], [31837.25, 2111.5]]}
    ]
    return [
        (
            {**SINGLE, "explanation": EXPLAIN},
            {"choice": "kup"},
            [EXPLAIN, '"correct"', "correct_answer"],
        ),
        (
            {
                "prompt": "Which are zone 3?",
                "explanation": EXPLAIN,
                "body": {
                    "type": "multiple",
                    "options": [
                        {"id": "a", "text": "Central vein", "correct": True},
                        {"id": "b", "text": "Portal vein"},
                    ],
                },
            },
            {"choices": ["b"]},
            [EXPLAIN, '"correct"', "correct_answer"],
        ),
        (
            {
                "prompt": "True?",
                "explanation": EXPLAIN,
                "body": {"type": "truefalse", "answer": True},
            },
            {"value": False},
            [EXPLAIN, "correct_answer"],
        ),
        (
            {
                "prompt": "Size?",
                "explanation": EXPLAIN,
                "body": {"type": "numeric", "answer": 7.123456, "tolerance": 0.654321},
            },
            {"value": 3.0},
            [EXPLAIN, "7.123456", "0.654321", "correct_answer"],
        ),
        (
            {
                "prompt": "Name it",
                "explanation": EXPLAIN,
                "body": {"type": "text", "accepted": ["ACCEPTED-SENTINEL"]},
            },
            {"text": "something else"},
            [EXPLAIN, "ACCEPTED-SENTINEL", "correct_answer"],
        ),
        (
            locate,
            {"x": 10.0, "y": 10.0},
            [EXPLAIN, "31337.25", "32337.25", "regions", "correct_answer", "tolerance_px"],
        ),
    ]


ANSWER_KEYS = {"correct", "correct_answer", "accepted", "regions", "explanation", "tolerance"}
ANSWER_KEYS |= {"tolerance_um", "tolerance_px", "is_correct", "spec", "reveal", "your_result"}


def _answer_keys(value: Any) -> set[str]:
    """Keys that could carry an answer and hold a value anywhere in ``value``."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ANSWER_KEYS and item is not None:
                found.add(key)
            found |= _answer_keys(item)
    elif isinstance(value, list):
        for item in value:
            found |= _answer_keys(item)
    return found


async def test_no_student_frame_carries_a_correct_answer_before_the_reveal(
    live, course, teacher, alice
):
    await database_sync_to_async(course.slides.add)(live.slide)
    token = await guest_token(live.session, "Gus")
    t, _ = await connect(live.session.pk, user=teacher)
    for spec, payload, sentinels in _specs(live.slide.pk):
        a, _ = await connect(live.session.pk, user=alice)
        g, _ = await connect(live.session.pk, guest=token)
        lq_id = await push(t, spec)
        seen = [await recv_type(a, "quiz_question")]
        seen.append(await answer(a, lq_id, "a-1", payload))
        seen.append(await answer(g, lq_id, "g-1", payload))
        seen.append(await answer(a, lq_id, "a-1", payload))  # a resend
        await send(t, type="quiz_close", live_question_id=lq_id)
        await recv_type(a, "quiz_closed")
        seen += await drain(a) + await drain(g)
        # Reconnecting clients get the active question in their snapshot.
        a2, snapshot = await connect(live.session.pk, user=alice)
        g2, guest_snapshot = await connect(live.session.pk, guest=token)
        assert snapshot["question"]["live_question_id"] == lq_id
        assert snapshot["question"]["your_answer"]["answer"] == payload
        seen += [snapshot, guest_snapshot]
        assert not _answer_keys(seen), (spec["body"]["type"], _answer_keys(seen))
        text = json.dumps(seen)
        for sentinel in sentinels:
            assert sentinel not in text, (spec["body"]["type"], sentinel)
        # The reveal then carries them (so the check above can fail).
        await send(t, type="quiz_reveal", live_question_id=lq_id)
        reveal = await recv_type(a, "quiz_reveal")
        assert "correct_answer" in reveal and reveal["explanation"] == EXPLAIN
        await send(t, type="quiz_dismiss", live_question_id=lq_id)
        await recv_type(a, "quiz_dismissed")
        await disconnect(a, g, a2, g2)
    await disconnect(t)


async def test_the_reveal_shows_the_answer_explanation_and_each_students_own_result(
    live, teacher, alice, bob
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    b, _ = await connect(live.session.pk, user=bob)
    lq_id = await push(t, SINGLE, show_distribution=False)
    await answer(a, lq_id, "a-1", {"choice": "hep"})
    await answer(b, lq_id, "b-1", {"choice": "kup"})
    await send(t, type="quiz_reveal", live_question_id=lq_id)
    reveal = await recv_type(a, "quiz_reveal")
    assert reveal["correct_answer"] == {"choices": ["hep"]}
    assert reveal["explanation"] == "Hepatocytes secrete bile."
    assert reveal["distribution"] is None and reveal["leaderboard"] is None
    mine = await recv_type(a, "quiz_result")
    assert (mine["answer"], mine["correct"], mine["score"], mine["points"]) == (
        {"choice": "hep"},
        True,
        2.0,
        2,
    )
    assert await recv_type(b, "quiz_reveal") == reveal
    theirs = await recv_type(b, "quiz_result")
    assert (theirs["correct"], theirs["score"]) == (False, 0.0)
    assert not [f for f in await drain(a) if f["type"] == "quiz_result"]  # only her own
    await disconnect(t, a, b)


async def test_the_teacher_chooses_the_distribution_and_the_leaderboard(live, teacher, alice):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE, show_distribution=False, speed_scoring=True)
    await answer(a, lq_id, "a-1", {"choice": "hep"})
    await send(
        t,
        type="quiz_reveal",
        live_question_id=lq_id,
        show_distribution=True,
        show_leaderboard=True,
    )
    reveal = await recv_type(a, "quiz_reveal")
    assert reveal["distribution"]["counts"] == {"hep": 1, "kup": 0, "ste": 0}
    assert "groups" not in reveal["distribution"]
    [row] = reveal["leaderboard"]
    assert (row["rank"], row["name"]) == (1, "Alice") and 1.0 <= row["score"] <= 2.0
    await disconnect(t, a)


async def test_locate_regions_are_drawn_only_at_the_reveal(live, course, teacher, alice):
    await database_sync_to_async(course.slides.add)(live.slide)
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, locate_spec(live.slide.pk))
    await answer(a, lq_id, "a-1", {"x": 3005.0, "y": 1500.0})  # 5 px outside, within 10 px
    await send(t, type="quiz_reveal", live_question_id=lq_id)
    reveal = await recv_type(a, "quiz_reveal")
    assert reveal["correct_answer"]["regions"] == [
        {"kind": "rect", "x": 1000.0, "y": 1000.0, "width": 2000.0, "height": 2000.0}
    ]
    assert reveal["correct_answer"]["tolerance_px"] == 10.0
    result = await recv_type(a, "quiz_result")
    assert result["correct"] is True and result["distance_um"] is None  # no MPP on this slide
    await disconnect(t, a)

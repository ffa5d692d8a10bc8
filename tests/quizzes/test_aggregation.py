"""Incremental aggregates: counts, histogram, text groups, heatmap; changes
and rebuilds (see docs/quizzes.md, "Aggregation")."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from classroom.models import LiveSession
from quizzes import runtime
from quizzes.actions.live import do_close_question, do_push_question, do_submit_answer
from quizzes.actions.reveal import do_reveal
from quizzes.aggregation import HEATMAP_BINS, Aggregate
from quizzes.domain import Participant
from quizzes.specs import parse_spec
from slides.models import Slide
from tests.support.quizzes import Captured


def aggregate(body: dict[str, Any], **extra: Any) -> Aggregate:
    return Aggregate(1, 1, parse_spec({"prompt": "?", "body": body, **extra}))


def test_it_counts_choices_and_moves_a_changed_answer():
    agg = aggregate(
        {
            "type": "single",
            "options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}],
        }
    )
    agg.apply("u:1", 1, {"choice": "a"}, True)
    agg.apply("u:2", 1, {"choice": "b"}, False)
    agg.apply("u:2", 2, {"choice": "a"}, True)
    view = agg.teacher_view()
    assert view["counts"] == {"a": 2, "b": 0}
    assert view["answered"] == 2 and view["correct"] == 2


def test_a_stale_or_repeated_update_changes_nothing():
    agg = aggregate({"type": "truefalse", "answer": True})
    assert agg.apply("u:1", 2, {"value": True}, True)
    assert not agg.apply("u:1", 2, {"value": True}, True)
    assert not agg.apply("u:1", 1, {"value": False}, False)
    assert agg.teacher_view()["counts"] == {"true": 1, "false": 0}


def test_multiple_choice_counts_each_selected_option():
    agg = aggregate(
        {
            "type": "multiple",
            "options": [
                {"id": "a", "text": "A", "correct": True},
                {"id": "b", "text": "B"},
                {"id": "c", "text": "C"},
            ],
        }
    )
    agg.apply("u:1", 1, {"choices": ["a", "b"]}, False)
    agg.apply("u:2", 1, {"choices": ["a"]}, True)
    assert agg.teacher_view()["counts"] == {"a": 2, "b": 1, "c": 0}


def test_numeric_answers_fill_a_histogram_centred_on_the_answer():
    agg = aggregate({"type": "numeric", "answer": 10, "tolerance": 0.5})
    for i, v in enumerate([10, 10.4, 11, 9.4, 1000]):
        agg.apply(f"u:{i}", 1, {"value": v}, abs(v - 10) <= 0.5)
    view = agg.teacher_view()
    counts = {(b["lo"], b["hi"]): b["count"] for b in view["histogram"]}
    assert counts[(9.5, 10.5)] == 2
    assert counts[(10.5, 11.5)] == 1
    assert counts[(8.5, 9.5)] == 1
    assert counts[(29.5, None)] == 1  # overflow bin: 20 bins of width 1 above
    assert view["mean"] == pytest.approx((10 + 10.4 + 11 + 9.4 + 1000) / 5)
    agg.apply("u:4", 2, {"value": 10}, True)
    assert agg.teacher_view()["mean"] == pytest.approx((10 + 10.4 + 11 + 9.4 + 10) / 5)


def test_text_answers_are_grouped_after_normalising():
    agg = aggregate({"type": "text", "accepted": ["Kupffer cell"]})
    agg.apply("u:1", 1, {"text": "Kupffer cell"}, True)
    agg.apply("u:2", 1, {"text": "  kupffer   CELL"}, True)
    agg.apply("u:3", 1, {"text": "hepatocyte"}, False)
    view = agg.teacher_view()
    assert view["groups"][0] == {"text": "Kupffer cell", "count": 2, "correct": True}
    assert view["groups"][1] == {"text": "hepatocyte", "count": 1, "correct": False}
    agg.apply("u:3", 2, {"text": "kupffer cell"}, True)
    assert agg.teacher_view()["groups"] == [{"text": "Kupffer cell", "count": 3, "correct": True}]


def test_students_never_see_text_groups():
    agg = aggregate({"type": "open"})
    agg.apply("u:1", 1, {"text": "my private words"}, None)
    assert "groups" not in agg.student_view()
    assert "my private words" not in str(agg.student_view())
    assert agg.teacher_view()["correct"] is None


def test_locate_clicks_fill_a_heatmap_with_the_hit_rate():
    agg = aggregate(
        {
            "type": "locate",
            "regions": [{"kind": "rect", "x": 0, "y": 0, "width": 10, "height": 10}],
        },
        slide={"id": 1, "width": 6400, "height": 3200},
    )
    agg.apply("u:1", 1, {"x": 5, "y": 5}, True)
    agg.apply("u:2", 1, {"x": 6400, "y": 3200}, False)
    agg.apply("u:3", 1, {"x": 150, "y": 99}, False)
    view = agg.teacher_view()
    heat = view["heatmap"]
    assert heat["bins_x"] == HEATMAP_BINS and heat["cell_width"] == 100
    assert heat["cells"] == [[0, 0, 1], [1, 1, 1], [63, 63, 1]]
    assert view["hit_rate"] == pytest.approx(1 / 3)


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_from_the_database_equals_the_incremental_aggregate(
    session: LiveSession, slide: Slide, teacher: User, alice: User, bob: User
):
    spec = {
        "prompt": "Find the central vein",
        "slide_id": slide.pk,
        "body": {
            "type": "locate",
            "regions": [{"kind": "ellipse", "cx": 25000, "cy": 20000, "rx": 800, "ry": 400}],
            "tolerance_um": 20,
        },
    }
    lq = do_push_question(session, spec, by=teacher)
    do_submit_answer(lq, Participant.for_user(alice), {"x": 25010, "y": 20005}, "a1")
    do_submit_answer(lq, Participant.for_user(bob), {"x": 100, "y": 100}, "b1")
    do_submit_answer(lq, Participant.for_user(bob), {"x": 25800, "y": 20000}, "b2")
    live_view = runtime.aggregates.get(lq.pk).teacher_view()
    runtime.aggregates.discard_all()
    rebuilt = runtime.aggregates.get(lq.pk).teacher_view()
    assert rebuilt == live_view
    assert live_view["answered"] == 2 and live_view["hit_rate"] == 1.0


@pytest.mark.django_db(transaction=True)
def test_the_final_aggregate_counts_answers_committed_by_other_processes(
    session: LiveSession, teacher: User, alice: User, bob: User, events: Captured
):
    lq = do_push_question(
        session, {"prompt": "Liver?", "body": {"type": "truefalse", "answer": True}}, by=teacher
    )
    do_submit_answer(lq, Participant.for_user(alice), {"value": True}, "a")
    do_submit_answer(lq, Participant.for_user(bob), {"value": False}, "b")
    # This process only saw its own (none) of them: another process committed both.
    runtime.aggregates.discard_all()
    runtime.aggregates.put(Aggregate(lq.pk, session.pk, lq.get_spec()))
    do_close_question(lq, by=teacher)
    final = [e for _, e, _ in events if e["type"] == "quiz_aggregate" and e["final"]]
    assert final[-1]["aggregate"]["counts"] == {"true": 1, "false": 1}
    do_reveal(lq, by=teacher)
    reveal = next(e for _, e, _ in events if e["type"] == "quiz_reveal")
    assert reveal["distribution"]["answered"] == 2


@pytest.mark.django_db(transaction=True)
def test_catching_up_applies_only_what_other_processes_committed_since(
    session: LiveSession, teacher: User, alice: User, bob: User
):
    lq = do_push_question(
        session, {"prompt": "Liver?", "body": {"type": "truefalse", "answer": True}}, by=teacher
    )
    do_submit_answer(lq, Participant.for_user(alice), {"value": True}, "a")
    # Another process's view: built before bob answered and bob changed his mind.
    stale = Aggregate(lq.pk, session.pk, lq.get_spec())
    runtime.aggregates.discard_all()
    runtime.aggregates.put(stale)
    assert runtime.aggregates.catch_up(lq.pk).teacher_view()["counts"] == {"true": 1, "false": 0}
    cursor = stale.cursor
    do_submit_answer(lq, Participant.for_user(bob), {"value": False}, "b1")
    do_submit_answer(lq, Participant.for_user(bob), {"value": True}, "b2")
    runtime.aggregates.discard_all()
    runtime.aggregates.put(stale)
    caught = runtime.aggregates.catch_up(lq.pk)
    assert caught is stale and stale.cursor > cursor
    assert stale.teacher_view()["counts"] == {"true": 2, "false": 0}
    assert runtime.aggregates.catch_up(lq.pk).teacher_view()["answered"] == 2

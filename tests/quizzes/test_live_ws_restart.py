"""A server restart during an open question loses nothing (docs/quizzes.md, "Restart resilience").

The restart is simulated end to end: every socket goes away, the quiz
runtime (aggregates, deadline timers, publisher, spec cache) and realtime's
per-process state (hubs, live-state store, presence, snapshot caches) are
reset, and the clients reconnect with new communicators and their last seq.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from classroom import admission
from classroom import snapshot as classroom_snapshot
from quizzes import runtime, ws
from quizzes.models import LiveAnswer, LiveQuestion
from realtime import hub as hubs
from realtime import snapshot
from realtime.presence import memory_presence
from realtime.state import memory_store
from tests.support.live_quiz import SINGLE, answer, push
from tests.support.realtime import connect, disconnect, recv_type

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("realtime_isolation"),
]


async def _restart(*comms: object) -> None:
    await disconnect(*comms)
    await hubs.close_all()
    memory_store().reset()
    memory_presence().reset()
    snapshot.clear_caches()
    admission.forget_session()
    classroom_snapshot.clear_cache()
    runtime.reset()
    ws.clear_cache()
    assert runtime.deadlines.armed() == {}


async def test_an_open_question_survives_a_restart(live, teacher, alice, bob, settings):
    settings.QUIZ_DEADLINE_GRACE_MS = 0
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    b, _ = await connect(live.session.pk, user=bob)
    lq_id = await push(t, SINGLE, time_limit=6)
    question = await recv_type(a, "quiz_question")
    await answer(a, lq_id, "a-1", {"choice": "hep"})
    await answer(b, lq_id, "b-1", {"choice": "kup"})
    deadline = (await LiveQuestion.objects.aget(pk=lq_id)).deadline_at

    await _restart(t, a, b)

    # Clients come back with their last seq; the store forgot it, so they resync.
    a, a_snap = await connect(live.session.pk, user=alice, since=question["seq"])
    assert a_snap["type"] == "snapshot"
    mine = a_snap["question"]
    assert (mine["live_question_id"], mine["state"]) == (lq_id, "open")
    assert mine["your_answer"]["answer"] == {"choice": "hep"}
    assert 0 < mine["remaining_s"] <= 6
    # The deadline was re-armed from the database, unchanged.
    assert runtime.deadlines.armed() == {lq_id: deadline.timestamp()}
    t, t_snap = await connect(live.session.pk, user=teacher)
    assert t_snap["question"]["aggregate"]["counts"] == {"hep": 1, "kup": 1, "ste": 0}
    assert t_snap["question"]["aggregate"]["answered"] == 2

    # A changed answer and a resend after the restart: counted once each.
    b, _ = await connect(live.session.pk, user=bob)
    assert (await answer(b, lq_id, "b-1", {"choice": "kup"}))["revision"] == 1
    assert (await answer(b, lq_id, "b-2", {"choice": "hep"}))["revision"] == 2
    update = await recv_type(t, "quiz_aggregate")
    while update["aggregate"]["counts"]["hep"] != 2:
        update = await recv_type(t, "quiz_aggregate")
    assert update["aggregate"]["counts"] == {"hep": 2, "kup": 0, "ste": 0}

    # The deadline still closes the question, with the final aggregate.
    closed = await recv_type(a, "quiz_closed", wait=10)
    assert (closed["live_question_id"], closed["reason"]) == (lq_id, "deadline")
    final = await recv_type(t, "quiz_aggregate", wait=5)
    while not final["final"]:
        final = await recv_type(t, "quiz_aggregate", wait=5)
    assert final["aggregate"]["answered"] == 2 and final["aggregate"]["correct"] == 2
    assert await LiveAnswer.objects.filter(live_question_id=lq_id).acount() == 2
    await disconnect(t, a, b)


async def test_a_question_whose_deadline_passed_while_down_is_closed_on_resync(
    live, teacher, alice
):
    t, _ = await connect(live.session.pk, user=teacher)
    a, _ = await connect(live.session.pk, user=alice)
    lq_id = await push(t, SINGLE)
    await answer(a, lq_id, "a-1", {"choice": "hep"})
    await _restart(t, a)
    await LiveQuestion.objects.filter(pk=lq_id).aupdate(
        deadline_at=timezone.now() - timedelta(seconds=30)
    )
    a, snap = await connect(live.session.pk, user=alice)
    assert snap["question"]["state"] == "closed"
    assert snap["question"]["your_answer"]["answer"] == {"choice": "hep"}
    assert (await answer(a, lq_id, "a-2", {"choice": "kup"}))["code"] == "closed"
    lq = await LiveQuestion.objects.aget(pk=lq_id)
    assert (lq.state, lq.close_reason) == ("closed", "deadline")
    await disconnect(a)

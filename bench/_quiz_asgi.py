"""ASGI entry point for ``bench/quiz_burst.py --ws`` (see that script).

Serves ``scopecast.asgi.application``; with ``BENCH_ANSWERS=naive`` it first
swaps in the baseline design, which never ships: each ``quiz_answer`` is its
own transaction on Django's single sync thread (``do_submit_answer`` through
``database_sync_to_async``), and the teacher gets one unthrottled
``quiz_aggregate`` per answer instead of the throttled publisher's (<= 5/s).
"""

from __future__ import annotations

import os
from typing import Any

from scopecast.asgi import application  # sets Django up: the app modules below need it

__all__ = ["application"]


def install_naive() -> None:
    from channels.db import database_sync_to_async

    from quizzes import runtime
    from quizzes.actions import live
    from quizzes.domain import Participant, QuizError
    from quizzes.events import QuizAggregateEvent
    from quizzes.shapes import distribution
    from quizzes.ws import QuizAnswer, refusal
    from realtime.broadcast import publish
    from realtime.commands import register_command
    from realtime.roles import STUDENTS

    async def naive_answer(conn: Any, cmd: QuizAnswer) -> None:
        participant = Participant.from_key(conn.participant)
        try:
            ack = await database_sync_to_async(live.do_submit_answer)(
                cmd.live_question_id,
                participant,
                cmd.answer,
                cmd.client_id,
                session_id=conn.session_id,
            )
        except QuizError as e:
            raise refusal(e, answering=True) from None
        await conn.deliver(ack.as_event().model_dump_json())
        aggregate = runtime.aggregates.peek(ack.live_question_id)
        if aggregate is None or ack.duplicate:
            return
        event = QuizAggregateEvent(
            type="quiz_aggregate",
            live_question_id=ack.live_question_id,
            aggregate=distribution(aggregate.teacher_view()),
            final=False,
        )
        await publish(conn.session_id, event, audience="staff")

    runtime.publisher.mark = lambda key: None  # type: ignore[method-assign]
    register_command(QuizAnswer, roles=STUDENTS, rate=2, burst=10, handler=naive_answer)


if os.environ.get("BENCH_ANSWERS") == "naive":
    install_naive()

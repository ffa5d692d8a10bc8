"""Every quiz event, declared once as the websocket frames (see docs/quizzes.md, "Events").

Strict pydantic models (``realtime.events.Event`` subclasses), registered with
the transport by ``register_events`` from ``QuizzesConfig.ready``; the
browser client's types are generated from them. Services build a model and
``emit`` it: it leaves only after the surrounding transaction commits
(``transaction.on_commit``), to an *audience*:

- ``"all"``: everyone in the session (students, guests, teachers)
- ``"staff"``: the session's teachers and assistants only
- ``"p:<key>"``: one participant (``p:u:<user id>`` or ``p:g:<guest id>``)

(the audiences of ``realtime.broadcast``). Delivery goes through a replaceable
sink (``set_sink``; tests and bench/quiz_burst.py capture with it); the
default hands the event to ``realtime.broadcast.send_event_on_commit``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from django.db import transaction

from quizzes.shapes import AnswerPayload, CorrectAnswer, Distribution
from quizzes.specs import PublicQuestion, QuestionSpec
from realtime import broadcast
from realtime.events import Event, Shape, register_event

log = logging.getLogger(__name__)

AUDIENCE_ALL = "all"
AUDIENCE_STAFF = "staff"
CloseReason = Literal["deadline", "teacher", "replaced", "ended"]


def audience_participant(participant_key: str) -> str:
    """The audience of one participant, e.g. ``p:u:12`` or ``p:g:5``."""
    return f"p:{participant_key}"


class LeaderboardEntry(Shape):
    rank: int
    name: str
    score: float


class QuizQuestionEvent(Event):
    """A question goes live: the public question (no answers)."""

    type: Literal["quiz_question"]
    live_question_id: int
    question: PublicQuestion
    opened_at: str
    deadline_at: str
    server_time: str
    allow_change: bool


class QuizAggregateEvent(Event):
    """Teachers only: the live distribution (``aggregation.Aggregate.teacher_view``)."""

    type: Literal["quiz_aggregate"]
    live_question_id: int
    aggregate: Distribution
    final: bool


class QuizClosedEvent(Event):
    type: Literal["quiz_closed"]
    live_question_id: int
    reason: CloseReason
    closed_at: str


class QuizRevealEvent(Event):
    """Everyone: the correct answer; the distribution and leaderboard if the teacher chose."""

    type: Literal["quiz_reveal"]
    live_question_id: int
    correct_answer: CorrectAnswer
    explanation: str
    distribution: Distribution | None
    leaderboard: list[LeaderboardEntry] | None


class QuizResultEvent(Event):
    """One participant's own result, sent to that participant only."""

    type: Literal["quiz_result"]
    live_question_id: int
    answer: AnswerPayload | None
    correct: bool | None
    score: float
    points: int
    distance_um: float | None


class QuizDismissedEvent(Event):
    type: Literal["quiz_dismissed"]
    live_question_id: int


class QuizAckEvent(Event):
    """The reply to a submission; a resend of the same client id gets the same ack."""

    type: Literal["quiz_ack"]
    live_question_id: int
    client_id: str
    revision: int
    accepted_at: str


class OwnAnswer(Shape):
    answer: AnswerPayload
    client_id: str
    revision: int


class ActiveQuestion(Shape):
    """``snapshot.question``: what a (re)connecting client sees.

    ``reveal`` and ``your_result`` only once revealed; ``spec`` and
    ``aggregate`` for the staff only.
    """

    live_question_id: int
    state: Literal["open", "closed", "revealed"]
    question: PublicQuestion
    opened_at: str
    deadline_at: str
    remaining_s: float
    allow_change: bool
    your_answer: OwnAnswer | None
    reveal: QuizRevealEvent | None
    your_result: QuizResultEvent | None
    spec: QuestionSpec | None
    aggregate: Distribution | None


def register_events() -> None:
    """Declare the quiz frames with the transport (idempotent)."""
    register_event(QuizQuestionEvent, sequenced=True)
    # Throttled (<= 5/s) and latest-value-wins: a slow teacher gets the newest.
    register_event(QuizAggregateEvent, sequenced=True, coalesce="quiz_aggregate", logged=False)
    register_event(QuizClosedEvent, sequenced=True)
    register_event(QuizRevealEvent, sequenced=True)
    register_event(QuizResultEvent, sequenced=True)
    register_event(QuizDismissedEvent, sequenced=True)
    register_event(QuizAckEvent, sequenced=False, logged=False)


Sink = Callable[[int, Event, str], None]
_sink: Sink | None = None


def set_sink(sink: Sink | None) -> Sink | None:
    """Replace where events go (None restores the default); returns the previous sink."""
    global _sink
    previous = _sink
    _sink = sink
    return previous


def emit(session_id: int, event: Event, audience: str = AUDIENCE_ALL) -> None:
    """Send ``event`` to ``audience`` in a session once the current transaction commits.

    Outside a transaction it goes at once, without touching the database
    connection (the throttled publisher emits from its one scheduler thread,
    ``runtime.scheduler``).
    """
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _deliver(session_id, event, audience), robust=True)
    else:
        _deliver(session_id, event, audience)


def _deliver(session_id: int, event: Event, audience: str) -> None:
    try:
        (_sink or _to_realtime)(session_id, event, audience)
    except Exception:
        log.exception("quiz event %s for session %s was not delivered", event.type, session_id)


def _to_realtime(session_id: int, event: Event, audience: str) -> None:
    # Already after commit here: send_event_on_commit sends at once.
    broadcast.send_event_on_commit(session_id, event, audience=audience)

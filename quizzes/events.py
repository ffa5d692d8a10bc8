"""Every quiz event shape, and the one function that emits them.

See docs/quizzes.md ("Events"). Events leave only after the surrounding
transaction commits (``transaction.on_commit``) and go to an *audience*:

- ``"all"``: everyone in the session (students, guests, teachers)
- ``"staff"``: the session's teachers and assistants only
- ``"p:<key>"``: one participant (``p:u:<user id>`` or ``p:g:<guest id>``)

(the audiences of ``realtime.broadcast``). Delivery goes through a replaceable
sink (``set_sink``; tests capture with it). The default sink hands each event
to ``realtime.broadcast.send_event_on_commit`` as the model that
``realtime.events`` registers for its type; an event type realtime does not
declare yet is dropped (logged once), never sent unchecked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal, TypedDict

from django.db import transaction

log = logging.getLogger(__name__)

AUDIENCE_ALL = "all"
AUDIENCE_STAFF = "staff"


def audience_participant(participant_key: str) -> str:
    """The audience of one participant, e.g. ``p:u:12`` or ``p:g:5``."""
    return f"p:{participant_key}"


class QuizQuestionEvent(TypedDict):
    """A question goes live. ``question`` is a ``specs.PublicQuestion``: no answers."""

    type: Literal["quiz_question"]
    live_question_id: int
    question: dict[str, Any]
    opened_at: str
    deadline_at: str
    server_time: str
    allow_change: bool


class QuizAggregateEvent(TypedDict):
    """Teachers only: the live distribution (``aggregation.Aggregate.teacher_view``)."""

    type: Literal["quiz_aggregate"]
    live_question_id: int
    aggregate: dict[str, Any]
    final: bool


class QuizClosedEvent(TypedDict):
    type: Literal["quiz_closed"]
    live_question_id: int
    reason: Literal["deadline", "teacher", "replaced", "ended"]
    closed_at: str


class LeaderboardEntry(TypedDict):
    rank: int
    name: str
    score: float


class QuizRevealEvent(TypedDict):
    """Everyone: the correct answer; the distribution and leaderboard if the teacher chose."""

    type: Literal["quiz_reveal"]
    live_question_id: int
    correct_answer: dict[str, Any]
    explanation: str
    distribution: dict[str, Any] | None
    leaderboard: list[LeaderboardEntry] | None


class QuizResultEvent(TypedDict):
    """One participant's own result, sent to that participant only."""

    type: Literal["quiz_result"]
    live_question_id: int
    answer: dict[str, Any] | None
    correct: bool | None
    score: float
    points: int
    distance_um: float | None


class QuizDismissedEvent(TypedDict):
    type: Literal["quiz_dismissed"]
    live_question_id: int


class QuizAckEvent(TypedDict):
    """The reply to a submission; a resend of the same client id gets the same ack."""

    type: Literal["quiz_ack"]
    live_question_id: int
    client_id: str
    revision: int
    accepted_at: str


QuizEvent = (
    QuizQuestionEvent
    | QuizAggregateEvent
    | QuizClosedEvent
    | QuizRevealEvent
    | QuizResultEvent
    | QuizDismissedEvent
)

EVENT_TYPES: dict[str, type[Any]] = {
    "quiz_question": QuizQuestionEvent,
    "quiz_aggregate": QuizAggregateEvent,
    "quiz_closed": QuizClosedEvent,
    "quiz_reveal": QuizRevealEvent,
    "quiz_result": QuizResultEvent,
    "quiz_dismissed": QuizDismissedEvent,
    "quiz_ack": QuizAckEvent,
}

Sink = Callable[[int, QuizEvent, str], None]

_sink: Sink | None = None


def set_sink(sink: Sink | None) -> Sink | None:
    """Replace where events go (None restores the default); returns the previous sink."""
    global _sink
    previous = _sink
    _sink = sink
    return previous


def emit(session_id: int, event: QuizEvent, audience: str = AUDIENCE_ALL) -> None:
    """Send ``event`` to ``audience`` in a session once the current transaction commits.

    Outside a transaction it goes at once, without touching the database
    connection (the throttled publisher emits from its one scheduler thread,
    ``runtime.scheduler``).
    """
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _deliver(session_id, event, audience), robust=True)
    else:
        _deliver(session_id, event, audience)


def _deliver(session_id: int, event: QuizEvent, audience: str) -> None:
    sink = _sink or _realtime_sink
    try:
        sink(session_id, event, audience)
    except Exception:
        log.exception("quiz event %s for session %s was not delivered", event["type"], session_id)


_undeclared: set[str] = set()


def _realtime_sink(session_id: int, event: QuizEvent, audience: str) -> None:
    try:
        from realtime import broadcast
        from realtime import events as realtime_events
    except ImportError:  # the transport is not there (yet)
        return
    try:
        model = realtime_events.event_spec(event["type"]).model
    except (AttributeError, ValueError):
        if event["type"] not in _undeclared:
            _undeclared.add(event["type"])
            log.warning("realtime.events does not declare %r yet; not sent", event["type"])
        return
    # Already after commit here: send_event_on_commit sends at once.
    broadcast.send_event_on_commit(session_id, model.model_validate(event), audience=audience)

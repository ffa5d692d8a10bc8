"""Live quizzes over the session websocket (see docs/protocol.md, "Quizzes").

Glue only: typed, strict command models for the quiz frames, their handlers
(registered with ``realtime.commands.register_command``), and the snapshot
part filling ``snapshot.question``. The quiz events are declared in
quizzes/events.py. Every state change goes through ``quizzes.actions``; a
refusal becomes the consumer's ``error`` frame. ``register()`` runs once from
``QuizzesConfig.ready``.

Answers: ``quiz_answer`` awaits ``live.asubmit_answer`` (group commit) and
replies ``quiz_ack`` to the submitter only after the commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.db import close_old_connections
from pydantic import Field, StringConstraints

from classroom.models import LiveSession
from quizzes.actions import live, reveal
from quizzes.domain import Participant, QuizError
from quizzes.events import ActiveQuestion
from quizzes.models import LiveQuestion, Question
from realtime import commands as c
from realtime import roles
from realtime.connection import Connection
from realtime.errors import Refusal, SessionGone
from realtime.snapshot import register_snapshot_part
from realtime.state import LiveState

T = TypeVar("T")

Id = Annotated[int, Field(ge=1, le=2**62)]
TimeLimit = Annotated[int, Field(ge=5, le=3600)]
# What answers.check_client_id accepts: 1-64 printable ASCII characters.
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[ -~]+$")]
# One answer object; its fields are checked against the question's type
# (quizzes.specs.parse_answer) when it is committed.
AnswerIn = Annotated[dict[str, Any], Field(min_length=1, max_length=4)]


# --- inbound ---------------------------------------------------------------------------


class QuizPush(c.Command):
    """Staff: open a bank question (``question_id``) or an ad-hoc ``question`` spec."""

    type: Literal["quiz_push"]
    question_id: Id | None = None
    question: dict[str, Any] | None = None
    allow_change: bool = True
    show_distribution: bool = True
    speed_scoring: bool = False
    show_leaderboard: bool = False
    time_limit: TimeLimit | None = None


class QuizClose(c.Command):
    type: Literal["quiz_close"]
    live_question_id: Id


class QuizReveal(c.Command):
    type: Literal["quiz_reveal"]
    live_question_id: Id
    show_distribution: bool | None = None
    show_leaderboard: bool | None = None


class QuizDismiss(c.Command):
    type: Literal["quiz_dismiss"]
    live_question_id: Id


class QuizAnswer(c.Command):
    """Students and guests: one answer; resending the same ``client_id`` is idempotent."""

    type: Literal["quiz_answer"]
    live_question_id: Id
    client_id: ClientId
    answer: AnswerIn


# --- errors ----------------------------------------------------------------------------

# QuizError codes that read differently on the socket (see docs/protocol.md).
_ANSWER_CODES = {"invalid": "invalid_answer", "not_open_yet": "not_open"}


def refusal(error: QuizError, *, answering: bool = False) -> Refusal:
    """The consumer's error frame for a refused quiz command."""
    code: str = error.code
    if answering:
        code = _ANSWER_CODES.get(code, code)
    elif code == "not_open_yet":
        code = "not_open"
    return Refusal(code, error.message)


def _in_thread(fn: Callable[..., T]) -> Callable[..., Any]:
    """A worker-thread call (never the event loop); QuizError becomes ActionError."""

    def run(*args: Any, **kwargs: Any) -> T:
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        except QuizError as e:
            raise refusal(e) from None

    wrapped: Callable[..., Any] = database_sync_to_async(run)
    return wrapped


def _staff_user(conn: Connection) -> User:
    if conn.user_id is None:
        raise QuizError("forbidden", "only the course's teachers can do that")
    return User.objects.get(pk=conn.user_id)


def _session(conn: Connection) -> LiveSession:
    session = LiveSession.objects.filter(pk=conn.session_id).first()
    if session is None:
        raise SessionGone()
    return session


def _check_in_session(conn: Connection, live_question_id: int) -> None:
    if not LiveQuestion.objects.filter(pk=live_question_id, session_id=conn.session_id).exists():
        raise QuizError("not_found", "no such question in this session")


# --- handlers --------------------------------------------------------------------------


@_in_thread
def _push(conn: Connection, cmd: QuizPush) -> None:
    if (cmd.question_id is None) == (cmd.question is None):
        raise QuizError("invalid", "give either question_id (from the bank) or question (a spec)")
    session = _session(conn)
    source: Question | dict[str, Any]
    if cmd.question_id is not None:
        found = Question.objects.filter(pk=cmd.question_id, course_id=session.course_id).first()
        if found is None:
            raise QuizError("not_found", "no such question in this course")
        source = found
    else:
        assert cmd.question is not None
        source = cmd.question
    live.do_push_question(
        session,
        source,
        by=_staff_user(conn),
        allow_change=cmd.allow_change,
        show_distribution=cmd.show_distribution,
        speed_scoring=cmd.speed_scoring,
        show_leaderboard=cmd.show_leaderboard,
        time_limit=cmd.time_limit,
    )


async def _close(conn: Connection, cmd: QuizClose) -> None:
    await _in_thread(_check_in_session)(conn, cmd.live_question_id)
    user = await _in_thread(_staff_user)(conn)
    try:
        # Answers already received are committed before the close.
        await live.aclose_question(cmd.live_question_id, by=user, reason="teacher")
    except QuizError as e:
        raise refusal(e) from None


@_in_thread
def _reveal(conn: Connection, cmd: QuizReveal) -> None:
    _check_in_session(conn, cmd.live_question_id)
    reveal.do_reveal(
        cmd.live_question_id,
        by=_staff_user(conn),
        show_distribution=cmd.show_distribution,
        show_leaderboard=cmd.show_leaderboard,
    )


@_in_thread
def _dismiss(conn: Connection, cmd: QuizDismiss) -> None:
    _check_in_session(conn, cmd.live_question_id)
    live.do_dismiss_question(cmd.live_question_id, by=_staff_user(conn))


async def _answer(conn: Connection, cmd: QuizAnswer) -> None:
    try:
        ack = await live.asubmit_answer(
            cmd.live_question_id,
            Participant.from_key(conn.participant),
            cmd.answer,
            cmd.client_id,
            session_id=conn.session_id,
        )
    except QuizError as e:
        raise refusal(e, answering=True) from None
    # Committed: only now does the submitter hear about it.
    await conn.deliver(ack.as_event().model_dump_json())


# --- snapshot ----------------------------------------------------------------------------


def _active_question(conn: Connection) -> ActiveQuestion | None:
    close_old_connections()
    session = LiveSession.objects.get(pk=conn.session_id)
    participant = None if conn.is_staff else Participant.from_key(conn.participant)
    return reveal.active_question_for(session, participant, staff=conn.is_staff)


# A class joining at once while no question is on screen costs no query per
# join: "nothing on screen" is remembered per session for the seq it was read
# at (every push and dismissal is a sequenced event, so the seq moves) and for
# at most NO_QUESTION_TTL seconds.
NO_QUESTION_TTL = 2.0
_no_question: dict[int, tuple[int, float]] = {}


def clear_cache() -> None:
    """Forget the per-process snapshot cache (tests; a restart does the same)."""
    _no_question.clear()


async def question_snapshot(conn: Connection, state: LiveState) -> dict[str, Any]:
    """``snapshot.question``: the question on screen for this viewer (or null)."""
    now = time.monotonic()
    hit = _no_question.get(conn.session_id)
    if hit is not None and hit[0] == state.seq and now - hit[1] < NO_QUESTION_TTL:
        return {"question": None}
    result: ActiveQuestion | None = await database_sync_to_async(_active_question)(conn)
    if result is None:
        if len(_no_question) > 10_000:
            _no_question.clear()
        _no_question[conn.session_id] = (state.seq, now)
    return {"question": result}


# --- registration ------------------------------------------------------------------------


def register() -> None:
    """Declare the quiz commands and snapshot part with realtime (from ``QuizzesConfig.ready``)."""
    reg = c.register_command
    reg(QuizPush, roles=roles.STAFF, rate=1, burst=5, handler=_push)
    reg(QuizClose, roles=roles.STAFF, rate=2, burst=5, handler=_close)
    reg(QuizReveal, roles=roles.STAFF, rate=2, burst=5, handler=_reveal)
    reg(QuizDismiss, roles=roles.STAFF, rate=2, burst=5, handler=_dismiss)
    reg(QuizAnswer, roles=roles.STUDENTS, rate=2, burst=10, handler=_answer)
    register_snapshot_part("quizzes", {"question": ActiveQuestion | None}, question_snapshot)

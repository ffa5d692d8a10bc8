"""The live flow: push a question, take answers, close it, dismiss it (see docs/quizzes.md).

``do_push_question`` → ``asubmit_answer`` / ``do_submit_answer`` →
``do_close_question`` (deadline or teacher) → ``quizzes.actions.reveal.do_reveal``
→ ``do_dismiss_question``. Every ``do_*`` mutates inside a transaction and
emits events that leave only after the commit; refusals are ``QuizError``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from channels.db import database_sync_to_async
from django.db import IntegrityError, transaction
from django.utils import timezone

from classroom.models import LiveSession
from quizzes import runtime
from quizzes.aggregation import Aggregate
from quizzes.answers import (
    AnswerAck,
    Submission,
    check_client_id,
    commit_batch,
    deadline_grace,
    drain_all_writers,
    get_writer,
)
from quizzes.domain import Participant, QuizError
from quizzes.events import (
    AUDIENCE_ALL,
    CloseReason,
    QuizClosedEvent,
    QuizDismissedEvent,
    QuizQuestionEvent,
    emit,
)
from quizzes.models import LiveQuestion, Question, slide_ref
from quizzes.permissions import AnyUser, check_course_staff
from quizzes.specs import QuestionSpec, SpecError, parse_spec, public_question
from slides.models import Slide


def check_question_spec(
    session: LiveSession, question: Question | dict[str, Any]
) -> tuple[QuestionSpec, Question | None]:
    """The frozen spec of a bank question of this course, or of an ad-hoc one.

    An ad-hoc spec names its slide by ``slide_id``; the geometry and MPP are
    read from the database, never taken from the client.
    """
    if isinstance(question, Question):
        if question.course_id != session.course_id:
            raise QuizError("not_found", "no such question in this course")
        try:
            return question.to_spec(), question
        except SpecError as e:
            raise QuizError("invalid", f"the question is incomplete: {e}") from None
    if not isinstance(question, dict):
        raise QuizError("invalid", "a question must be a bank question or a spec object")
    data = dict(question)
    if "slide" in data:
        raise QuizError("invalid", "give the slide as slide_id")
    slide_id = data.pop("slide_id", None)
    if slide_id is not None:
        if not isinstance(slide_id, int) or isinstance(slide_id, bool):
            raise QuizError("invalid", "slide_id must be an integer")
        slide = Slide.objects.filter(pk=slide_id, courses__id=session.course_id).first()
        if slide is None:
            raise QuizError("not_found", "no such slide in this course")
        data["slide"] = slide_ref(slide)
    try:
        return parse_spec(data), None
    except SpecError as e:
        raise QuizError("invalid", str(e)) from None


def question_event(lq: LiveQuestion, spec: QuestionSpec) -> QuizQuestionEvent:
    return QuizQuestionEvent(
        type="quiz_question",
        live_question_id=lq.pk,
        question=public_question(spec),
        opened_at=lq.opened_at.isoformat(),
        deadline_at=lq.deadline_at.isoformat(),
        server_time=timezone.now().isoformat(),
        allow_change=lq.allow_change,
    )


def do_push_question(
    session: LiveSession,
    question: Question | dict[str, Any],
    *,
    by: AnyUser,
    allow_change: bool = True,
    show_distribution: bool = True,
    speed_scoring: bool = False,
    show_leaderboard: bool = False,
    time_limit: int | None = None,
) -> LiveQuestion:
    """Open a question in a session; a question still open there is closed first
    (``replaced``), after the answers it already received are committed.

    ``time_limit`` (5-3600 s) overrides the question's own for this push.
    Call it outside a transaction (from the event loop: in a worker thread).
    """
    check_course_staff(by, session.course_id)
    if session.state == LiveSession.State.ENDED:
        raise QuizError("closed", "the session has ended")
    runtime.ensure_resumed()
    spec, bank_question = check_question_spec(session, question)
    if time_limit is not None:
        if not 5 <= time_limit <= 3600:
            raise QuizError("invalid", "time_limit must be 5-3600 seconds")
        spec = spec.model_copy(update={"time_limit": time_limit})
    if LiveQuestion.objects.filter(session=session, state=LiveQuestion.State.OPEN).exists():
        drain_all_writers()  # before the row lock below, which the writer needs
    try:
        with transaction.atomic():
            for previous in LiveQuestion.objects.select_for_update().filter(
                session=session, state=LiveQuestion.State.OPEN
            ):
                close_question(previous, "replaced")
            now = timezone.now()
            lq = LiveQuestion.objects.create(
                session=session,
                question=bank_question,
                type=spec.type,
                spec=spec.model_dump(mode="json"),
                allow_change=allow_change,
                show_distribution=show_distribution,
                speed_scoring=speed_scoring,
                show_leaderboard=show_leaderboard,
                opened_at=now,
                deadline_at=now + timedelta(seconds=spec.time_limit),
                pushed_by_id=by.pk,
            )
            transaction.on_commit(lambda: _arm(lq, spec))
            emit(session.pk, question_event(lq, spec), AUDIENCE_ALL)
    except IntegrityError:
        raise QuizError("conflict", "another question was pushed at the same time") from None
    return lq


def _arm(lq: LiveQuestion, spec: QuestionSpec) -> None:
    runtime.aggregates.put(Aggregate(lq.pk, lq.session_id, spec))
    runtime.deadlines.arm(lq.pk, lq.deadline_at + deadline_grace())


# --- answering -------------------------------------------------------------------


def _submission(
    live_question: LiveQuestion | int,
    participant: Participant,
    payload: Any,
    client_id: Any,
    session_id: int | None,
) -> Submission:
    return Submission(
        live_question_id=live_question if isinstance(live_question, int) else live_question.pk,
        participant=participant,
        payload=payload,
        client_id=check_client_id(client_id),
        received_at=timezone.now(),
        session_id=session_id,
    )


def do_submit_answer(
    live_question: LiveQuestion | int,
    participant: Participant,
    payload: Any,
    client_id: Any,
    *,
    session_id: int | None = None,
) -> AnswerAck:
    """Validate, grade and commit one answer now (a batch of one); raises QuizError.

    ``session_id``: the session the participant is connected to (the
    consumer passes it; a question of another session is refused). The
    websocket path uses ``asubmit_answer``, which batches; both return only
    after the answer is committed.
    """
    sub = _submission(live_question, participant, payload, client_id, session_id)
    [outcome] = commit_batch([sub])
    if isinstance(outcome, QuizError):
        raise outcome
    return outcome


async def asubmit_answer(
    live_question: LiveQuestion | int,
    participant: Participant,
    payload: Any,
    client_id: Any,
    *,
    session_id: int | None = None,
) -> AnswerAck:
    """``do_submit_answer`` through the group-commit writer (for the event loop)."""
    sub = _submission(live_question, participant, payload, client_id, session_id)
    return await get_writer().submit(sub)


# --- closing and dismissing ---------------------------------------------------------


def lock_question(live_question: LiveQuestion | int) -> LiveQuestion:
    lq_id = live_question if isinstance(live_question, int) else live_question.pk
    # Lock the question row only, not the joined session row.
    lq = (
        LiveQuestion.objects.select_for_update(of=("self",))
        .select_related("session")
        .filter(pk=lq_id)
    )
    found = lq.first()
    if found is None:
        raise QuizError("not_found", "no such question")
    return found


def close_question(lq: LiveQuestion, reason: CloseReason) -> None:
    """Close a locked, open question (inside the caller's transaction)."""
    lq.state = LiveQuestion.State.CLOSED
    lq.closed_at = timezone.now()
    lq.close_reason = reason
    lq.save(update_fields=["state", "closed_at", "close_reason"])
    event = QuizClosedEvent(
        type="quiz_closed",
        live_question_id=lq.pk,
        reason=reason,
        closed_at=lq.closed_at.isoformat(),
    )
    emit(lq.session_id, event, AUDIENCE_ALL)
    lq_id = lq.pk

    def finish() -> None:
        runtime.deadlines.cancel(lq_id)
        # Exact even with several server processes: every committed answer.
        runtime.aggregates.get_final(lq_id)
        runtime.publisher.finish(lq_id)  # the final aggregate, always

    transaction.on_commit(finish, robust=True)


def do_close_question(
    live_question: LiveQuestion | int, *, by: AnyUser | None, reason: CloseReason = "teacher"
) -> LiveQuestion:
    """Close an open question (idempotent). ``by=None`` is the server (deadline)."""
    with transaction.atomic():
        lq = lock_question(live_question)
        if by is not None:
            check_course_staff(by, lq.session.course_id)
        if lq.state == LiveQuestion.State.OPEN:
            close_question(lq, reason)
    return lq


async def aclose_question(
    live_question: LiveQuestion | int, *, by: AnyUser | None, reason: CloseReason = "teacher"
) -> LiveQuestion:
    """From the event loop: commit answers already received, then close."""
    await get_writer().drain()
    close = database_sync_to_async(do_close_question)
    result: LiveQuestion = await close(live_question, by=by, reason=reason)
    return result


def close_open_questions(session: LiveSession, reason: CloseReason = "ended") -> None:
    """Close whatever is open in a session (call when the session ends).

    Answers received before the end are committed first, as at a deadline.
    """
    open_ids = list(
        LiveQuestion.objects.filter(session=session, state=LiveQuestion.State.OPEN).values_list(
            "id", flat=True
        )
    )
    if open_ids:
        drain_all_writers()
    for lq_id in open_ids:
        do_close_question(lq_id, by=None, reason=reason)


def do_dismiss_question(live_question: LiveQuestion | int, *, by: AnyUser) -> LiveQuestion:
    """Take the question off everyone's screen (closing it first if open)."""
    with transaction.atomic():
        lq = lock_question(live_question)
        check_course_staff(by, lq.session.course_id)
        if lq.state == LiveQuestion.State.OPEN:
            close_question(lq, "teacher")
        if lq.dismissed_at is None:
            lq.dismissed_at = timezone.now()
            lq.save(update_fields=["dismissed_at"])
            event = QuizDismissedEvent(type="quiz_dismissed", live_question_id=lq.pk)
            emit(lq.session_id, event, AUDIENCE_ALL)
    return lq

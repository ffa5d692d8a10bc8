"""Every quiz state change (see docs/quizzes.md).

``check_*`` functions validate and raise ``QuizError``; ``do_*`` functions
mutate inside a transaction and emit events (``quizzes.events.emit``) that
leave only after the commit. The websocket consumer calls these with typed
input and turns ``QuizError`` into an error frame; HTTP views turn it into
``{"error": ...}`` with ``QuizError.status``.

Live flow: ``do_push_question`` → ``asubmit_answer`` / ``do_submit_answer``
→ ``do_close_question`` (deadline or teacher) → ``do_reveal`` →
``do_dismiss_question``. ``active_question_for`` feeds (re)connect
snapshots; ``resume_open_questions`` runs once per serving process at
start-up (``resume_in_background``, from ``QuizzesConfig.ready``).
Self-paced: ``do_create_assignment``, ``do_submit_assignment_answer``,
``assignment_view_for``, ``assignment_results``.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypedDict

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from classroom.models import Course, Guest, LiveSession, Membership
from quizzes import runtime
from quizzes.aggregation import Aggregate
from quizzes.answers import (
    AnswerAck,
    Submission,
    check_client_id,
    commit_batch,
    drain_all_writers,
    get_writer,
)
from quizzes.domain import Participant, QuizError
from quizzes.events import (
    AUDIENCE_ALL,
    LeaderboardEntry,
    QuizClosedEvent,
    QuizDismissedEvent,
    QuizQuestionEvent,
    QuizResultEvent,
    QuizRevealEvent,
    audience_participant,
    emit,
)
from quizzes.grading import grade, score
from quizzes.models import (
    Assignment,
    AssignmentAnswer,
    AssignmentReceipt,
    LiveAnswer,
    LiveQuestion,
    Question,
    QuestionSet,
    slide_ref,
)
from quizzes.specs import (
    QuestionSpec,
    SpecError,
    answer_json,
    correct_answer,
    parse_answer,
    parse_spec,
    public_question,
)
from slides.models import Slide

log = logging.getLogger(__name__)

AnyUser = AbstractBaseUser | AnonymousUser
CloseReason = Literal["deadline", "teacher", "replaced", "ended"]
LEADERBOARD_SIZE = 10
STAFF_ROLES = (Membership.Role.TEACHER, Membership.Role.ASSISTANT)


# --- permissions -------------------------------------------------------------------


def is_course_staff(user: AnyUser | None, course_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(
        course_id=course_id, user_id=user.pk, role__in=STAFF_ROLES
    ).exists()


def check_course_staff(user: AnyUser | None, course_id: int) -> None:
    if not is_course_staff(user, course_id):
        raise QuizError("forbidden", "only the course's teachers can do that")


def is_course_student(user: AnyUser, course_id: int) -> bool:
    return bool(
        user.is_authenticated
        and Membership.objects.filter(
            course_id=course_id, user_id=user.pk, role=Membership.Role.STUDENT
        ).exists()
    )


# --- pushing a question ----------------------------------------------------------


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
    return {
        "type": "quiz_question",
        "live_question_id": lq.pk,
        "question": public_question(spec).model_dump(mode="json"),
        "opened_at": lq.opened_at.isoformat(),
        "deadline_at": lq.deadline_at.isoformat(),
        "server_time": timezone.now().isoformat(),
        "allow_change": lq.allow_change,
    }


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
    ensure_resumed()
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
                _close(previous, "replaced")
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
    from quizzes.answers import deadline_grace

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


# --- closing, revealing, dismissing ------------------------------------------------


def _lock(live_question: LiveQuestion | int) -> LiveQuestion:
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


def _close(lq: LiveQuestion, reason: CloseReason) -> None:
    lq.state = LiveQuestion.State.CLOSED
    lq.closed_at = timezone.now()
    lq.close_reason = reason
    lq.save(update_fields=["state", "closed_at", "close_reason"])
    event: QuizClosedEvent = {
        "type": "quiz_closed",
        "live_question_id": lq.pk,
        "reason": reason,
        "closed_at": lq.closed_at.isoformat(),
    }
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
        lq = _lock(live_question)
        if by is not None:
            check_course_staff(by, lq.session.course_id)
        if lq.state == LiveQuestion.State.OPEN:
            _close(lq, reason)
    return lq


async def aclose_question(
    live_question: LiveQuestion | int, *, by: AnyUser | None, reason: CloseReason = "teacher"
) -> LiveQuestion:
    """From the event loop: commit answers already received, then close."""
    from channels.db import database_sync_to_async

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


def display_names(keys: set[str]) -> dict[str, str]:
    users: dict[int, str] = {}
    guests: dict[int, str] = {}
    parts = [Participant.from_key(k) for k in keys]
    user_ids = [p.id for p in parts if p.kind == "user"]
    guest_ids = [p.id for p in parts if p.kind == "guest"]
    for u in User.objects.filter(pk__in=user_ids).only("username", "first_name", "last_name"):
        users[u.pk] = u.get_full_name() or u.get_username()
    for g in Guest.objects.filter(pk__in=guest_ids).only("display_name"):
        guests[g.pk] = g.display_name
    return {p.key: (users if p.kind == "user" else guests).get(p.id, "(gone)") for p in parts}


def leaderboard(session: LiveSession, limit: int = LEADERBOARD_SIZE) -> list[LeaderboardEntry]:
    """Total scores over the session's revealed questions; ties share a rank."""
    totals = list(
        LiveAnswer.objects.filter(
            live_question__session=session, live_question__state=LiveQuestion.State.REVEALED
        )
        .values("participant_key")
        .annotate(total=Sum("score"))
        .order_by("-total", "participant_key")[:limit]
    )
    names = display_names({t["participant_key"] for t in totals})
    board: list[LeaderboardEntry] = []
    for i, row in enumerate(totals):
        total = round(float(row["total"] or 0.0), 3)
        rank = board[-1]["rank"] if board and board[-1]["score"] == total else i + 1
        board.append({"rank": rank, "name": names[row["participant_key"]], "score": total})
    return board


def reveal_event(lq: LiveQuestion, spec: QuestionSpec) -> QuizRevealEvent:
    distribution = None
    if lq.show_distribution:
        distribution = runtime.aggregates.get_final(lq.pk).student_view()
    return {
        "type": "quiz_reveal",
        "live_question_id": lq.pk,
        "correct_answer": correct_answer(spec),
        "explanation": spec.explanation,
        "distribution": distribution,
        "leaderboard": leaderboard(lq.session) if lq.show_leaderboard else None,
    }


def result_event(lq: LiveQuestion, spec: QuestionSpec, answer: LiveAnswer) -> QuizResultEvent:
    distance_um = None
    if spec.type == "locate":
        distance_um = grade(spec, parse_answer(spec, answer.payload)).distance_um
    return {
        "type": "quiz_result",
        "live_question_id": lq.pk,
        "answer": answer.payload,
        "correct": answer.correct,
        "score": answer.score,
        "points": spec.points,
        "distance_um": distance_um,
    }


def do_reveal(
    live_question: LiveQuestion | int,
    *,
    by: AnyUser,
    show_distribution: bool | None = None,
    show_leaderboard: bool | None = None,
) -> LiveQuestion:
    """Close if needed, then show everyone the answer and each participant their result.

    Revealing again (e.g. to toggle the leaderboard) sends the reveal again.
    """
    with transaction.atomic():
        lq = _lock(live_question)
        check_course_staff(by, lq.session.course_id)
        if lq.state == LiveQuestion.State.OPEN:
            _close(lq, "teacher")
        if show_distribution is not None:
            lq.show_distribution = show_distribution
        if show_leaderboard is not None:
            lq.show_leaderboard = show_leaderboard
        lq.state = LiveQuestion.State.REVEALED
        lq.revealed_at = lq.revealed_at or timezone.now()
        lq.save(update_fields=["state", "revealed_at", "show_distribution", "show_leaderboard"])
        spec = runtime.spec_for(lq)
        emit(lq.session_id, reveal_event(lq, spec), AUDIENCE_ALL)
        for answer in LiveAnswer.objects.filter(live_question=lq).iterator(chunk_size=1000):
            emit(
                lq.session_id,
                result_event(lq, spec, answer),
                audience_participant(answer.participant_key),
            )
    return lq


def do_dismiss_question(live_question: LiveQuestion | int, *, by: AnyUser) -> LiveQuestion:
    """Take the question off everyone's screen (closing it first if open)."""
    with transaction.atomic():
        lq = _lock(live_question)
        check_course_staff(by, lq.session.course_id)
        if lq.state == LiveQuestion.State.OPEN:
            _close(lq, "teacher")
        if lq.dismissed_at is None:
            lq.dismissed_at = timezone.now()
            lq.save(update_fields=["dismissed_at"])
            event: QuizDismissedEvent = {"type": "quiz_dismissed", "live_question_id": lq.pk}
            emit(lq.session_id, event, AUDIENCE_ALL)
    return lq


# --- snapshots and restart --------------------------------------------------------


class OwnAnswer(TypedDict):
    answer: dict[str, Any]
    client_id: str
    revision: int


class ActiveQuestion(TypedDict):
    """What a (re)connecting client sees; ``reveal``/``your_result`` only once revealed."""

    live_question_id: int
    state: str
    question: dict[str, Any]
    opened_at: str
    deadline_at: str
    remaining_s: float
    allow_change: bool
    your_answer: OwnAnswer | None
    reveal: QuizRevealEvent | None
    your_result: QuizResultEvent | None
    # Staff only:
    spec: dict[str, Any] | None
    aggregate: dict[str, Any] | None


def active_question_for(
    session: LiveSession, participant: Participant | None, *, staff: bool = False
) -> ActiveQuestion | None:
    """The question on screen in this session for one viewer, or None.

    Students and guests get the public question, their own answer and the
    remaining time; the correct answer only after the reveal. ``staff=True``
    adds the full spec and the live aggregate (the caller checks the role).
    """
    ensure_resumed()
    lq = (
        LiveQuestion.objects.filter(session=session, dismissed_at__isnull=True)
        .select_related("session")
        .order_by("-opened_at", "-id")
        .first()
    )
    if lq is None:
        return None
    spec = runtime.spec_for(lq)
    own = None
    if participant is not None:
        own = LiveAnswer.objects.filter(live_question=lq, participant_key=participant.key).first()
    revealed = lq.state == LiveQuestion.State.REVEALED
    remaining = 0.0
    if lq.state == LiveQuestion.State.OPEN:
        remaining = max(0.0, (lq.deadline_at - timezone.now()).total_seconds())
    return {
        "live_question_id": lq.pk,
        "state": lq.state,
        "question": public_question(spec).model_dump(mode="json"),
        "opened_at": lq.opened_at.isoformat(),
        "deadline_at": lq.deadline_at.isoformat(),
        "remaining_s": round(remaining, 3),
        "allow_change": lq.allow_change,
        "your_answer": (
            {"answer": own.payload, "client_id": own.client_id, "revision": own.revision}
            if own is not None
            else None
        ),
        "reveal": reveal_event(lq, spec) if revealed else None,
        "your_result": result_event(lq, spec, own) if revealed and own is not None else None,
        "spec": spec.model_dump(mode="json") if staff else None,
        "aggregate": _aggregate_for(lq).teacher_view() if staff else None,
    }


def _aggregate_for(lq: LiveQuestion) -> Aggregate:
    if lq.state == LiveQuestion.State.OPEN:
        return runtime.aggregates.get(lq.pk)
    return runtime.aggregates.get_final(lq.pk)


def ensure_resumed() -> None:
    """Run ``resume_open_questions`` once per process, unless it already ran.

    A serving process runs it at start-up (``resume_in_background``, from
    ``QuizzesConfig.ready``); the services a restarted server meets first (a
    reconnecting client's snapshot, a submission, a push) call this too, so
    a process started some other way, or whose start-up resume failed,
    still re-arms the deadlines before it answers.
    """
    if runtime.resumed.is_set():
        return
    with runtime.resume_lock:
        if not runtime.resumed.is_set():
            resume_open_questions()


def resume_in_background() -> threading.Thread:
    """At a serving process's start: ``ensure_resumed`` on a daemon thread.

    Waits until every app is ready (never touches the database during app
    initialisation), so questions whose deadline passed while no server ran
    are closed, and the open ones' deadlines re-armed, without waiting for a
    client to connect. A failure is logged; the first use retries.
    """

    def run() -> None:
        from django.apps import apps
        from django.db import connection

        apps.ready_event.wait()
        try:
            ensure_resumed()
        except Exception as e:
            log.warning("resuming open live questions at start-up failed (retried on use): %s", e)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="quiz-resume", daemon=True)
    thread.start()
    return thread


def resume_open_questions() -> list[int]:
    """At process start: rebuild aggregates and re-arm deadlines of open questions.

    Questions whose deadline passed while no process was running are closed
    now. Idempotent; safe to run in every process. Returns the ids still open.
    """
    from quizzes.answers import deadline_grace

    runtime.resumed.set()
    try:
        still_open = []
        now = timezone.now()
        for lq in LiveQuestion.objects.filter(state=LiveQuestion.State.OPEN).only(
            "id", "session_id", "spec", "deadline_at"
        ):
            runtime.aggregates.rebuild(lq.pk)
            due = lq.deadline_at + deadline_grace()
            if due <= now:
                do_close_question(lq.pk, by=None, reason="deadline")
            else:
                runtime.deadlines.arm(lq.pk, due)
                still_open.append(lq.pk)
    except Exception:
        runtime.resumed.clear()  # the next ensure_resumed tries again
        raise
    return still_open


# --- self-paced assignments ----------------------------------------------------------


def do_create_assignment(
    course: Course,
    question_set: QuestionSet,
    *,
    title: str,
    due_at: datetime,
    opens_at: datetime | None = None,
    by: AnyUser,
) -> Assignment:
    check_course_staff(by, course.pk)
    if question_set.course_id != course.pk:
        raise QuizError("not_found", "no such question set in this course")
    if not title.strip():
        raise QuizError("invalid", "the title is empty")
    if due_at <= timezone.now():
        raise QuizError("invalid", "the deadline is in the past")
    if opens_at is not None and opens_at >= due_at:
        raise QuizError("invalid", "the assignment must open before it is due")
    if not question_set.items.exists():
        raise QuizError("invalid", "the question set has no questions")
    for q in question_set.ordered_questions():
        try:
            q.to_spec()
        except SpecError as e:
            raise QuizError("invalid", f"question {q.pk} is incomplete: {e}") from None
    return Assignment.objects.create(
        course=course,
        question_set=question_set,
        title=title.strip(),
        due_at=due_at,
        opens_at=opens_at,
        created_by_id=by.pk,
    )


@dataclass(frozen=True)
class AssignmentAck:
    question_id: int
    client_id: str
    saved_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "client_id": self.client_id,
            "saved_at": self.saved_at.isoformat(),
        }


def check_assignment_open(assignment: Assignment) -> None:
    now = timezone.now()
    if assignment.opens_at is not None and now < assignment.opens_at:
        raise QuizError("not_open_yet", "this assignment is not open yet")
    if now > assignment.due_at:
        raise QuizError("late", "the deadline for this assignment has passed")


def _assignment_receipt(
    assignment: Assignment, question_id: int, user_id: int, client_id: str
) -> AssignmentAck | None:
    """The original ack of a submission already saved with this client id, if any."""
    receipt = AssignmentReceipt.objects.filter(
        assignment=assignment, question_id=question_id, user_id=user_id, client_id=client_id
    ).first()
    if receipt is None:
        return None
    return AssignmentAck(question_id, client_id, receipt.saved_at)


def do_submit_assignment_answer(
    assignment: Assignment, user: AnyUser, *, question_id: int, payload: Any, client_id: Any
) -> AssignmentAck:
    """Save (or change, until the deadline) one answer, graded against the frozen spec.

    Idempotent like the live path: every saved submission leaves an
    ``AssignmentReceipt``, and a resend of a known client id (even after a
    later change, even after the deadline) returns the original ack and
    changes nothing, so a delayed resend can never undo a newer answer.
    """
    client_id = check_client_id(client_id)
    if not is_course_student(user, assignment.course_id):
        raise QuizError("not_participant", "only the course's students answer assignments")
    user_id = int(str(user.pk))
    seen = _assignment_receipt(assignment, question_id, user_id, client_id)
    if seen is not None:
        return seen
    check_assignment_open(assignment)
    try:
        return _save_assignment_answer(assignment, question_id, user_id, client_id, payload)
    except IntegrityError:
        # A concurrent first save of this question (or a resend of this very
        # submission) won the race: its receipt is there now.
        seen = _assignment_receipt(assignment, question_id, user_id, client_id)
        if seen is not None:
            return seen
        return _save_assignment_answer(assignment, question_id, user_id, client_id, payload)


def _save_assignment_answer(
    assignment: Assignment, question_id: int, user_id: int, client_id: str, payload: Any
) -> AssignmentAck:
    with transaction.atomic():
        # The assignment's row lock: an answer is graded against the frozen
        # specs as committed, even while a teacher refreshes them.
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        spec = dict(locked.assigned_questions()).get(question_id)
        if spec is None:
            raise QuizError("not_found", "no such question in this assignment")
        seen = _assignment_receipt(assignment, question_id, user_id, client_id)
        if seen is not None:
            return seen
        try:
            answer = parse_answer(spec, payload)
        except SpecError as e:
            raise QuizError("invalid", str(e)) from None
        result = grade(spec, answer)
        now = timezone.now()
        fields = {
            "client_id": client_id,
            "payload": answer_json(answer),
            "correct": result.correct,
            "score": score(spec, result, elapsed_s=None, speed_scoring=False),
            "updated_at": now,
        }
        existing = AssignmentAnswer.objects.filter(
            assignment=assignment, question_id=question_id, user_id=user_id
        ).first()
        if existing is None:
            AssignmentAnswer.objects.create(
                assignment=assignment,
                question_id=question_id,
                user_id=user_id,
                answered_at=now,
                **fields,
            )
        else:
            AssignmentAnswer.objects.filter(pk=existing.pk).update(**fields)
        AssignmentReceipt.objects.create(
            assignment=assignment,
            question_id=question_id,
            user_id=user_id,
            client_id=client_id,
            saved_at=now,
        )
    return AssignmentAck(question_id, client_id, now)


def _grade_saved(spec: QuestionSpec, payload: Any) -> tuple[bool | None, float]:
    """(correct, score) of a saved answer under ``spec``; one that no longer fits is wrong."""
    try:
        answer = parse_answer(spec, payload)
    except SpecError:
        return False, 0.0
    result = grade(spec, answer)
    return result.correct, score(spec, result, elapsed_s=None, speed_scoring=False)


def do_refresh_assignment(assignment: Assignment, *, by: AnyUser) -> int:
    """Take the set's current bank questions into the assignment and regrade.

    For a teacher who fixed a question after students answered: the frozen
    specs are replaced and every saved answer is graded again under them (an
    answer that no longer fits its question, e.g. a deleted option, counts
    as wrong), so what students and the results show always agrees with the
    stored grades. Returns how many answers changed grade.
    """
    check_course_staff(by, assignment.course_id)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        try:
            locked.freeze()
        except SpecError as e:
            raise QuizError("invalid", f"a question is incomplete: {e}") from None
        locked.save(update_fields=["frozen"])
        specs = dict(locked.assigned_questions())
        changed = []
        for a in AssignmentAnswer.objects.filter(assignment=locked, question_id__in=specs):
            grade_now = _grade_saved(specs[a.question_id], a.payload)
            if grade_now != (a.correct, a.score):
                a.correct, a.score = grade_now
                changed.append(a)
        AssignmentAnswer.objects.bulk_update(changed, ["correct", "score"], batch_size=500)
    assignment.frozen = locked.frozen
    return len(changed)


def assignment_view_for(assignment: Assignment, user: AnyUser) -> dict[str, Any]:
    """The student's page data: questions without answers, their own answers,
    and, once the deadline has passed, the correct answers and their results
    (all from the assignment's frozen specs)."""
    now = timezone.now()
    past_due = now > assignment.due_at
    own = {
        a.question_id: a
        for a in AssignmentAnswer.objects.filter(assignment=assignment, user_id=int(str(user.pk)))
    }
    questions = []
    for position, (question_id, spec) in enumerate(assignment.assigned_questions(), start=1):
        mine = own.get(question_id)
        entry: dict[str, Any] = {
            "id": question_id,
            "position": position,
            "question": public_question(spec).model_dump(mode="json"),
            "your_answer": mine.payload if mine else None,
        }
        if past_due:
            entry["correct_answer"] = correct_answer(spec)
            entry["explanation"] = spec.explanation
            entry["your_result"] = (
                {"correct": mine.correct, "score": mine.score} if mine is not None else None
            )
        questions.append(entry)
    return {
        "assignment": {
            "id": assignment.pk,
            "title": assignment.title,
            "opens_at": assignment.opens_at.isoformat() if assignment.opens_at else None,
            "due_at": assignment.due_at.isoformat(),
            "open": (assignment.opens_at is None or assignment.opens_at <= now) and not past_due,
            "past_due": past_due,
        },
        "questions": questions,
    }


def assignment_results(assignment: Assignment) -> dict[str, Any]:
    """Per question and per student (staff only; the caller checks)."""
    questions = assignment.assigned_questions()
    students = list(
        User.objects.filter(
            memberships__course_id=assignment.course_id,
            memberships__role=Membership.Role.STUDENT,
        ).order_by("last_name", "first_name", "username")
    )
    answers = AssignmentAnswer.objects.filter(
        assignment=assignment, question_id__in=[qid for qid, _ in questions]
    ).values_list("user_id", "question_id", "correct", "score")
    by_student: dict[int, dict[int, tuple[bool | None, float]]] = defaultdict(dict)
    for user_id, question_id, correct, points in answers:
        by_student[user_id][question_id] = (correct, points)
    per_question = []
    for position, (question_id, spec) in enumerate(questions, start=1):
        cells = [by_student[s.pk].get(question_id) for s in students]
        answered = [c for c in cells if c is not None]
        right = sum(1 for c in answered if c[0])
        prompt = spec.prompt.strip()
        per_question.append(
            {
                "id": question_id,
                "position": position,
                "type": spec.type,
                "prompt": prompt.splitlines()[0][:120] if prompt else "",
                "points": spec.points,
                "answered": len(answered),
                "correct": right,
                "correct_rate": right / len(answered) if answered else None,
            }
        )
    per_student = []
    for s in students:
        mine = by_student[s.pk]
        per_student.append(
            {
                "user_id": s.pk,
                "name": s.get_full_name() or s.get_username(),
                "answered": len(mine),
                "correct": sum(1 for c, _ in mine.values() if c),
                "score": round(sum(p for _, p in mine.values()), 3),
                "answers": {
                    str(qid): (mine[qid][0] if qid in mine else "unanswered")
                    for qid, _ in questions
                },
            }
        )
    return {
        "assignment": {
            "id": assignment.pk,
            "title": assignment.title,
            "due_at": assignment.due_at.isoformat(),
            "max_score": sum(spec.points for _, spec in questions),
        },
        "questions": per_question,
        "students": per_student,
    }

"""Revealing a question, the leaderboard, and what a (re)connecting client sees."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from classroom.models import Guest, LiveSession
from quizzes import runtime, shapes
from quizzes.actions.live import close_question, lock_question
from quizzes.aggregation import Aggregate
from quizzes.domain import Participant
from quizzes.events import (
    AUDIENCE_ALL,
    ActiveQuestion,
    LeaderboardEntry,
    OwnAnswer,
    QuizResultEvent,
    QuizRevealEvent,
    audience_participant,
    emit,
)
from quizzes.grading import grade
from quizzes.models import LiveAnswer, LiveQuestion
from quizzes.permissions import AnyUser, check_course_staff
from quizzes.specs import QuestionSpec, correct_answer, parse_answer, public_question

LEADERBOARD_SIZE = 10


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
        rank = board[-1].rank if board and board[-1].score == total else i + 1
        board.append(LeaderboardEntry(rank=rank, name=names[row["participant_key"]], score=total))
    return board


def reveal_event(lq: LiveQuestion, spec: QuestionSpec) -> QuizRevealEvent:
    distribution = None
    if lq.show_distribution:
        distribution = shapes.distribution(runtime.aggregates.get_final(lq.pk).student_view())
    return QuizRevealEvent(
        type="quiz_reveal",
        live_question_id=lq.pk,
        correct_answer=shapes.correct_key(correct_answer(spec)),
        explanation=spec.explanation,
        distribution=distribution,
        leaderboard=leaderboard(lq.session) if lq.show_leaderboard else None,
    )


def result_event(lq: LiveQuestion, spec: QuestionSpec, answer: LiveAnswer) -> QuizResultEvent:
    distance_um = None
    if spec.type == "locate":
        distance_um = grade(spec, parse_answer(spec, answer.payload)).distance_um
    return QuizResultEvent(
        type="quiz_result",
        live_question_id=lq.pk,
        answer=shapes.answer_payload(answer.payload) if answer.payload else None,
        correct=answer.correct,
        score=answer.score,
        points=spec.points,
        distance_um=distance_um,
    )


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
        lq = lock_question(live_question)
        check_course_staff(by, lq.session.course_id)
        if lq.state == LiveQuestion.State.OPEN:
            close_question(lq, "teacher")
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


def active_question_for(
    session: LiveSession, participant: Participant | None, *, staff: bool = False
) -> ActiveQuestion | None:
    """The question on screen in this session for one viewer, or None.

    Students and guests get the public question, their own answer and the
    remaining time; the correct answer only after the reveal. ``staff=True``
    adds the full spec and the live aggregate (the caller checks the role).
    """
    runtime.ensure_resumed()
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
    return ActiveQuestion(
        live_question_id=lq.pk,
        state=lq.state,  # type: ignore[arg-type]
        question=public_question(spec),
        opened_at=lq.opened_at.isoformat(),
        deadline_at=lq.deadline_at.isoformat(),
        remaining_s=round(remaining, 3),
        allow_change=lq.allow_change,
        your_answer=(
            OwnAnswer(
                answer=shapes.answer_payload(own.payload),
                client_id=own.client_id,
                revision=own.revision,
            )
            if own is not None
            else None
        ),
        reveal=reveal_event(lq, spec) if revealed else None,
        your_result=result_event(lq, spec, own) if revealed and own is not None else None,
        spec=spec if staff else None,
        aggregate=shapes.distribution(_aggregate_for(lq).teacher_view()) if staff else None,
    )


def _aggregate_for(lq: LiveQuestion) -> Aggregate:
    if lq.state == LiveQuestion.State.OPEN:
        return runtime.aggregates.get(lq.pk)
    return runtime.aggregates.get_final(lq.pk)

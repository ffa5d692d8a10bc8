"""The durable answer path: group commit (see docs/quizzes.md, "Answer durability").

``commit_batch`` validates, grades and stores many submissions in ONE
transaction: one row lock on each live question, one membership query, one
upsert (``bulk_create`` with ``update_conflicts``) and one receipt insert,
whatever the batch size. It returns only after the commit, so every ack it
hands out is durable. Aggregates are updated after the commit.

``AnswerWriter`` is the asyncio front: submissions arriving within a short
window (``QUIZ_BATCH_WINDOW_MS``) or up to ``QUIZ_BATCH_MAX`` of them are
committed together on one dedicated writer thread (never the event loop,
never Django's sync thread), and while one batch commits the next fills up.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, transaction
from django.utils import timezone

from classroom.models import Guest, LiveSession, Membership
from quizzes import runtime
from quizzes.domain import Participant, QuizError
from quizzes.events import QuizAckEvent
from quizzes.grading import grade, score
from quizzes.models import AnswerReceipt, LiveAnswer, LiveQuestion
from quizzes.specs import SpecError, answer_json, parse_answer
from scopecast.loops import LoopLocal

log = logging.getLogger(__name__)

MAX_CLIENT_ID = 64


def batch_window_s() -> float:
    return settings.QUIZ_BATCH_WINDOW_MS / 1000


def batch_max() -> int:
    return int(settings.QUIZ_BATCH_MAX)


def deadline_grace() -> timedelta:
    """Slack after the deadline for answers already on the wire."""
    return timedelta(milliseconds=settings.QUIZ_DEADLINE_GRACE_MS)


@dataclass(frozen=True)
class Submission:
    live_question_id: int
    participant: Participant
    payload: Any
    client_id: str
    received_at: datetime
    # The session the submitter is connected to; a question of another
    # session is "not found" for them.
    session_id: int | None = None


@dataclass(frozen=True)
class AnswerAck:
    live_question_id: int
    client_id: str
    revision: int
    accepted_at: datetime
    # True when this client id had been accepted before (a resend).
    duplicate: bool = False

    def as_event(self) -> QuizAckEvent:
        """The frame for the client; identical for a first send and a resend."""
        return QuizAckEvent(
            type="quiz_ack",
            live_question_id=self.live_question_id,
            client_id=self.client_id,
            revision=self.revision,
            accepted_at=self.accepted_at.isoformat(),
        )


Outcome = AnswerAck | QuizError


def check_client_id(client_id: object) -> str:
    if (
        not isinstance(client_id, str)
        or not 1 <= len(client_id) <= MAX_CLIENT_ID
        or not client_id.isascii()
        or not client_id.isprintable()
    ):
        raise QuizError(
            "invalid", f"client_id must be 1-{MAX_CLIENT_ID} printable ASCII characters"
        )
    return client_id


# --- the batch -----------------------------------------------------------------


@dataclass
class _Accepted:
    index: int
    sub: Submission
    payload: dict[str, Any]
    correct: bool | None
    score: float
    elapsed_ms: int


def commit_batch(subs: Sequence[Submission]) -> list[Outcome]:
    """Commit a batch in one transaction; one outcome per submission, in order.

    If the batch as a whole fails in the database, each submission is retried
    alone so one bad row cannot cost the others their answer.
    """
    if not subs:
        return []
    runtime.ensure_resumed()
    try:
        return _commit(subs)
    except DatabaseError:
        if len(subs) == 1:
            raise
        log.exception("answer batch of %d failed; committing one by one", len(subs))
    outcomes: list[Outcome] = []
    for sub in subs:
        try:
            outcomes.extend(_commit([sub]))
        except DatabaseError:
            log.exception("answer %s/%s failed", sub.participant.key, sub.client_id)
            outcomes.append(QuizError("conflict", "the answer could not be saved; send it again"))
    return outcomes


def _commit(subs: Sequence[Submission]) -> list[Outcome]:
    outcomes: list[Outcome | None] = [None] * len(subs)
    by_question: dict[int, list[int]] = defaultdict(list)
    for i, sub in enumerate(subs):
        by_question[sub.live_question_id].append(i)
    applied: list[tuple[int, int, str, int, dict[str, Any], bool | None]] = []
    with transaction.atomic():
        # A fixed lock order: two processes never wait on each other (no deadlock).
        for lq_id, indexes in sorted(by_question.items()):
            _commit_question(lq_id, [(i, subs[i]) for i in indexes], outcomes, applied)
        transaction.on_commit(lambda: _after_commit(applied), robust=True)
    return [o if o is not None else QuizError("conflict", "not processed") for o in outcomes]


def _after_commit(applied: list[tuple[int, int, str, int, dict[str, Any], bool | None]]) -> None:
    for lq_id, _session_id, key, revision, payload, correct in applied:
        aggregate = runtime.aggregates.peek(lq_id)
        if aggregate is None:
            runtime.aggregates.rebuild(lq_id)  # already includes this batch
        else:
            aggregate.apply(key, revision, payload, correct)
    for lq_id in {a[0] for a in applied}:
        runtime.publisher.mark(lq_id)


def _commit_question(
    lq_id: int,
    items: list[tuple[int, Submission]],
    outcomes: list[Outcome | None],
    applied: list[tuple[int, int, str, int, dict[str, Any], bool | None]],
) -> None:
    # The question row only (not the joined session row): it serialises the
    # writers of this question across processes.
    lq = (
        LiveQuestion.objects.select_for_update(of=("self",))
        .select_related("session")
        .filter(pk=lq_id)
        .first()
    )
    if lq is None:
        for i, _ in items:
            outcomes[i] = QuizError("not_found", "no such question")
        return
    spec = runtime.spec_for(lq)
    keys = {sub.participant.key for _, sub in items}
    client_ids = {sub.client_id for _, sub in items}
    receipts = {
        (r.participant_key, r.client_id): r
        for r in AnswerReceipt.objects.filter(
            live_question=lq, participant_key__in=keys, client_id__in=client_ids
        )
    }
    existing = {
        a.participant_key: a
        for a in LiveAnswer.objects.filter(live_question=lq, participant_key__in=keys).only(
            "participant_key", "revision", "client_id"
        )
    }
    allowed = _participants_in(lq.session, {sub.participant for _, sub in items})
    now = timezone.now()
    open_ = lq.state == LiveQuestion.State.OPEN
    # Ending the session closes its question right after; answers received
    # before the end still count (close_open_questions drains them first).
    ended = lq.session.state == LiveSession.State.ENDED
    ended_at = lq.session.ended_at
    latest_ok = lq.deadline_at + deadline_grace()

    revision = {k: a.revision for k, a in existing.items()}
    accepted: dict[str, _Accepted] = {}  # final state per participant
    new_receipts: dict[tuple[str, str], AnswerReceipt] = {}
    for i, sub in items:
        key = sub.participant.key
        if sub.session_id is not None and sub.session_id != lq.session_id:
            outcomes[i] = QuizError("not_found", "no such question in this session")
            continue
        seen = receipts.get((key, sub.client_id)) or new_receipts.get((key, sub.client_id))
        if seen is not None:
            outcomes[i] = AnswerAck(lq.pk, sub.client_id, seen.revision, seen.accepted_at, True)
            continue
        if sub.participant not in allowed:
            outcomes[i] = QuizError("not_participant", "you are not a student in this session")
            continue
        if not open_ or (ended and (ended_at is None or sub.received_at > ended_at)):
            outcomes[i] = QuizError(
                "closed", "this question is closed; answers are no longer taken"
            )
            continue
        if sub.received_at > latest_ok:
            outcomes[i] = QuizError("late", "the time for this question is up")
            continue
        if key in revision and not lq.allow_change:
            outcomes[i] = QuizError("already_answered", "you have already answered this question")
            continue
        try:
            answer = parse_answer(spec, sub.payload)
        except SpecError as e:
            outcomes[i] = QuizError("invalid", str(e))
            continue
        result = grade(spec, answer)
        elapsed_s = max(0.0, (sub.received_at - lq.opened_at).total_seconds())
        revision[key] = revision.get(key, 0) + 1
        accepted[key] = _Accepted(
            index=i,
            sub=sub,
            payload=answer_json(answer),
            correct=result.correct,
            score=score(spec, result, elapsed_s=elapsed_s, speed_scoring=lq.speed_scoring),
            elapsed_ms=min(int(elapsed_s * 1000), 2**31 - 1),
        )
        receipt = AnswerReceipt(
            live_question=lq,
            participant_key=key,
            client_id=sub.client_id,
            revision=revision[key],
            accepted_at=now,
        )
        new_receipts[(key, sub.client_id)] = receipt
        outcomes[i] = AnswerAck(lq.pk, sub.client_id, revision[key], now)

    if not accepted:
        return
    rows = [
        LiveAnswer(
            live_question=lq,
            participant_key=key,
            user_id=a.sub.participant.user_id,
            guest_id=a.sub.participant.guest_id,
            client_id=a.sub.client_id,
            payload=a.payload,
            correct=a.correct,
            score=a.score,
            elapsed_ms=a.elapsed_ms,
            revision=revision[key],
            answered_at=a.sub.received_at,
        )
        for key, a in accepted.items()
    ]
    LiveAnswer.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["live_question", "participant_key"],
        update_fields=[
            "client_id",
            "payload",
            "correct",
            "score",
            "elapsed_ms",
            "revision",
            "answered_at",
        ],
    )
    AnswerReceipt.objects.bulk_create(new_receipts.values())
    for key, a in accepted.items():
        applied.append((lq.pk, lq.session_id, key, revision[key], a.payload, a.correct))


def _participants_in(session: LiveSession, participants: set[Participant]) -> set[Participant]:
    """Those who may answer: the course's students and the session's guests."""
    user_ids = {p.id for p in participants if p.kind == "user"}
    guest_ids = {p.id for p in participants if p.kind == "guest"}
    allowed: set[Participant] = set()
    if user_ids:
        members = Membership.objects.filter(
            course_id=session.course_id, user_id__in=user_ids, role=Membership.Role.STUDENT
        ).values_list("user_id", flat=True)
        allowed.update(Participant("user", uid) for uid in members)
    if guest_ids:
        guests = Guest.objects.filter(session_id=session.pk, id__in=guest_ids).values_list(
            "id", flat=True
        )
        allowed.update(Participant("guest", gid) for gid in guests)
    return allowed


# --- the asyncio front ---------------------------------------------------------

# One writer thread per process: batches commit one after the other, which is
# what lets the next batch fill up while the database is busy.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quiz-writer")


def _run_in_writer_thread(subs: list[Submission]) -> list[Outcome]:
    close_old_connections()
    try:
        return commit_batch(subs)
    finally:
        close_old_connections()


def close_writer_connection() -> None:
    """Close the writer thread's database connection (tests, shutdown)."""
    _executor.submit(connections.close_all).result()


class AnswerWriter:
    """Group commit for one event loop; ``await submit(...)`` returns after the commit."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._pending: list[tuple[Submission, asyncio.Future[Outcome]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._inflight: asyncio.Task[None] | None = None
        self.batches = 0
        self.largest_batch = 0

    async def submit(self, sub: Submission) -> AnswerAck:
        future: asyncio.Future[Outcome] = self._loop.create_future()
        self._pending.append((sub, future))
        if len(self._pending) >= batch_max():
            self._kick()
        elif self._timer is None and self._inflight is None:
            self._timer = self._loop.call_later(batch_window_s(), self._kick)
        outcome = await future
        if isinstance(outcome, QuizError):
            raise outcome
        return outcome

    def _kick(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._inflight is None and self._pending:
            batch, self._pending = self._pending[: batch_max()], self._pending[batch_max() :]
            self._inflight = self._loop.create_task(self._flush(batch))

    async def _flush(self, batch: list[tuple[Submission, asyncio.Future[Outcome]]]) -> None:
        self.batches += 1
        self.largest_batch = max(self.largest_batch, len(batch))
        try:
            outcomes = await self._loop.run_in_executor(
                _executor, _run_in_writer_thread, [s for s, _ in batch]
            )
        except Exception as e:
            log.exception("answer batch failed")
            error = QuizError("conflict", "the answer could not be saved; send it again")
            error.__cause__ = e
            for _, future in batch:
                if not future.done():
                    future.set_result(error)
        else:
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)
        finally:
            self._inflight = None
            if self._pending:
                # What arrived during the commit goes next, without waiting.
                self._kick()

    async def drain(self) -> None:
        """Wait until everything submitted so far is committed."""
        while self._pending or self._inflight is not None:
            if self._inflight is None:
                self._kick()
            task = self._inflight
            if task is not None:
                await asyncio.shield(task)


_writers: LoopLocal[AnswerWriter] = LoopLocal(lambda: AnswerWriter(asyncio.get_running_loop()))


def get_writer() -> AnswerWriter:
    """The writer of the running event loop."""
    return _writers.get()


def drain_all_writers(timeout: float = 10.0) -> None:
    """From a non-loop thread: commit every answer already received first.

    The deadline timer, a push replacing an open question and a session's
    end call this before closing, so answers waiting in a batch window are
    committed, not refused as ``closed``. Call it outside any transaction
    that holds a lock the writer needs. A loop running in the calling
    thread cannot be waited on here and is skipped (use ``await
    get_writer().drain()`` there).
    """
    try:
        own: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        own = None
    for loop, writer in _writers.items():
        if loop is own or loop.is_closed() or not loop.is_running():
            continue
        try:
            asyncio.run_coroutine_threadsafe(writer.drain(), loop).result(timeout)
        except Exception:
            log.exception("could not drain the answer writer before closing")

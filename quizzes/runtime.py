"""Per-process live quiz state (see docs/quizzes.md, "Restart resilience").

Everything here can be thrown away: the database holds the truth
(``LiveQuestion.state``/``deadline_at`` and every answer), and
``quizzes.actions.resume.resume_open_questions`` rebuilds it on start-up.

- ``aggregates``: the in-memory aggregate of each live question
- ``publisher``: throttled aggregate updates to the staff
- ``deadlines``: one timer thread closing questions at their deadline
- ``spec_for``: parsed, frozen specs by live question id
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connection

from quizzes.aggregation import AggregateRegistry, CoalescingPublisher
from quizzes.events import AUDIENCE_STAFF, QuizAggregateEvent, emit
from quizzes.models import LiveQuestion
from quizzes.shapes import distribution
from quizzes.specs import QuestionSpec

log = logging.getLogger(__name__)

aggregates = AggregateRegistry()


def publish_aggregate(live_question_id: int, final: bool) -> None:
    """Send the current aggregate to the session's staff.

    Throttled updates run on the scheduler thread and, on PostgreSQL, first
    catch up with changes other processes committed; the final update runs
    in the closing thread and is rebuilt from the database once.
    """
    try:
        if final:
            aggregate = aggregates.get_final(live_question_id)
        elif connection.vendor == "sqlite":
            # The embedded default is one process: its own updates are all
            # there is, and SQLite readers would only contend with the writer.
            found = aggregates.peek(live_question_id)
            if found is None:
                return
            aggregate = found
        else:
            aggregate = aggregates.catch_up(live_question_id)
    except LiveQuestion.DoesNotExist:
        return
    event = QuizAggregateEvent(
        type="quiz_aggregate",
        live_question_id=live_question_id,
        aggregate=distribution(aggregate.teacher_view()),
        final=final,
    )
    emit(aggregate.session_id, event, AUDIENCE_STAFF)


class SchedulerThread:
    """One daemon thread running callbacks at their time (``schedule`` → cancel).

    The throttled publisher runs here: one long-lived thread with one
    database connection, instead of a thread (and a connection) per update.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._cancelled: set[int] = set()
        self._counter = 0
        self._thread: threading.Thread | None = None

    def schedule(self, delay: float, fn: Callable[[], None]) -> Callable[[], None]:
        with self._cv:
            self._counter += 1
            ticket = self._counter
            heapq.heappush(self._heap, (time.monotonic() + delay, ticket, fn))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cv.notify()

        def cancel() -> None:
            with self._cv:
                self._cancelled.add(ticket)

        return cancel

    def call(self, fn: Callable[[], None], timeout: float = 10.0) -> None:
        """Run ``fn`` on the thread now and wait for it (tests: close its connection)."""
        done = threading.Event()

        def run() -> None:
            try:
                fn()
            finally:
                done.set()

        self.schedule(0.0, run)
        done.wait(timeout)

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cv.wait(timeout)
                _, ticket, fn = heapq.heappop(self._heap)
                if ticket in self._cancelled:
                    self._cancelled.discard(ticket)
                    continue
            try:
                fn()
                close_old_connections()  # honour CONN_MAX_AGE, drop broken ones
            except Exception:
                log.exception("scheduled quiz task failed")


scheduler = SchedulerThread("quiz-publisher")

publisher = CoalescingPublisher(
    publish_aggregate,
    interval=settings.QUIZ_AGGREGATE_INTERVAL_MS / 1000,
    schedule=scheduler.schedule,
)


# --- specs -----------------------------------------------------------------------

_SPEC_CACHE_SIZE = 256
_specs: OrderedDict[int, QuestionSpec] = OrderedDict()
_specs_lock = threading.Lock()


def spec_for(lq: LiveQuestion) -> QuestionSpec:
    """The parsed spec of a live question (immutable once pushed, so cached)."""
    with _specs_lock:
        spec = _specs.get(lq.pk)
        if spec is not None:
            _specs.move_to_end(lq.pk)
            return spec
    spec = lq.get_spec()
    with _specs_lock:
        _specs[lq.pk] = spec
        while len(_specs) > _SPEC_CACHE_SIZE:
            _specs.popitem(last=False)
    return spec


# --- deadlines -------------------------------------------------------------------


class DeadlineTimers:
    """One daemon thread calling ``fire(live_question_id)`` at each armed time."""

    def __init__(self, fire: Callable[[int], None]) -> None:
        self._fire = fire
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._armed: dict[int, float] = {}
        self._thread: threading.Thread | None = None

    def arm(self, live_question_id: int, when: datetime) -> None:
        at = when.timestamp()
        with self._cv:
            self._armed[live_question_id] = at
            heapq.heappush(self._heap, (at, live_question_id))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="quiz-deadlines", daemon=True
                )
                self._thread.start()
            self._cv.notify()

    def cancel(self, live_question_id: int) -> None:
        with self._cv:
            self._armed.pop(live_question_id, None)
            self._cv.notify()

    def cancel_all(self) -> None:
        with self._cv:
            self._armed.clear()
            self._heap.clear()
            self._cv.notify()

    def armed(self) -> dict[int, float]:
        """Armed live question ids → epoch seconds."""
        with self._cv:
            return dict(self._armed)

    def _next_due(self) -> int:
        with self._cv:
            while True:
                while self._heap and self._armed.get(self._heap[0][1]) != self._heap[0][0]:
                    heapq.heappop(self._heap)  # cancelled or re-armed
                if not self._heap:
                    self._cv.wait()
                    continue
                at, lq_id = self._heap[0]
                delay = at - time.time()
                if delay > 0:
                    self._cv.wait(timeout=delay)
                    continue
                heapq.heappop(self._heap)
                del self._armed[lq_id]
                return lq_id

    def _run(self) -> None:
        while True:
            lq_id = self._next_due()
            try:
                self._fire(lq_id)
            except Exception:
                log.exception("closing live question %s at its deadline failed", lq_id)


# What a deadline does (quizzes.actions.resume.close_at_deadline), wired from
# QuizzesConfig.ready: the actions sit above this module.
_at_deadline: Callable[[int], None] | None = None


def _fire_deadline(live_question_id: int) -> None:
    if _at_deadline is None:
        log.error("no deadline handler connected: live question %s stays open", live_question_id)
        return
    _at_deadline(live_question_id)


deadlines = DeadlineTimers(_fire_deadline)


# Set once this process has resumed the open questions (quizzes.actions.resume).
resumed = threading.Event()
resume_lock = threading.Lock()
_resume: Callable[[], object] | None = None


def register(*, at_deadline: Callable[[int], None], resume: Callable[[], object]) -> None:
    """Wire what the deadline timers and ``ensure_resumed`` call (from ``QuizzesConfig.ready``)."""
    global _at_deadline, _resume
    _at_deadline = at_deadline
    _resume = resume


def ensure_resumed() -> None:
    """Resume the open questions once per process, unless that already ran.

    A serving process does it at start-up (``resume_in_background``, from
    ``QuizzesConfig.ready``); the services a restarted server meets first (a
    reconnecting client's snapshot, a submission, a push) call this too, so
    a process started some other way, or whose start-up resume failed,
    still re-arms the deadlines before it answers.
    """
    if resumed.is_set():
        return
    if _resume is None:
        raise RuntimeError("no resume connected: QuizzesConfig.ready wires runtime.register")
    with resume_lock:
        if not resumed.is_set():
            _resume()


def reset() -> None:
    """Forget all in-memory state, as a process restart does (tests use this)."""
    resumed.clear()
    deadlines.cancel_all()
    aggregates.discard_all()
    with _specs_lock:
        _specs.clear()
    publisher.cancel_all()

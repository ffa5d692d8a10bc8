"""Live answer aggregates and their throttled publication (see docs/quizzes.md).

An ``Aggregate`` is updated per committed answer in O(1) (a changed answer
first takes its previous contribution out), and is rebuilt from the database
with one query after a restart. It remembers each participant's revision, so
applying the same change twice, or an older one after a newer, is a no-op;
this keeps a rebuild racing with live updates exact.

``CoalescingPublisher`` sends the teacher at most one update per interval
(0.2 s → 5/s) however fast answers arrive, and always a final one.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quizzes.grading import normalise_text
from quizzes.specs import (
    LocateBody,
    MultipleBody,
    NumericBody,
    QuestionSpec,
    SingleBody,
    TextBody,
    TrueFalseBody,
)

log = logging.getLogger(__name__)

HEATMAP_BINS = 64
NUMERIC_BINS_EACH_SIDE = 20
TEXT_GROUPS_SHOWN = 50
PUBLISH_INTERVAL_S = 0.2


@dataclass(frozen=True)
class Contribution:
    revision: int
    payload: dict[str, Any]
    correct: bool | None


class Aggregate:
    """The distribution of one live question's answers. Thread-safe."""

    def __init__(self, live_question_id: int, session_id: int, spec: QuestionSpec) -> None:
        self.live_question_id = live_question_id
        self.session_id = session_id
        self.spec = spec
        self._lock = threading.Lock()
        self._by_participant: dict[str, Contribution] = {}
        self.answered = 0
        self.correct = 0
        self.graded = spec.type != "open"
        self.options: Counter[str] = Counter()
        self.numeric_bins: Counter[int] = Counter()
        self.numeric_sum = 0.0
        self.text_groups: Counter[str] = Counter()
        self.text_labels: dict[str, str] = {}
        self.cells: Counter[tuple[int, int]] = Counter()
        self.hits = 0
        # The highest AnswerReceipt id read from the database (see catch_up).
        self.cursor = 0

    # --- updates ---------------------------------------------------------

    def apply(
        self, participant_key: str, revision: int, payload: dict[str, Any], correct: bool | None
    ) -> bool:
        """Record a participant's answer at ``revision``; False if already as new or newer."""
        with self._lock:
            old = self._by_participant.get(participant_key)
            if old is not None:
                if old.revision >= revision:
                    return False
                self._count(old.payload, old.correct, -1)
            self._by_participant[participant_key] = Contribution(revision, payload, correct)
            self._count(payload, correct, +1)
            return True

    def _count(self, payload: dict[str, Any], correct: bool | None, sign: int) -> None:
        self.answered += sign
        if correct:
            self.correct += sign
        body = self.spec.body
        if isinstance(body, SingleBody):
            self.options[str(payload["choice"])] += sign
        elif isinstance(body, MultipleBody):
            for choice in payload["choices"]:
                self.options[str(choice)] += sign
        elif isinstance(body, TrueFalseBody):
            self.options["true" if payload["value"] else "false"] += sign
        elif isinstance(body, NumericBody):
            value = float(payload["value"])
            self.numeric_sum += sign * value
            self.numeric_bins[self._numeric_bin(value, body)] += sign
        elif isinstance(body, LocateBody):
            self.cells[self._cell(float(payload["x"]), float(payload["y"]))] += sign
            if correct:
                self.hits += sign
        else:  # text and open
            case_sensitive = isinstance(body, TextBody) and body.case_sensitive
            text = str(payload["text"])
            group = normalise_text(text, case_sensitive=case_sensitive)
            self.text_groups[group] += sign
            self.text_labels.setdefault(group, " ".join(text.split()))
            if self.text_groups[group] <= 0:
                del self.text_groups[group]
                self.text_labels.pop(group, None)

    @staticmethod
    def numeric_bin_width(body: NumericBody) -> float:
        if body.tolerance > 0:
            return 2 * body.tolerance
        return max(abs(body.answer), 1.0) / 10

    def _numeric_bin(self, value: float, body: NumericBody) -> int:
        k = math.floor((value - body.answer) / self.numeric_bin_width(body) + 0.5)
        return max(-NUMERIC_BINS_EACH_SIDE, min(NUMERIC_BINS_EACH_SIDE, k))

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        slide = self.spec.slide
        assert slide is not None
        bx = min(HEATMAP_BINS - 1, max(0, int(x / slide.width * HEATMAP_BINS)))
        by = min(HEATMAP_BINS - 1, max(0, int(y / slide.height * HEATMAP_BINS)))
        return bx, by

    # --- views -----------------------------------------------------------

    def teacher_view(self) -> dict[str, Any]:
        """Everything the teacher's live chart needs, including grouped text answers."""
        with self._lock:
            return self._view(include_text=True)

    def student_view(self) -> dict[str, Any]:
        """For the reveal: distributions only, never anyone's own words."""
        with self._lock:
            return self._view(include_text=False)

    def _view(self, *, include_text: bool) -> dict[str, Any]:
        body = self.spec.body
        view: dict[str, Any] = {
            "type": self.spec.type,
            "answered": self.answered,
            "correct": self.correct if self.graded else None,
        }
        if isinstance(body, SingleBody | MultipleBody):
            view["counts"] = {o.id: self.options[o.id] for o in body.options}
        elif isinstance(body, TrueFalseBody):
            view["counts"] = {"true": self.options["true"], "false": self.options["false"]}
        elif isinstance(body, NumericBody):
            width = self.numeric_bin_width(body)
            bins = []
            for k, count in sorted(self.numeric_bins.items()):
                if count <= 0:
                    continue
                lo = body.answer + (k - 0.5) * width
                hi = lo + width
                bins.append(
                    {
                        "lo": None if k == -NUMERIC_BINS_EACH_SIDE else lo,
                        "hi": None if k == NUMERIC_BINS_EACH_SIDE else hi,
                        "count": count,
                    }
                )
            view["histogram"] = bins
            view["mean"] = self.numeric_sum / self.answered if self.answered else None
        elif isinstance(body, LocateBody):
            slide = self.spec.slide
            assert slide is not None
            view["heatmap"] = {
                "bins_x": HEATMAP_BINS,
                "bins_y": HEATMAP_BINS,
                "cell_width": slide.width / HEATMAP_BINS,
                "cell_height": slide.height / HEATMAP_BINS,
                "cells": [[bx, by, n] for (bx, by), n in sorted(self.cells.items()) if n > 0],
            }
            view["hit_rate"] = self.hits / self.answered if self.answered else None
        elif include_text:
            groups = self.text_groups.most_common(TEXT_GROUPS_SHOWN)
            graded = isinstance(body, TextBody)
            view["groups"] = [
                {
                    "text": self.text_labels.get(g, g),
                    "count": n,
                    "correct": _text_group_correct(g, body) if graded else None,
                }
                for g, n in groups
            ]
            view["distinct"] = len(self.text_groups)
        return view


def _text_group_correct(group: str, body: Any) -> bool:
    accepted = {normalise_text(a, case_sensitive=body.case_sensitive) for a in body.accepted}
    return group in accepted


class AggregateRegistry:
    """The aggregates this process keeps, keyed by live question id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._aggregates: dict[int, Aggregate] = {}
        self._final: set[int] = set()

    def peek(self, live_question_id: int) -> Aggregate | None:
        with self._lock:
            return self._aggregates.get(live_question_id)

    def put(self, aggregate: Aggregate) -> Aggregate:
        with self._lock:
            return self._aggregates.setdefault(aggregate.live_question_id, aggregate)

    def get(self, live_question_id: int) -> Aggregate:
        """The aggregate, rebuilt from the database if this process has none."""
        existing = self.peek(live_question_id)
        return existing if existing is not None else self.rebuild(live_question_id)

    def rebuild(self, live_question_id: int) -> Aggregate:
        """Read every answer once and replace the in-memory aggregate."""
        from django.db.models import Max

        from quizzes.models import AnswerReceipt, LiveAnswer, LiveQuestion

        lq = LiveQuestion.objects.only("id", "session_id", "spec").get(pk=live_question_id)
        aggregate = Aggregate(lq.pk, lq.session_id, lq.get_spec())
        # The cursor first: a change committed in between is read again by
        # the next catch_up, which is harmless (revisions make it idempotent).
        receipts = AnswerReceipt.objects.filter(live_question_id=live_question_id)
        aggregate.cursor = receipts.aggregate(top=Max("id"))["top"] or 0
        rows = LiveAnswer.objects.filter(live_question_id=live_question_id).values_list(
            "participant_key", "revision", "payload", "correct"
        )
        for key, revision, payload, correct in rows.iterator(chunk_size=2000):
            aggregate.apply(key, revision, payload, correct)
        with self._lock:
            self._aggregates[live_question_id] = aggregate
        return aggregate

    def catch_up(self, live_question_id: int) -> Aggregate:
        """Apply the changes committed since the last read, by any process.

        Every accepted submission leaves an ``AnswerReceipt``; a question's
        receipts are inserted under its row lock, so their ids grow in commit
        order and "ids above the cursor" are exactly the new changes. Two
        small queries, whatever the number of answers so far.
        """
        from quizzes.models import AnswerReceipt, LiveAnswer

        aggregate = self.peek(live_question_id)
        if aggregate is None:
            return self.rebuild(live_question_id)
        new = list(
            AnswerReceipt.objects.filter(
                live_question_id=live_question_id, id__gt=aggregate.cursor
            ).values_list("id", "participant_key")
        )
        if not new:
            return aggregate
        keys = {key for _, key in new}
        rows = LiveAnswer.objects.filter(
            live_question_id=live_question_id, participant_key__in=keys
        ).values_list("participant_key", "revision", "payload", "correct")
        for key, revision, payload, correct in rows:
            aggregate.apply(key, revision, payload, correct)
        aggregate.cursor = max(aggregate.cursor, max(rid for rid, _ in new))
        return aggregate

    def get_final(self, live_question_id: int) -> Aggregate:
        """For a closed question: rebuilt from the database once per process, then kept.

        Exact whichever processes committed the answers (nothing changes
        after the close).
        """
        with self._lock:
            final = live_question_id in self._final
            existing = self._aggregates.get(live_question_id)
        if final and existing is not None:
            return existing
        aggregate = self.rebuild(live_question_id)
        with self._lock:
            self._final.add(live_question_id)
        return aggregate

    def discard(self, live_question_id: int) -> None:
        with self._lock:
            self._aggregates.pop(live_question_id, None)
            self._final.discard(live_question_id)

    def discard_all(self) -> None:
        """Forget everything (what a restart does)."""
        with self._lock:
            self._aggregates.clear()
            self._final.clear()


Cancel = Callable[[], None]
Schedule = Callable[[float, Callable[[], None]], Cancel]


def thread_schedule(delay: float, fn: Callable[[], None]) -> Cancel:
    timer = threading.Timer(delay, fn)
    timer.daemon = True
    timer.start()
    return timer.cancel


class CoalescingPublisher:
    """Calls ``publish(key, final)`` at most once per ``interval`` per key.

    ``mark`` says "changed"; marks arriving while an update is pending fold
    into it, so the teacher always gets the latest state, never a backlog.
    ``finish`` publishes the final state now and ignores later marks.

    The final publication is always the last one for its key: publications
    of one key never overlap (a per-key lock), and a throttled one checks
    "finished" again under that lock, so a ``finish`` racing a throttled
    update either waits for it or makes it skip. (``quiz_aggregate`` is
    latest-wins: a stale ``final: false`` after the final one would be what
    the teacher ends on.)
    """

    def __init__(
        self,
        publish: Callable[[int, bool], None],
        *,
        interval: float = PUBLISH_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
        schedule: Schedule = thread_schedule,
    ) -> None:
        self._publish = publish
        self.interval = interval
        self._clock = clock
        self._schedule = schedule
        self._lock = threading.Lock()
        self._last: dict[int, float] = {}
        self._pending: dict[int, object] = {}
        self._cancels: dict[int, Cancel] = {}
        self._finished: set[int] = set()
        self._publishing: dict[int, threading.Lock] = {}

    def mark(self, key: int) -> None:
        with self._lock:
            if key in self._pending or key in self._finished:
                return
            token = object()
            self._pending[key] = token
            last = self._last.get(key)
            delay = 0.0 if last is None else max(0.0, last + self.interval - self._clock())
        cancel = self._schedule(delay, lambda: self._fire(key, token))
        with self._lock:
            if self._pending.get(key) is token:
                self._cancels[key] = cancel

    def _fire(self, key: int, token: object) -> None:
        with self._lock:
            if self._pending.get(key) is not token or key in self._finished:
                return
            del self._pending[key]
            self._cancels.pop(key, None)
            self._last[key] = self._clock()
        with self._publish_lock(key):
            with self._lock:
                if key in self._finished:
                    return  # finish() came first: its final frame stays the last
            try:
                self._publish(key, False)
            except Exception:
                log.exception("publishing the aggregate of %s failed", key)

    def finish(self, key: int) -> None:
        """Publish the final state now; later marks for ``key`` are ignored.

        Waits for a throttled publication of ``key`` already under way, so
        the final one is sent last.
        """
        cancel = self._drop(key)
        with self._lock:
            self._finished.add(key)
        if cancel is not None:
            cancel()
        with self._publish_lock(key):
            self._publish(key, True)

    def _publish_lock(self, key: int) -> threading.Lock:
        with self._lock:
            lock = self._publishing.get(key)
            if lock is None:
                lock = self._publishing[key] = threading.Lock()
            return lock

    def forget(self, key: int) -> None:
        cancel = self._drop(key)
        with self._lock:
            self._finished.discard(key)
            self._publishing.pop(key, None)
        if cancel is not None:
            cancel()

    def cancel_all(self) -> None:
        """Drop every pending update and forget all keys."""
        with self._lock:
            cancels = list(self._cancels.values())
            self._pending.clear()
            self._cancels.clear()
            self._last.clear()
            self._finished.clear()
            self._publishing.clear()
        for cancel in cancels:
            cancel()

    def _drop(self, key: int) -> Cancel | None:
        with self._lock:
            self._pending.pop(key, None)
            self._last.pop(key, None)
            return self._cancels.pop(key, None)

"""Restart resilience: resume the open questions, close them at their deadline.

Everything in ``quizzes.runtime`` can be thrown away; the database holds the
truth. ``resume_open_questions`` rebuilds the aggregates and re-arms the
deadlines once per serving process (``resume_in_background``, from
``QuizzesConfig.ready``, which also wires ``runtime.ensure_resumed`` and the
deadline timers to this module). See docs/quizzes.md, "Restart resilience".
"""

from __future__ import annotations

import logging
import threading

from django.apps import apps
from django.db import close_old_connections, connection
from django.utils import timezone

from quizzes import runtime
from quizzes.actions.live import do_close_question
from quizzes.answers import deadline_grace, drain_all_writers
from quizzes.models import LiveQuestion

log = logging.getLogger(__name__)


def close_at_deadline(live_question_id: int) -> None:
    """The deadline timer's action: commit what arrived in time, then close."""
    drain_all_writers()  # answers received in time are committed first
    close_old_connections()
    try:
        do_close_question(live_question_id, by=None, reason="deadline")
    finally:
        connection.close()  # deadlines are rare: hold no idle connection


def resume_in_background() -> threading.Thread:
    """At a serving process's start: ``ensure_resumed`` on a daemon thread.

    Waits until every app is ready (never touches the database during app
    initialisation), so questions whose deadline passed while no server ran
    are closed, and the open ones' deadlines re-armed, without waiting for a
    client to connect. A failure is logged; the first use retries.
    """

    def run() -> None:
        apps.ready_event.wait()
        try:
            runtime.ensure_resumed()
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

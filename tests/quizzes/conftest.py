"""Fixtures for the quiz tests (see docs/quizzes.md).

``events`` captures every emitted quiz event as (session_id, event, audience);
the in-memory quiz runtime is reset around every test, as a restart would.
The plain helpers (``make_single``, ``option_ids``, ...) are in tests/support/quizzes.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.utils import timezone

from classroom.models import Course, Guest, LiveSession
from quizzes import events as quiz_events
from quizzes import runtime
from quizzes.answers import close_writer_connection
from quizzes.models import Assignment, Question, QuestionSet, QuestionSetItem
from realtime.events import validate_event
from slides.models import Slide
from tests.support.quizzes import Captured, make_single, option_ids


@pytest.fixture(autouse=True)
def fresh_runtime() -> Iterator[None]:
    runtime.reset()
    yield
    runtime.reset()
    close_writer_connection()
    if connection.vendor != "sqlite":  # SQLite's in-memory test database never closes
        runtime.scheduler.call(connections.close_all)


@pytest.fixture
def events() -> Iterator[Captured]:
    captured: Captured = []

    def sink(session_id: int, event: Any, audience: str) -> None:
        # Every emitted event is its registered frame (quizzes/events.py), as JSON.
        body = event.model_dump(mode="json")
        assert validate_event(body) == event, body
        assert audience in ("all", "staff") or audience.startswith(("p:u:", "p:g:"))
        captured.append((session_id, body, audience))

    previous = quiz_events.set_sink(sink)
    yield captured
    quiz_events.set_sink(previous)


@pytest.fixture
def session(course: Course, teacher: User) -> LiveSession:
    return LiveSession.objects.create(
        course=course, title="Liver", state=LiveSession.State.LIVE, created_by=teacher
    )


@pytest.fixture
def guest(session: LiveSession) -> Guest:
    return Guest.objects.create(session=session, display_name="Gus")


@pytest.fixture
def slide(course: Course, teacher: User) -> Slide:
    s = Slide.objects.create(
        title="Liver H&E",
        width=50_000,
        height=40_000,
        level_count=8,
        mpp_x=0.25,
        mpp_y=0.5,
        status=Slide.Status.READY,
        owner=teacher,
        content_hash="a" * 64,
    )
    course.slides.add(s)
    return s


@pytest.fixture
def single(course: Course) -> Question:
    return make_single(course)


@pytest.fixture
def assignment(course: Course, single: Question, teacher: User) -> Assignment:
    """A self-paced assignment of ``single`` alone, due tomorrow."""
    qs = QuestionSet.objects.create(course=course, title="One question")
    QuestionSetItem.objects.create(question_set=qs, question=single, position=0)
    return Assignment.objects.create(
        course=course,
        question_set=qs,
        title="Week 1",
        due_at=timezone.now() + timedelta(days=1),
        created_by=teacher,
    )


@pytest.fixture
def choice_ids(single: Question) -> list[str]:
    """The option ids of ``single`` (correct one first), read before any event loop runs."""
    return option_ids(single)

"""Pushing a question into a live session (see docs/quizzes.md, "Live flow")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from classroom.models import Course, LiveSession
from quizzes import runtime
from quizzes.actions.live import do_push_question
from quizzes.domain import QuizError
from quizzes.models import LiveQuestion, Question
from slides.models import Slide
from tests.support.quizzes import Captured, make_single, option_ids

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_opens_the_question_with_a_persisted_server_deadline(
    session: LiveSession, single: Question, teacher: User, events: Captured
):
    lq = do_push_question(session, single, by=teacher, speed_scoring=True)
    lq.refresh_from_db()
    assert lq.state == LiveQuestion.State.OPEN
    assert lq.deadline_at - lq.opened_at == timedelta(seconds=30)
    assert lq.speed_scoring and lq.question == single
    [(session_id, event, audience)] = events
    assert (session_id, audience, event["type"]) == (session.pk, "all", "quiz_question")
    assert event["question"]["options"][0] == {
        "id": option_ids(single)[0],
        "text": "Hepatocyte",
    }
    assert event["deadline_at"] == lq.deadline_at.isoformat()
    assert lq.pk in runtime.deadlines.armed()


def test_the_live_question_keeps_its_spec_when_the_bank_question_is_edited(
    session: LiveSession, single: Question, teacher: User
):
    lq = do_push_question(session, single, by=teacher)
    single.prompt = "Edited"
    single.save()
    lq.refresh_from_db()
    assert lq.get_spec().prompt == "Which cell makes bile?"


def test_it_refuses_a_student(
    session: LiveSession, single: Question, alice: User, events: Captured
):
    with pytest.raises(QuizError) as e:
        do_push_question(session, single, by=alice)
    assert e.value.code == "forbidden" and e.value.status == 403
    assert not LiveQuestion.objects.exists() and not events


def test_it_refuses_a_question_from_another_course(session: LiveSession, teacher: User):
    other = Course.objects.create(title="Other", code="OTH")
    with pytest.raises(QuizError) as e:
        do_push_question(session, make_single(other), by=teacher)
    assert e.value.code == "not_found"


def test_it_refuses_an_ended_session(session: LiveSession, single: Question, teacher: User):
    session.state = LiveSession.State.ENDED
    session.save()
    with pytest.raises(QuizError, match="ended"):
        do_push_question(session, single, by=teacher)


def test_it_accepts_an_ad_hoc_question(session: LiveSession, teacher: User, events: Captured):
    lq = do_push_question(
        session,
        {
            "prompt": "Is this the liver?",
            "time_limit": 10,
            "body": {"type": "truefalse", "answer": True},
        },
        by=teacher,
    )
    assert lq.question is None and lq.type == "truefalse"
    assert events[0][1]["question"]["options"] == [
        {"id": "true", "text": "True"},
        {"id": "false", "text": "False"},
    ]


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ({"prompt": "", "body": {"type": "open"}}, "invalid"),
        ({"prompt": "x", "body": {"type": "numeric"}}, "invalid"),
        (
            {"prompt": "x", "slide": {"id": 1, "width": 9, "height": 9}, "body": {"type": "open"}},
            "invalid",
        ),
        ({"prompt": "x", "slide_id": "1", "body": {"type": "open"}}, "invalid"),
        ({"prompt": "x", "slide_id": 99999, "body": {"type": "open"}}, "not_found"),
    ],
)
def test_it_rejects_a_bad_ad_hoc_question(
    session: LiveSession, teacher: User, spec: dict[str, object], code: str
):
    with pytest.raises(QuizError) as e:
        do_push_question(session, spec, by=teacher)
    assert e.value.code == code


def test_an_ad_hoc_locate_question_reads_the_slide_geometry_from_the_database(
    session: LiveSession, slide: Slide, teacher: User
):
    lq = do_push_question(
        session,
        {
            "prompt": "Find a portal triad",
            "slide_id": slide.pk,
            "body": {
                "type": "locate",
                "regions": [{"kind": "rect", "x": 1, "y": 1, "width": 9, "height": 9}],
            },
        },
        by=teacher,
    )
    assert lq.get_spec().slide is not None
    assert lq.spec["slide"] == {
        "id": slide.pk,
        "width": 50000,
        "height": 40000,
        "mpp_x": 0.25,
        "mpp_y": 0.5,
    }


def test_a_slide_outside_the_course_is_refused(session: LiveSession, slide: Slide, teacher: User):
    session.course.slides.remove(slide)
    with pytest.raises(QuizError) as e:
        do_push_question(
            session,
            {"prompt": "x", "slide_id": slide.pk, "body": {"type": "open"}},
            by=teacher,
        )
    assert e.value.code == "not_found"


def test_pushing_again_closes_the_open_question_first(
    session: LiveSession, single: Question, teacher: User, events: Captured
):
    first = do_push_question(session, single, by=teacher)
    second = do_push_question(session, single, by=teacher)
    first.refresh_from_db()
    assert first.state == "closed" and first.close_reason == "replaced"
    assert LiveQuestion.objects.filter(state="open").get() == second
    assert [e["type"] for _, e, a in events if a == "all"] == [
        "quiz_question",
        "quiz_closed",
        "quiz_question",
    ]
    assert first.pk not in runtime.deadlines.armed()
